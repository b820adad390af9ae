// Write: creates or overwrites a workspace file host-side; overwriting needs a fresh Read.
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";
import { assertFreshRead, recordRead, statOrNull, writeWorkspaceFile } from "./file-state";
import { defineTool, ToolError } from "./tool";
import { writeDescription } from "./write.description";

export const writeTool = defineTool({
  name: "Write",
  description: writeDescription,
  inputSchema: z.object({
    file_path: z.string().min(1).describe("Path of the file, absolute under /workspace or relative to it"),
    content: z.string().describe("The complete new content of the file"),
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
    if (existing?.isDirectory()) throw new ToolError(`${sandboxPath} is a directory.`);
    if (existing && !existing.isFile()) throw new ToolError(`${sandboxPath} is not a regular file.`);
    if (existing) assertFreshRead(context.readFiles, hostPath, sandboxPath, existing);

    const written = await writeWorkspaceFile(hostPath, input.content);
    recordRead(context.readFiles, hostPath, written);
    const lines = input.content === "" ? 0 : input.content.split("\n").length;
    return {
      output: `${existing ? "Overwrote" : "Created"} ${sandboxPath} (${lines} lines, ${written.size} bytes).`,
      isError: false,
      metadata: { path: sandboxPath, created: !existing, bytes: written.size },
    };
  },
});
