// What every tool is: a name, a description for the model, a zod input schema, whether it only
// reads, the permission key it is checked under, and a run function that gets one ToolContext.
import type { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox";
import type { SessionToolState } from "./session-state";

/** Per-session memory the file tools share: which files were read, and their state when read. */
export type FileReadState = Map<string, { mtimeMs: number; size: number }>;

export type ToolContext = {
  sandbox: Sandbox;
  sessionId: string;
  signal: AbortSignal;
  /** The Bash tool's working directory, persisted between calls (inside the sandbox). */
  shell: { cwd: string };
  readFiles: FileReadState;
  /** Streams partial output to the UI while the tool runs (live only). */
  onOutput?: (chunk: string) => void;
  limits: { maxOutputChars: number };
  /**
   * Per-session memory of the newer tools (background shells, editor undo history, todo list).
   * The runner should keep one per session (createSessionToolState); without it the tools fall
   * back to state tied to `readFiles`, which is also one per session.
   */
  toolState?: SessionToolState;
  /** The id of the call being run (set by the loop). */
  toolUseId?: string;
  /** Starts subagents (the Task tool); absent where they are not available. */
  subagents?: SubagentSpawner;
  /** Talking to the people in the session (AskUserQuestion, ExitPlanMode); absent in headless runs. */
  people?: PeopleChannel;
};

export type UserQuestion = { question: string; header?: string; options: Array<{ label: string; description?: string }>; multiSelect?: boolean };
/** One answer per question, in order: the chosen labels, or free text. */
export type UserAnswers = string[];

export type PeopleChannel = {
  /** Resolves with the answers, or null when the turn was stopped before anyone answered. */
  ask(questions: UserQuestion[], signal: AbortSignal, toolUseId?: string): Promise<UserAnswers | null>;
  /** Leaves plan mode once the plan is approved. */
  exitPlanMode(): Promise<void>;
};

export type ToolOutput = {
  /** What the model sees (already bounded). */
  output: string;
  isError: boolean;
  /** Extra facts for the UI and the event log (exit code, truncated, path...). */
  metadata?: Record<string, unknown>;
  /** Images for the model (Read of a PNG/JPEG/GIF/WebP); providers send them as image blocks. */
  images?: Array<{ mediaType: string; base64: string }>;
};

export type Tool<Schema extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  inputSchema: Schema;
  readOnly: boolean;
  /**
   * Calls of this tool in one reply may run at the same time even though they write (Task: the
   * model starts independent subagents together on purpose). Other writing calls stay in order.
   */
  concurrent?: boolean;
  /** The permission subject for this call, e.g. the command for Bash or the path for Read. */
  permissionKey: (input: z.infer<Schema>) => string;
  run: (input: z.infer<Schema>, context: ToolContext) => Promise<ToolOutput>;
};

/** Identity helper so each tool file can declare one typed constant. */
export const defineTool = <Schema extends z.ZodType>(tool: Tool<Schema>): Tool<Schema> => tool;

/** A failure the tool wants the model to see as an is_error result (not a crash). */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** What the Task tool needs to run a child agent (server/agent/subagents.ts implements it). */
export type SubagentSpawner = {
  run(request: { toolUseId: string; description: string; prompt: string; subagentType?: string }, signal: AbortSignal): Promise<ToolOutput>;
};
