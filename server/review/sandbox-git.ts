// Runs a git script inside the session's sandbox. The workspace repository is agent-controlled, so
// git never runs on it from the host (its config could make a host git run code).
import type { Sandbox } from "../sandbox/sandbox";

const GIT_TIMEOUT_MS = 120_000;

/** Commits Pincer writes (checkpoints, review commits) need an identity whatever the repo says. */
export const gitIdentityEnv = {
  GIT_AUTHOR_NAME: "Pincer",
  GIT_AUTHOR_EMAIL: "pincer@localhost",
  GIT_COMMITTER_NAME: "Pincer",
  GIT_COMMITTER_EMAIL: "pincer@localhost",
};

export class SandboxGitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "SandboxGitError";
  }
}

export type SandboxGitRun = {
  script: string;
  args?: string[];
  env?: Record<string, string>;
  stdin?: string | Buffer;
  onStdout?: (chunk: Buffer) => void;
  timeoutMs?: number;
  /** Starts the error message: "<what> failed: <git's message>". */
  what: string;
};

/** Runs `sh -c script` in /workspace; resolves to stdout, throws SandboxGitError with git's message. */
export const runSandboxGit = async (sandbox: Sandbox, run: SandboxGitRun): Promise<string> => {
  const timeoutMs = run.timeoutMs ?? GIT_TIMEOUT_MS;
  // The exec result keeps a bounded copy of stdout; collect every byte here instead.
  const chunks: Buffer[] = [];
  const result = await sandbox.exec({
    cmd: ["sh", "-c", run.script, "pincer-git", ...(run.args ?? [])],
    cwd: sandbox.workdir,
    env: run.env,
    stdin: run.stdin,
    timeoutMs,
    onStdout: run.onStdout ?? ((chunk) => chunks.push(Buffer.from(chunk))),
  });
  const stderr = result.stderr.toString("utf8").trim();
  if (result.timedOut) throw new SandboxGitError(`${run.what} timed out after ${timeoutMs / 1000} s.`, null, stderr);
  if (result.exitCode !== 0) {
    throw new SandboxGitError(`${run.what} failed: ${stderr || `git exited with code ${result.exitCode}`}`, result.exitCode, stderr);
  }
  return Buffer.concat(chunks).toString("utf8");
};
