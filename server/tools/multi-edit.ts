// MultiEdit: several exact-string edits to one workspace file, applied in order on the result of
// the previous one, all or nothing; the same core and read-before-write rule as Edit.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";
import { applyEdit, snippetAround } from "./edit";
import { assertFreshRead, recordRead, statOrNull, writeWorkspaceFile } from "./file-state";
import { multiEditDescription } from "./multi-edit.description";
import { defineTool, ToolError } from "./tool";

const MAX_SNIPPET_CHARS = 4000;

const firstDifference = (before: string, after: string) => {
  let index = 0;
  while (index < before.length && index < after.length && before[index] === after[index]) index++;
  return index;
};

export const multiEditTool = defineTool({
  name: "MultiEdit",
  description: multiEditDescription,
  inputSchema: z.object({
    file_path: z.string().min(1).describe("Path of the file, absolute under /workspace or relative to it"),
    edits: z
      .array(
        z.object({
          old_string: z.string().describe("The exact text to replace"),
          new_string: z.string().describe("The text to put in its place"),
          replace_all: z.boolean().optional().describe("Replace every occurrence (default false)"),
        }),
      )
      .min(1)
      .describe("Edits applied in order, each to the result of the previous one; if any fails, none is applied"),
  }),
  readOnly: false,
  permissionKey: (input) => input.file_path,
  run: async (input, context) => {
    const { hostPath, sandboxPath } = await resolveWorkspacePath(context.sandbox.hostWorkspaceDir, input.file_path).catch(
      (error: Error) => {
        throw new ToolError(error.message);
      },
    );
    const existing = await statOrNull(hostPath);
    const [first, ...rest] = input.edits;
    // Like Edit: an empty first old_string creates a missing (or empty) file.
    const creates = first!.old_string === "" && (!existing || existing.size === 0);
    if (existing && !existing.isFile()) throw new ToolError(`${sandboxPath} is not a regular file.`);
    if (!existing && !creates) throw new ToolError(`File ${sandboxPath} does not exist.`);
    if (existing) assertFreshRead(context.readFiles, hostPath, sandboxPath, existing);

    const original = existing ? await readFile(hostPath, "utf8") : "";
    let content = creates ? first!.new_string : original;
    let replacements = 0;
    const pending = creates ? rest : input.edits;
    const offset = creates ? 2 : 1;
    for (const [index, edit] of pending.entries()) {
      try {
        const applied = applyEdit(content, edit, sandboxPath);
        content = applied.updated;
        replacements += applied.replaced;
      } catch (error) {
        if (!(error instanceof ToolError)) throw error;
        throw new ToolError(`Edit ${index + offset} of ${input.edits.length} failed, so no edit was applied: ${error.message}`);
      }
    }
    const written = await writeWorkspaceFile(hostPath, content);
    recordRead(context.readFiles, hostPath, written);
    const snippet = snippetAround(content, firstDifference(original, content), 0).slice(0, MAX_SNIPPET_CHARS);
    return {
      output: `${creates ? "Created" : "Edited"} ${sandboxPath}: applied ${input.edits.length} edit${input.edits.length === 1 ? "" : "s"} (${replacements} replacement${replacements === 1 ? "" : "s"}).\n${snippet}`,
      isError: false,
      metadata: { path: sandboxPath, edits: input.edits.length, replacements, created: creates },
    };
  },
});
