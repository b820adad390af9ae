// Per-session memory of the tools beyond readFiles and the shell's cwd: background shells started
// by Bash, the text editor's undo history, and the todo list.
import type { FileReadState, ToolContext } from "./tool";

export type BackgroundShell = {
  id: string;
  command: string;
  /** In-sandbox files: combined output, the process group id, and the exit code once it ends. */
  logPath: string;
  pgidPath: string;
  exitPath: string;
  /** Bytes of the log already returned by BashOutput. */
  readOffset: number;
  startedAt: number;
  /** Set once BashOutput or KillShell saw it end. */
  exitCode?: number | null;
  killed?: boolean;
};

export type TodoItem = { content: string; status: "pending" | "in_progress" | "completed"; activeForm?: string };

/** Host path -> earlier contents (null: the file did not exist), newest last. */
export type EditHistory = Map<string, Array<string | null>>;

export type SessionToolState = {
  backgroundShells: Map<string, BackgroundShell>;
  editHistory: EditHistory;
  todos: TodoItem[];
};

export const createSessionToolState = (): SessionToolState => ({
  backgroundShells: new Map(),
  editHistory: new Map(),
  todos: [],
});

// readFiles is created once per session by the runner, so it can stand in for the session until
// the runner passes a toolState of its own.
const fallbackStates = new WeakMap<FileReadState, SessionToolState>();

export const sessionToolState = (context: ToolContext): SessionToolState => {
  if (context.toolState) return context.toolState;
  const existing = fallbackStates.get(context.readFiles);
  if (existing) return existing;
  const created = createSessionToolState();
  fallbackStates.set(context.readFiles, created);
  return created;
};
