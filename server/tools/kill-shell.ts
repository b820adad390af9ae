// KillShell: stops a background shell (its whole process group) started by Bash.
import { z } from "zod";
import { findBackgroundShell, killBackgroundShell } from "./background-shells";
import { killShellDescription } from "./kill-shell.description";
import { defineTool } from "./tool";

export const killShellTool = defineTool({
  name: "KillShell",
  description: killShellDescription,
  inputSchema: z.object({
    shell_id: z.string().min(1).describe("The id of the background shell to stop"),
  }),
  readOnly: false,
  permissionKey: (input) => input.shell_id,
  run: async (input, context) => {
    const shell = findBackgroundShell(context, input.shell_id);
    if (shell.killed) return { output: `Background shell ${shell.id} was already killed.`, isError: false, metadata: { shellId: shell.id, killed: false } };
    const killed = await killBackgroundShell(context, shell);
    if (!killed) {
      return {
        output: `Background shell ${shell.id} had already ended; nothing to kill. Use BashOutput to see its last output and exit code.`,
        isError: false,
        metadata: { shellId: shell.id, killed: false },
      };
    }
    return { output: `Killed background shell ${shell.id} (${shell.command}).`, isError: false, metadata: { shellId: shell.id, killed: true } };
  },
});
