// str_replace_based_edit_tool: Anthropic's text-editor contract (view, create, str_replace, insert,
// undo_edit) for models trained on it, host-side on the workspace. Messages and output follow the
// reference implementation (checked by shared/conformance/edit_cases.json); unlike it, files keep
// their tabs and line endings byte for byte.
import type { Dirent } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resolveWorkspacePath, SANDBOX_WORKDIR } from "../workspace/paths";
import { recordRead, statOrNull, writeWorkspaceFile } from "./file-state";
import { sessionToolState } from "./session-state";
import { textEditorDescription } from "./text-editor.description";
import { defineTool, ToolError, type ToolContext } from "./tool";
import { describeBinary, detectBinary, truncateOutput } from "./truncate";

const SNIPPET_LINES = 4;
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MAX_LISTED_ENTRIES = 1000;

const commands = ["view", "create", "str_replace", "insert", "undo_edit"] as const;

/** `cat -n` style numbering as the reference prints it: width 6, a tab, the line. */
const numbered = (content: string, descriptor: string, firstLine = 1) =>
  `Here's the result of running \`cat -n\` on ${descriptor}:\n${content
    .split("\n")
    .map((line, index) => `${String(index + firstLine).padStart(6)}\t${line.replace(/\r$/, "")}`)
    .join("\n")}\n`;

const pythonList = (values: number[]) => `[${values.join(", ")}]`;

/** Start offsets of the non-overlapping occurrences of `needle` (every position for ""). */
const occurrencesOf = (text: string, needle: string): number[] => {
  const found: number[] = [];
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + Math.max(needle.length, 1))) {
    found.push(index);
    if (index >= text.length) break;
  }
  return found;
};

const lineOf = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

type Resolved = { hostPath: string; shown: string; exists: boolean; isDirectory: boolean };

const resolvePath = async (context: ToolContext, userPath: string, command: string): Promise<Resolved> => {
  if (!userPath.startsWith("/")) {
    throw new ToolError(
      `Invalid \`path\` parameter: ${userPath}. The path should be an absolute path, starting with \`/\`: ${userPath} is not an absolute path. Maybe you meant ${path.posix.join(SANDBOX_WORKDIR, userPath)}?`,
    );
  }
  const resolved = await resolveWorkspacePath(context.sandbox.hostWorkspaceDir, userPath).catch((error: Error) => {
    throw new ToolError(`Invalid \`path\` parameter: ${userPath}. ${error.message}; only files under ${SANDBOX_WORKDIR} can be viewed or edited.`);
  });
  const stats = await statOrNull(resolved.hostPath);
  if (!stats && command !== "create") {
    throw new ToolError(`Invalid \`path\` parameter: ${userPath}. The path ${userPath} does not exist. Please provide a valid path.`);
  }
  if (stats && command === "create") {
    throw new ToolError(`Invalid \`path\` parameter: ${userPath}. File already exists at: ${userPath}. Cannot overwrite files using command \`create\`.`);
  }
  if (stats?.isDirectory() && command !== "view") {
    throw new ToolError(
      `Invalid \`path\` parameter: ${userPath}. The path ${userPath} is a directory and only the \`view\` command can be used on directories.`,
    );
  }
  if (stats && !stats.isDirectory() && !stats.isFile()) throw new ToolError(`Invalid \`path\` parameter: ${userPath}. It is not a regular file.`);
  if (stats && stats.isFile() && stats.size > MAX_FILE_BYTES) {
    throw new ToolError(`${userPath} is ${stats.size} bytes, too large for this tool (limit ${MAX_FILE_BYTES}). Use Bash (head, sed -n) to look at parts of it.`);
  }
  return { hostPath: resolved.hostPath, shown: userPath, exists: stats !== null, isDirectory: stats?.isDirectory() ?? false };
};

const readText = async (context: ToolContext, file: Resolved): Promise<string> => {
  const bytes = await readFile(file.hostPath);
  if (detectBinary(bytes)) throw new ToolError(`${file.shown} is a binary file (${describeBinary(bytes)}); it cannot be viewed or edited as text.`);
  const stats = await statOrNull(file.hostPath);
  if (stats) recordRead(context.readFiles, file.hostPath, stats);
  return bytes.toString("utf8");
};

const writeText = async (context: ToolContext, file: Resolved, content: string, previous: string | null) => {
  const history = sessionToolState(context).editHistory;
  const written = await writeWorkspaceFile(file.hostPath, content);
  recordRead(context.readFiles, file.hostPath, written);
  history.set(file.hostPath, [...(history.get(file.hostPath) ?? []), previous]);
};

/** `find <dir> -maxdepth 2 -not -path '*\/.*'`, sorted, plus how many hidden entries were left out. */
const listDirectory = async (file: Resolved): Promise<string> => {
  const lines: string[] = [file.shown];
  let hidden = 0;
  let cut = false;
  const visit = async (hostDir: string, shownDir: string, depth: number) => {
    const entries = await readdir(hostDir, { withFileTypes: true }).catch((): Dirent[] => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) {
        if (depth === 1) hidden++;
        continue;
      }
      if (lines.length >= MAX_LISTED_ENTRIES) {
        cut = true;
        return;
      }
      const shown = `${shownDir.replace(/\/$/, "")}/${entry.name}`;
      lines.push(shown);
      if (entry.isDirectory() && depth < 2) await visit(path.join(hostDir, entry.name), shown, depth + 1);
    }
  };
  await visit(file.hostPath, file.shown, 1);
  const notes: string[] = [];
  if (cut) notes.push(`(listing stopped at ${MAX_LISTED_ENTRIES} entries; view a subdirectory to see more)`);
  if (hidden > 0) {
    notes.push(`\n${hidden} hidden files/directories in this directory are excluded. You can use 'ls -la ${file.shown}' to see them.`);
  }
  return `Here's the files and directories up to 2 levels deep in ${file.shown}, excluding hidden items:\n${lines.join("\n")}\n${notes.join("\n")}`;
};

const view = async (context: ToolContext, file: Resolved, viewRange: number[] | null | undefined): Promise<string> => {
  if (file.isDirectory) {
    if (viewRange) throw new ToolError("The `view_range` parameter is not allowed when `path` points to a directory.");
    return listDirectory(file);
  }
  const content = await readText(context, file);
  if (!viewRange) return numbered(content, file.shown);
  if (viewRange.length !== 2) throw new ToolError("Invalid `view_range`. It should be a list of two integers.");
  const lines = content.split("\n");
  const [first, last] = viewRange as [number, number];
  const range = pythonList(viewRange);
  if (first < 1 || first > lines.length) {
    throw new ToolError(
      `Invalid \`view_range\`: ${range}. Its first element \`${first}\` should be within the range of lines of the file: ${pythonList([1, lines.length])}`,
    );
  }
  if (last > lines.length) {
    throw new ToolError(`Invalid \`view_range\`: ${range}. Its second element \`${last}\` should be smaller than the number of lines in the file: \`${lines.length}\``);
  }
  if (last !== -1 && last < first) {
    throw new ToolError(`Invalid \`view_range\`: ${range}. Its second element \`${last}\` should be greater than or equal to its first element \`${first}\``);
  }
  const shown = last === -1 ? lines.slice(first - 1) : lines.slice(first - 1, last);
  return numbered(shown.join("\n"), file.shown, first);
};

/** old/new as given, or with LF turned into CRLF when that is how the file stores line ends. */
const matchLineEndings = (content: string, oldStr: string, newStr: string) => {
  if (content.includes(oldStr) || !content.includes("\r\n") || !oldStr.includes("\n") || oldStr.includes("\r\n")) {
    return { oldStr, newStr };
  }
  return { oldStr: oldStr.replace(/\n/g, "\r\n"), newStr: newStr.replace(/\r?\n/g, "\r\n") };
};

const strReplace = async (context: ToolContext, file: Resolved, givenOld: string, givenNew: string): Promise<string> => {
  if (givenOld === givenNew) throw new ToolError("No replacement was performed. `new_str` and `old_str` must be different.");
  const content = await readText(context, file);
  const { oldStr, newStr } = matchLineEndings(content, givenOld, givenNew);
  const found = occurrencesOf(content, oldStr);
  if (found.length === 0) {
    throw new ToolError(`No replacement was performed, old_str \`${givenOld}\` did not appear verbatim in ${file.shown}.`);
  }
  if (found.length > 1) {
    const lines = [...new Set(found.map((offset) => lineOf(content, offset)))];
    throw new ToolError(
      `No replacement was performed. Multiple occurrences of old_str \`${givenOld}\` in lines ${pythonList(lines)}. Please ensure it is unique.`,
    );
  }
  const index = found[0]!;
  const updated = content.slice(0, index) + newStr + content.slice(index + oldStr.length);
  await writeText(context, file, updated, content);
  const replacementLine = lineOf(content, index) - 1;
  const start = Math.max(0, replacementLine - SNIPPET_LINES);
  const end = replacementLine + SNIPPET_LINES + newStr.split("\n").length - 1;
  const snippet = updated.split("\n").slice(start, end + 1).join("\n");
  return `The file ${file.shown} has been edited. ${numbered(snippet, `a snippet of ${file.shown}`, start + 1)}Review the changes and make sure they are as expected. Edit the file again if necessary.`;
};

const insert = async (context: ToolContext, file: Resolved, insertLine: number, newStr: string): Promise<string> => {
  const content = await readText(context, file);
  const lines = content.split("\n");
  if (insertLine < 0 || insertLine > lines.length) {
    throw new ToolError(
      `Invalid \`insert_line\` parameter: ${insertLine}. It should be within the range of allowed values: ${pythonList([0, lines.length])} (the lines of the file).`,
    );
  }
  // Offsets rather than split/join, so a CRLF file stays CRLF (inserted lines included).
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const newLines = newStr.split(/\r?\n/);
  const newText = newLines.join(eol);
  const updated = (() => {
    if (insertLine === 0) return newText + eol + content;
    if (insertLine === lines.length) return content + eol + newText;
    const offset = lines.slice(0, insertLine).join("\n").length + 1;
    return content.slice(0, offset) + newText + eol + content.slice(offset);
  })();
  await writeText(context, file, updated, content);
  const snippet = [...lines.slice(Math.max(0, insertLine - SNIPPET_LINES), insertLine), ...newLines, ...lines.slice(insertLine, insertLine + SNIPPET_LINES)];
  return `The file ${file.shown} has been edited. ${numbered(snippet.join("\n"), "a snippet of the edited file", Math.max(1, insertLine - SNIPPET_LINES + 1))}Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.`;
};

const undoEdit = async (context: ToolContext, file: Resolved): Promise<string> => {
  const history = sessionToolState(context).editHistory;
  const stack = history.get(file.hostPath) ?? [];
  if (stack.length === 0) throw new ToolError(`No edit history found for ${file.shown}.`);
  const previous = stack[stack.length - 1]!;
  history.set(file.hostPath, stack.slice(0, -1));
  if (previous === null) {
    await rm(file.hostPath, { force: true });
    context.readFiles.delete(file.hostPath);
    return `Last edit to ${file.shown} undone successfully: it had created the file, which is now removed.`;
  }
  const written = await writeWorkspaceFile(file.hostPath, previous);
  recordRead(context.readFiles, file.hostPath, written);
  return `Last edit to ${file.shown} undone successfully. ${numbered(previous, file.shown)}`;
};

export const textEditorTool = defineTool({
  name: "str_replace_based_edit_tool",
  description: textEditorDescription,
  inputSchema: z.object({
    command: z.enum(commands).describe("The command to run: view, create, str_replace, insert or undo_edit"),
    path: z.string().describe("Absolute path of the file or directory, under /workspace, e.g. /workspace/src/app.py"),
    file_text: z.string().nullish().describe("create: the content of the new file"),
    old_str: z.string().nullish().describe("str_replace: the exact text to replace; it must occur exactly once in the file"),
    new_str: z.string().nullish().describe("str_replace: the replacement text (empty to delete); insert: the text to insert"),
    insert_line: z.number().int().nullish().describe("insert: the line after which new_str is inserted (0 inserts at the top)"),
    view_range: z
      .array(z.number().int())
      .nullish()
      .describe("view: [first, last] line numbers to show (1-based, inclusive; last -1 means to the end of the file)"),
  }),
  readOnly: false,
  permissionKey: (input) => input.path,
  run: async (input, context) => {
    const file = await resolvePath(context, input.path, input.command);
    const output = await (async () => {
      switch (input.command) {
        case "view":
          return view(context, file, input.view_range);
        case "create": {
          if (input.file_text === undefined || input.file_text === null) throw new ToolError("Parameter `file_text` is required for command: create");
          await writeText(context, file, input.file_text, null);
          return `File created successfully at: ${file.shown}`;
        }
        case "str_replace":
          if (input.old_str === undefined || input.old_str === null) throw new ToolError("Parameter `old_str` is required for command: str_replace");
          return strReplace(context, file, input.old_str, input.new_str ?? "");
        case "insert":
          if (input.insert_line === undefined || input.insert_line === null) throw new ToolError("Parameter `insert_line` is required for command: insert");
          if (input.new_str === undefined || input.new_str === null) throw new ToolError("Parameter `new_str` is required for command: insert");
          return insert(context, file, input.insert_line, input.new_str);
        case "undo_edit":
          return undoEdit(context, file);
      }
    })();
    const bounded = truncateOutput(output, context.limits.maxOutputChars);
    return {
      output: bounded.text,
      isError: false,
      metadata: { command: input.command, path: input.path, truncated: bounded.truncated },
    };
  },
});
