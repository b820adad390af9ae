// Background runs of the Bash tool: the command starts detached in its own process group inside the
// sandbox, its combined output goes to /tmp/.pincer/bg/<id>.log, and its pgid and (once it ends)
// exit code to files beside it. BashOutput reads the log incrementally; KillShell signals the group.
import { randomBytes } from "node:crypto";
import type { BackgroundShell } from "./session-state";
import { sessionToolState } from "./session-state";
import { ToolError, type ToolContext } from "./tool";

const BG_DIR = "/tmp/.pincer/bg";
const HELPER_TIMEOUT_MS = 15_000;
const MAX_RUNNING = 16;
/** New output past this is read from its end; the skipped bytes are stated. */
export const MAX_READ_BYTES = 1024 * 1024;

// $1 cwd, $2 command, $3 pgid file, $4 log, $5 exit file. setsid makes the inner bash the leader
// of a new session and process group; every fd points at files so the exec returns at once. The
// EXIT trap records the exit code even when the command itself calls `exit`.
const startScript = `
mkdir -p ${BG_DIR}
cd -- "$1" 2>/dev/null || cd /workspace
setsid bash -c '__cmd=$1 __pg=$2 __ex=$4; set --; __done() { echo $? > "$__ex"; }; trap __done EXIT; echo $$ > "$__pg"; eval "$__cmd"' pincer-bg "$2" "$3" "$4" "$5" > "$4" 2>&1 < /dev/null &
for _ in $(seq 1 100); do [ -s "$3" ] && break; sleep 0.01; done
cat "$3"`;

// $1 pgid file, $2 log, $3 exit file, $4 offset. Prints the status line, the log size, then the
// new bytes (at most MAX_READ_BYTES, from the end). Status first: once "exited", the size is final.
const readScript = `
if [ -f "$3" ]; then st="exited $(cat "$3")"
elif p=$(cat "$1" 2>/dev/null) && kill -0 -- "-$p" 2>/dev/null; then st=running
else st=gone; fi
size=$(stat -c %s "$2" 2>/dev/null || echo 0)
printf '%s\\n%s\\n' "$st" "$size"
new=$((size - $4))
[ "$new" -gt 0 ] || exit 0
skip=0; [ "$new" -gt ${MAX_READ_BYTES} ] && skip=$((new - ${MAX_READ_BYTES}))
tail -c +$(($4 + skip + 1)) "$2" | head -c $((new - skip))`;

// $1 pgid file: TERM the group, then KILL whatever is left after a moment.
const killScript = `
p=$(cat "$1" 2>/dev/null) || exit 3
kill -0 -- "-$p" 2>/dev/null || exit 4
kill -TERM -- "-$p" 2>/dev/null
for _ in $(seq 1 20); do kill -0 -- "-$p" 2>/dev/null || exit 0; sleep 0.05; done
kill -KILL -- "-$p" 2>/dev/null
exit 0`;

const runHelper = async (context: ToolContext, script: string, args: string[]) => {
  const result = await context.sandbox.exec({ cmd: ["bash", "-c", script, "pincer-bg-helper", ...args], timeoutMs: HELPER_TIMEOUT_MS, signal: context.signal });
  if (result.timedOut || result.aborted) throw new ToolError("The sandbox did not answer in time.");
  return result;
};

export const startBackgroundShell = async (context: ToolContext, command: string): Promise<BackgroundShell> => {
  const shells = sessionToolState(context).backgroundShells;
  const running = [...shells.values()].filter((shell) => shell.exitCode === undefined && !shell.killed);
  if (running.length >= MAX_RUNNING) {
    throw new ToolError(`${running.length} background shells are already running; stop some with KillShell first.`);
  }
  const id = `bash_${randomBytes(4).toString("hex")}`;
  const shell: BackgroundShell = {
    id,
    command,
    logPath: `${BG_DIR}/${id}.log`,
    pgidPath: `${BG_DIR}/${id}.pgid`,
    exitPath: `${BG_DIR}/${id}.exit`,
    readOffset: 0,
    startedAt: Date.now(),
  };
  const result = await runHelper(context, startScript, [context.shell.cwd, command, shell.pgidPath, shell.logPath, shell.exitPath]);
  if (result.exitCode !== 0 || !/^\d+$/.test(result.stdout.toString().trim())) {
    throw new ToolError(`The background command could not be started: ${result.stderr.toString().trim() || `exit code ${result.exitCode}`}`);
  }
  shells.set(id, shell);
  return shell;
};

export const findBackgroundShell = (context: ToolContext, id: string): BackgroundShell => {
  const shells = sessionToolState(context).backgroundShells;
  const shell = shells.get(id);
  if (shell) return shell;
  const known = [...shells.keys()].join(", ");
  throw new ToolError(`No background shell ${id} in this session.${known ? ` Known: ${known}.` : " Start one with Bash and run_in_background: true."}`);
};

export type BackgroundRead = { status: "running" | "exited" | "killed" | "gone"; exitCode?: number | null; output: Buffer; skippedBytes: number };

/** New output since the last read (and moves the read offset past it). */
export const readBackgroundShell = async (context: ToolContext, shell: BackgroundShell): Promise<BackgroundRead> => {
  const result = await runHelper(context, readScript, [shell.pgidPath, shell.logPath, shell.exitPath, String(shell.readOffset)]);
  const stdout = result.stdout;
  const firstBreak = stdout.indexOf(10);
  const secondBreak = stdout.indexOf(10, firstBreak + 1);
  if (firstBreak === -1 || secondBreak === -1) throw new ToolError(`Reading the background shell failed: ${result.stderr.toString().trim()}`);
  const statusLine = stdout.subarray(0, firstBreak).toString();
  const size = Number(stdout.subarray(firstBreak + 1, secondBreak).toString());
  const output = stdout.subarray(secondBreak + 1);
  const skippedBytes = Math.max(0, size - shell.readOffset - output.length);
  shell.readOffset = Math.max(shell.readOffset, size);
  if (shell.killed) return { status: "killed", output, skippedBytes };
  if (statusLine.startsWith("exited")) {
    const code = Number(statusLine.slice("exited ".length));
    shell.exitCode = Number.isFinite(code) ? code : null;
    return { status: "exited", exitCode: shell.exitCode, output, skippedBytes };
  }
  return { status: statusLine === "running" ? "running" : "gone", output, skippedBytes };
};

/** Stops the shell's process group; false when it had already ended. */
export const killBackgroundShell = async (context: ToolContext, shell: BackgroundShell): Promise<boolean> => {
  const result = await runHelper(context, killScript, [shell.pgidPath]);
  if (result.exitCode !== 0) return false;
  shell.killed = true;
  return true;
};
