// The built-in tools, and their schemas as the model sees them. Adding a tool is one line here.
import { z } from "zod";
import type { ToolSchema } from "../llm/model-client";
import { askUserQuestionTool } from "./ask-user-question";
import { bashTool } from "./bash";
import { exitPlanModeTool } from "./exit-plan-mode";
import { bashOutputTool } from "./bash-output";
import { editTool } from "./edit";
import { globTool } from "./glob";
import { grepTool } from "./grep";
import { killShellTool } from "./kill-shell";
import { lsTool } from "./ls";
import { multiEditTool } from "./multi-edit";
import { notebookEditTool } from "./notebook-edit";
import { readTool } from "./read";
import { skillTool } from "./skill";
import { taskTool } from "./task";
import { textEditorTool } from "./text-editor";
import { todoWriteTool } from "./todo-write";
import type { Tool } from "./tool";
import { webFetchTool } from "./web-fetch";
import { webSearchTool } from "./web-search";
import { writeTool } from "./write";

export const builtinTools: Tool[] = [
  bashTool,
  bashOutputTool,
  killShellTool,
  readTool,
  writeTool,
  editTool,
  multiEditTool,
  globTool,
  grepTool,
  lsTool,
  notebookEditTool,
  webFetchTool,
  webSearchTool,
  todoWriteTool,
  textEditorTool,
  askUserQuestionTool,
  exitPlanModeTool,
  skillTool,
  taskTool,
] as Tool[];

/** JSON Schema for each tool's input, via zod 4's converter. */
export const toolSchemas = (tools: Tool[] = builtinTools): ToolSchema[] =>
  tools.map((tool) => {
    const { $schema: _schema, ...inputSchema } = z.toJSONSchema(tool.inputSchema, { io: "input" }) as Record<string, unknown>;
    return { name: tool.name, description: tool.description, inputSchema };
  });

export const findTool = (name: string, tools: Tool[] = builtinTools): Tool | undefined => tools.find((tool) => tool.name === name);
