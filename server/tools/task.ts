// Task: starts a subagent (server/agent/subagents.ts) and returns its final report. Calls of one
// reply run concurrently (independent children); the loop still runs other writing calls in order.
import { z } from "zod";
import { taskDescription } from "./task.description";
import { defineTool, ToolError } from "./tool";

export const taskTool = defineTool({
  name: "Task",
  description: taskDescription,
  inputSchema: z.object({
    description: z.string().trim().min(1).max(200).describe("A short (3-7 word) label for the task, shown to the user"),
    prompt: z.string().trim().min(1).max(100_000).describe("The complete, self-contained instructions for the subagent"),
    subagent_type: z.string().trim().min(1).max(100).optional().describe("The name of an agent definition to use; omit for a general-purpose agent"),
  }),
  readOnly: false,
  concurrent: true,
  permissionKey: (input) => input.subagent_type ?? "general-purpose",
  run: async (input, context) => {
    if (!context.subagents || !context.toolUseId) throw new ToolError("Subagents are not available here (the nesting limit was reached or this run has no agent runner).");
    return context.subagents.run(
      { toolUseId: context.toolUseId, description: input.description, prompt: input.prompt, subagentType: input.subagent_type },
      context.signal,
    );
  },
});
