// Bash: runs a command with `bash -c` in the sandbox. The working directory persists between calls:
// an EXIT trap prints $PWD after a per-call marker on stdout, which the tool strips from the output.
import { randomUUID } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { startBackgroundShell } from "./background-shells";
import { bashDescription } from "./bash.description";
import { defineTool } from "./tool";
import { describeBinary, detectBinary, truncateOutput } from "./truncate";

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_TIMEOUT_MS = 600_000;

// $1 = the directory to start in, $2 = the command. The command is eval'ed in this shell so that
// `cd` changes the $PWD the trap reports, even when it is followed by a failure or an `exit`.
// The marker line goes out in one write (printf with several arguments writes piecemeal), so
// stderr output can never land between its leading newline and the rest.
const script = (marker: string) => `
exec 197>&1
__pincer_report_cwd() { __pincer_rc=$?; __pincer_line=$'\\n''${marker}'"$PWD"$'\\n'; printf '%s' "$__pincer_line" >&197; exit $__pincer_rc; }
trap __pincer_report_cwd EXIT
cd -- "$1" 2>/dev/null || { printf 'Note: the working directory %s no longer exists; running in /workspace\\n' "$1" >&2; cd /workspace; }
__pincer_command=$2
set --
eval "$__pincer_command"`;

/** Streams stdout through while holding back anything that could be the start of the marker. */
class MarkerStripper {
  private pending = "";
  private done = false;
  private cwdBuffer = "";
  cwd: string | undefined;
  private readonly needle: string;

  constructor(marker: string) {
    this.needle = `\n${marker}`;
  }

  /** Returns the text that is safe to pass on. */
  push(text: string): string {
    if (this.done) return this.afterMarker(text);
    this.pending += text;
    const found = this.pending.indexOf(this.needle);
    if (found !== -1) {
      const before = this.pending.slice(0, found);
      const rest = this.pending.slice(found + this.needle.length);
      this.pending = "";
      this.done = true;
      return before + this.afterMarker(rest);
    }
    // Keep the longest suffix that is a prefix of the needle.
    for (let keep = Math.min(this.needle.length - 1, this.pending.length); keep > 0; keep--) {
      if (this.needle.startsWith(this.pending.slice(this.pending.length - keep))) {
        const out = this.pending.slice(0, this.pending.length - keep);
        this.pending = this.pending.slice(this.pending.length - keep);
        return out;
      }
    }
    const out = this.pending;
    this.pending = "";
    return out;
  }

  private afterMarker(text: string): string {
    if (this.cwd !== undefined) return text;
    this.cwdBuffer += text;
    const newline = this.cwdBuffer.indexOf("\n");
    if (newline === -1) return "";
    this.cwd = this.cwdBuffer.slice(0, newline);
    return this.cwdBuffer.slice(newline + 1);
  }

  /** What is left at the end (a partial marker that never completed is real output). */
  flush(): string {
    const out = this.pending;
    this.pending = "";
    return out;
  }
}

/** Collects combined output bytes, keeping the head and tail when it grows past the bound. */
class OutputCollector {
  private head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  total = 0;
  constructor(private readonly keepBytes: number) {}

  push(chunk: Buffer) {
    this.total += chunk.length;
    const room = this.keepBytes - this.headSize;
    if (room > 0) {
      this.head.push(chunk.subarray(0, room));
      this.headSize += Math.min(room, chunk.length);
      chunk = chunk.subarray(room);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailSize += chunk.length;
    if (this.tailSize > this.keepBytes * 2) {
      const joined = Buffer.concat(this.tail).subarray(-this.keepBytes);
      this.tail = [Buffer.from(joined)];
      this.tailSize = joined.length;
    }
  }

  headBytes = () => Buffer.concat(this.head);
  cutBytes = () => Math.max(0, this.total - this.headSize - this.keepBytes);

  text(): string {
    const tail = Buffer.concat(this.tail).subarray(-this.keepBytes);
    const cut = this.total - this.headSize - tail.length;
    const headText = this.headBytes().toString("utf8");
    if (cut === 0) return headText + tail.toString("utf8");
    return `${headText}\n[... ${cut} bytes cut ...]\n${tail.toString("utf8")}`;
  }
}

export const bashTool = defineTool({
  name: "Bash",
  description: bashDescription,
  inputSchema: z.object({
    command: z.string().min(1).describe("The command to run"),
    timeout: z.number().int().positive().max(MAX_TIMEOUT_MS).optional().describe("Timeout in milliseconds (max 600000)"),
    description: z.string().optional().describe("What the command does, in 5-10 words"),
    run_in_background: z
      .boolean()
      .optional()
      .describe("Start the command in the background and return at once; read its output with BashOutput, stop it with KillShell"),
  }),
  readOnly: false,
  permissionKey: (input) => input.command,
  run: async (input, context) => {
    if (input.run_in_background) {
      const shell = await startBackgroundShell(context, input.command);
      return {
        output: `Started in the background as ${shell.id} (in ${context.shell.cwd}). Read its output with BashOutput (bash_id "${shell.id}"); stop it with KillShell.`,
        isError: false,
        metadata: { background: true, bashId: shell.id, cwd: context.shell.cwd },
      };
    }
    // randomUUID draws from a cached entropy pool; randomBytes asks the system each call.
    const marker = `__PINCER_CWD_${randomUUID().replaceAll("-", "")}__`;
    const stripper = new MarkerStripper(marker);
    const collector = new OutputCollector(context.limits.maxOutputChars * 2);
    // The stripper works on latin1 strings (one char per byte) so the bytes pass through exactly;
    // the UI stream gets UTF-8 decoded text.
    const liveDecoder = new StringDecoder("utf8");
    const timeoutMs = input.timeout ?? DEFAULT_TIMEOUT_MS;
    const emit = (bytes: Buffer) => {
      if (bytes.length === 0) return;
      collector.push(bytes);
      const text = liveDecoder.write(bytes);
      if (text !== "") context.onOutput?.(text);
    };
    const emitStdout = (text: string) => emit(Buffer.from(text, "latin1"));

    const result = await context.sandbox.exec({
      cmd: ["bash", "-c", script(marker), "pincer-bash", context.shell.cwd, input.command],
      timeoutMs,
      signal: context.signal,
      onStdout: (chunk) => emitStdout(stripper.push(chunk.toString("latin1"))),
      onStderr: (chunk) => {
        // The marker is written in one piece at exit, so stdout held back when stderr arrives is
        // ordinary output: pass it on first to keep the order.
        emitStdout(stripper.flush());
        emit(chunk);
      },
    });
    emitStdout(stripper.flush());
    const rest = liveDecoder.end();
    if (rest !== "") context.onOutput?.(rest);

    if (stripper.cwd) context.shell.cwd = stripper.cwd;
    const exitCode = result.exitCode;
    const metadata: Record<string, unknown> = {
      exitCode,
      cwd: context.shell.cwd,
      timedOut: result.timedOut,
      aborted: result.aborted,
      durationMs: result.durationMs,
      outputBytes: collector.total,
    };

    const head = collector.headBytes();
    const isBinary = detectBinary(head);
    const body = isBinary
      ? `(binary output not shown: ${describeBinary(head, collector.total)})`
      : collector.text();
    const bounded = truncateOutput(body, context.limits.maxOutputChars);
    metadata.truncated = bounded.truncated || collector.cutBytes() > 0;

    const notes: string[] = [];
    if (result.timedOut) notes.push(`[command timed out after ${timeoutMs} ms and was killed]`);
    if (result.aborted) notes.push("[command was interrupted]");
    if (!result.timedOut && !result.aborted && exitCode !== 0) notes.push(`[exit code ${exitCode ?? "unknown"}]`);
    const output = [bounded.text.replace(/\n$/, ""), ...notes].filter((part) => part !== "").join("\n");
    return {
      output: output === "" ? "(no output)" : output,
      // A non-zero exit is information (grep found nothing), not a failed tool call.
      isError: result.timedOut || result.aborted,
      metadata,
    };
  },
});
