// BashOutput: the new output of a background shell since the last read, and whether it still runs.
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { findBackgroundShell, readBackgroundShell } from "./background-shells";
import { bashOutputDescription } from "./bash-output.description";
import { defineTool, ToolError } from "./tool";
import { describeBinary, detectBinary, truncateOutput } from "./truncate";

const statusLine = (status: string, exitCode: number | null | undefined) => {
  if (status === "exited") return `Status: exited with code ${exitCode ?? "unknown"}`;
  if (status === "killed") return "Status: killed (KillShell)";
  if (status === "gone") return "Status: ended without an exit code (the sandbox may have restarted)";
  return "Status: running";
};

export const bashOutputTool = defineTool({
  name: "BashOutput",
  description: bashOutputDescription,
  inputSchema: z.object({
    bash_id: z.string().min(1).describe("The id Bash returned when it started the background command"),
    filter: z.string().optional().describe("Regular expression: only new lines that match it are shown (the others are consumed too)"),
  }),
  readOnly: true,
  permissionKey: (input) => input.bash_id,
  run: async (input, context) => {
    const shell = findBackgroundShell(context, input.bash_id);
    const filter = (() => {
      if (input.filter === undefined) return null;
      try {
        return new RegExp(input.filter);
      } catch (error) {
        throw new ToolError(`filter is not a valid regular expression: ${(error as Error).message}`);
      }
    })();
    const read = await readBackgroundShell(context, shell);
    const parts = [statusLine(read.status, read.exitCode)];
    if (read.skippedBytes > 0) parts.push(`[... ${read.skippedBytes} earlier bytes of new output skipped ...]`);
    if (read.output.length === 0) parts.push("(no new output)");
    else if (detectBinary(read.output)) parts.push(`(binary output not shown: ${describeBinary(read.output)})`);
    else {
      const text = new StringDecoder("utf8").end(read.output).replace(/\n$/, "");
      const lines = filter ? text.split("\n").filter((line) => filter.test(line)) : [text];
      parts.push(filter && lines.length === 0 ? "(no new lines match the filter)" : lines.join("\n"));
    }
    const bounded = truncateOutput(parts.join("\n"), context.limits.maxOutputChars);
    return {
      output: bounded.text,
      isError: false,
      metadata: { bashId: shell.id, status: read.status, exitCode: read.exitCode, newBytes: read.output.length + read.skippedBytes, truncated: bounded.truncated },
    };
  },
});
