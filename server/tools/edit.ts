// Edit: exact string replacement in a workspace file, host-side, with the read-before-edit rule.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";
import { editDescription } from "./edit.description";
import { assertFreshRead, recordRead, statOrNull, writeWorkspaceFile } from "./file-state";
import { defineTool, ToolError } from "./tool";

const countOccurrences = (text: string, needle: string) => {
  let count = 0;
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + needle.length)) count++;
  return count;
};

export type StringEdit = { old_string: string; new_string: string; replace_all?: boolean };

/**
 * Applies one exact-string edit to `content` (the core of Edit and MultiEdit); throws a ToolError
 * the model can act on when old_string is missing or ambiguous.
 */
export const applyEdit = (content: string, edit: StringEdit, sandboxPath: string) => {
  if (edit.old_string === edit.new_string) {
    throw new ToolError("old_string and new_string are the same; there is nothing to change.");
  }
  const count = countOccurrences(content, edit.old_string);
  if (count === 0) {
    throw new ToolError(
      `old_string was not found in ${sandboxPath}. It must match exactly, including whitespace and indentation; Read the file again if unsure.`,
    );
  }
  if (count > 1 && !edit.replace_all) {
    throw new ToolError(
      `old_string was found ${count} times in ${sandboxPath}. Provide more surrounding context to make it unique, or set replace_all to replace every occurrence.`,
    );
  }
  const firstIndex = content.indexOf(edit.old_string);
  // split/join rather than String.replace: no `$&`-style patterns in new_string.
  const updated = edit.replace_all
    ? content.split(edit.old_string).join(edit.new_string)
    : content.slice(0, firstIndex) + edit.new_string + content.slice(firstIndex + edit.old_string.length);
  return { updated, firstIndex, replaced: edit.replace_all ? count : 1 };
};

/** A few numbered lines around the first change, so the model sees the result without re-reading. */
export const snippetAround = (content: string, index: number, length: number) => {
  const lines = content.split("\n");
  const firstLine = content.slice(0, index).split("\n").length;
  const lastLine = firstLine + content.slice(index, index + length).split("\n").length - 1;
  const from = Math.max(1, firstLine - 3);
  const to = Math.min(lines.length, lastLine + 3);
  return lines
    .slice(from - 1, to)
    .map((line, offset) => `${String(from + offset).padStart(6)}\t${line}`)
    .join("\n");
};

export const editTool = defineTool({
  name: "Edit",
  description: editDescription,
  inputSchema: z.object({
    file_path: z.string().min(1).describe("Path of the file, absolute under /workspace or relative to it"),
    old_string: z.string().describe("The exact text to replace"),
    new_string: z.string().describe("The text to put in its place"),
    replace_all: z.boolean().optional().describe("Replace every occurrence (default false)"),
  }),
  readOnly: false,
  permissionKey: (input) => input.file_path,
  run: async (input, context) => {
    if (input.old_string === input.new_string) {
      throw new ToolError("old_string and new_string are the same; there is nothing to change.");
    }
    const { hostPath, sandboxPath } = await resolveWorkspacePath(context.sandbox.hostWorkspaceDir, input.file_path).catch(
      (error: Error) => {
        throw new ToolError(error.message);
      },
    );
    const existing = await statOrNull(hostPath);

    if (input.old_string === "") {
      if (existing && existing.size > 0) {
        throw new ToolError(`old_string is empty but ${sandboxPath} already has content. Give the text to replace, or use Write.`);
      }
      if (existing) assertFreshRead(context.readFiles, hostPath, sandboxPath, existing);
      const written = await writeWorkspaceFile(hostPath, input.new_string);
      recordRead(context.readFiles, hostPath, written);
      return { output: `Created ${sandboxPath}.`, isError: false, metadata: { path: sandboxPath, created: true } };
    }

    if (!existing) throw new ToolError(`File ${sandboxPath} does not exist.`);
    if (!existing.isFile()) throw new ToolError(`${sandboxPath} is not a regular file.`);
    assertFreshRead(context.readFiles, hostPath, sandboxPath, existing);

    const content = await readFile(hostPath, "utf8");
    const { updated, firstIndex, replaced } = applyEdit(content, input, sandboxPath);
    const written = await writeWorkspaceFile(hostPath, updated);
    recordRead(context.readFiles, hostPath, written);
    return {
      output: `Edited ${sandboxPath}: replaced ${replaced} occurrence${replaced === 1 ? "" : "s"}.\n${snippetAround(updated, firstIndex, input.new_string.length)}`,
      isError: false,
      metadata: { path: sandboxPath, replacements: replaced },
    };
  },
});
