// One-line summaries of a tool call's input, for the header of its card in the transcript.

export type ToolInputSummary = {
  /** The text to show after the tool name. */
  text: string;
  /** True when the text is code (a shell command, a path, a pattern) and reads best in monospace. */
  mono: boolean;
};

export type EditPreview = { oldString: string; newString: string; replaceAll: boolean };

const MAX_SUMMARY_CHARS = 160;

const asRecord = (input: unknown): Record<string, unknown> =>
  typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};

const stringField = (record: Record<string, unknown>, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value.length > 0) return value;
  }
  return undefined;
};

/** Collapses whitespace runs (newlines included) and cuts to one line of at most `max` chars. */
export function toOneLine(text: string, max = MAX_SUMMARY_CHARS): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, max - 1)}…`;
}

const mono = (text: string): ToolInputSummary => ({ text: toOneLine(text), mono: true });
const prose = (text: string): ToolInputSummary => ({ text: toOneLine(text), mono: false });

/** What the card header says about the input of tool `name`. */
export function summarizeToolInput(name: string, input: unknown): ToolInputSummary {
  const record = asRecord(input);
  const path = stringField(record, "file_path", "path", "notebook_path");

  switch (name) {
    case "Bash": {
      const command = stringField(record, "command");
      if (command) return mono(command);
      break;
    }
    case "Read":
    case "Write":
    case "Edit":
    case "MultiEdit":
    case "NotebookEdit": {
      if (path) return mono(withLineRange(path, record));
      break;
    }
    case "str_replace_based_edit_tool": {
      const command = stringField(record, "command");
      if (path) return mono(command ? `${command} ${path}` : path);
      break;
    }
    case "Glob":
    case "Grep": {
      const pattern = stringField(record, "pattern");
      if (pattern) return mono(path ? `${pattern} in ${path}` : pattern);
      break;
    }
    case "LS": {
      if (path) return mono(path);
      break;
    }
    case "WebFetch": {
      const url = stringField(record, "url");
      if (url) return mono(url);
      break;
    }
    case "WebSearch": {
      const query = stringField(record, "query");
      if (query) return prose(query);
      break;
    }
    case "Task": {
      const description = stringField(record, "description", "prompt");
      if (description) return prose(description);
      break;
    }
    case "Skill": {
      const skill = stringField(record, "skill", "name", "command");
      if (skill) return mono(skill);
      break;
    }
    case "BashOutput":
    case "KillShell": {
      const id = stringField(record, "bash_id", "shell_id", "id");
      if (id) return mono(id);
      break;
    }
    case "TodoWrite": {
      const todos = record.todos;
      if (Array.isArray(todos)) return prose(`${todos.length} ${todos.length === 1 ? "item" : "items"}`);
      break;
    }
  }
  return fallbackSummary(record, path);
}

const withLineRange = (path: string, record: Record<string, unknown>): string => {
  const offset = record.offset;
  const limit = record.limit;
  if (typeof offset !== "number" && typeof limit !== "number") return path;
  const start = typeof offset === "number" ? offset : 1;
  if (typeof limit !== "number") return `${path}:${start}-`;
  return `${path}:${start}-${start + limit - 1}`;
};

/** Unknown tools (MCP and the like): the path if any, else the first short string field, else compact JSON. */
function fallbackSummary(record: Record<string, unknown>, path: string | undefined): ToolInputSummary {
  if (path) return mono(path);
  const firstString = Object.values(record).find((value): value is string => typeof value === "string" && value.length > 0);
  if (firstString) return prose(firstString);
  const keys = Object.keys(record);
  if (keys.length === 0) return prose("");
  return mono(JSON.stringify(record));
}

/** The old/new strings of an Edit-like call, for a compact before/after view; undefined for other tools. */
export function editPreview(name: string, input: unknown): EditPreview | undefined {
  const record = asRecord(input);
  if (name !== "Edit" && name !== "str_replace_based_edit_tool") return undefined;
  const oldString = record.old_string ?? record.old_str;
  const newString = record.new_string ?? record.new_str;
  if (typeof oldString !== "string" || typeof newString !== "string") return undefined;
  return { oldString, newString, replaceAll: record.replace_all === true };
}

/** "850 ms", "3.2 s", "2m 05s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
}
