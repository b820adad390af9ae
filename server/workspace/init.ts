// Prepares a session's workspace on the host: an empty git repository or a clone, and records the
// base commit the review diff is taken against. Runs before any agent code touches the directory,
// so running host git here is safe (later git runs happen inside the sandbox, see diff.ts).
import { execFile } from "node:child_process";
import { appendFile, lchown, mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const CLONE_TIMEOUT_MS = 10 * 60_000;
const SANDBOX_OWNER = "1000:1000";
const SANDBOX_UID = 1000;
/** Commits the agent makes inside the sandbox need an identity. */
const IDENTITY_CONFIG = "[user]\n\tname = Pincer\n\temail = pincer@localhost\n";

export type WorkspaceSource = { kind: "empty" } | { kind: "git"; url: string };

export class WorkspaceInitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorkspaceInitError";
  }
}

// No prompts for credentials, no system/global config (hooks, helpers) from the server's user.
const gitEnv = () => ({
  ...process.env,
  GIT_TERMINAL_PROMPT: "0",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Pincer",
  GIT_AUTHOR_EMAIL: "pincer@localhost",
  GIT_COMMITTER_NAME: "Pincer",
  GIT_COMMITTER_EMAIL: "pincer@localhost",
});

const git = async (args: string[], cwd: string, timeout = 60_000) => {
  try {
    const { stdout } = await execFileAsync("git", args, { cwd, env: gitEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const failure = error as Error & { stderr?: string; killed?: boolean };
    const detail = failure.killed ? `timed out after ${Math.round(timeout / 1000)} s` : (failure.stderr?.trim() || failure.message);
    throw new WorkspaceInitError(`git ${args[0]} failed: ${detail}`, { cause: error });
  }
};

export const initWorkspace = async (dir: string, source: WorkspaceSource): Promise<{ baseCommit: string }> => {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new WorkspaceInitError(`The workspace directory ${dir} is not empty.`);
  return source.kind === "empty" ? initEmpty(dir) : initClone(dir, source.url);
};

/**
 * Two git processes, not six: each costs ~10 ms to start, and a warm session's start to first
 * output is mostly this (bench/sandbox.ts session_start_warm_ms_p50). No hook samples either.
 */
const initEmpty = async (dir: string) => {
  await git(["init", "-q", "-b", "main", "--template="], dir);
  await appendFile(path.join(dir, ".git", "config"), IDENTITY_CONFIG);
  await git(["commit", "-q", "--allow-empty", "-m", "Initial commit"], dir);
  const baseCommit = (await readFile(path.join(dir, ".git", "refs", "heads", "main"), "utf8")).trim();
  if (process.getuid?.() === 0) await chownTree(dir);
  return { baseCommit };
};

const initClone = async (dir: string, source: string) => {
  const url = source.trim();
  if (url === "" || url.startsWith("-")) throw new WorkspaceInitError(`Not a repository URL: ${JSON.stringify(source)}`);
  // --no-recurse-submodules, no hooks run on clone; the sandbox has no network, so clone here.
  await git(["clone", "-q", "--no-recurse-submodules", "--", url, "."], dir, CLONE_TIMEOUT_MS).catch((error: Error) => {
    throw new WorkspaceInitError(error.message.replace(/^git clone failed/, `Cloning ${url} failed`), { cause: error });
  });
  await git(["config", "user.name", "Pincer"], dir);
  await git(["config", "user.email", "pincer@localhost"], dir);
  const baseCommit = await git(["rev-parse", "HEAD"], dir).catch((error: Error) => {
    throw new WorkspaceInitError(`The repository has no commit to start from (${error.message})`, { cause: error });
  });
  if (process.getuid?.() === 0) {
    await execFileAsync("chown", ["-R", SANDBOX_OWNER, dir]).catch((error: Error) => {
      throw new WorkspaceInitError(`Could not hand the workspace to the sandbox user: ${error.message}`, { cause: error });
    });
  }
  return { baseCommit };
};

/** chown -R to the sandbox user for a small tree (a fresh repository), without a process. */
const chownTree = async (dir: string) => {
  const entries = await readdir(dir, { recursive: true });
  await Promise.all([dir, ...entries.map((entry) => path.join(dir, entry))].map((entry) => lchown(entry, SANDBOX_UID, SANDBOX_UID))).catch((error: Error) => {
    throw new WorkspaceInitError(`Could not hand the workspace to the sandbox user: ${error.message}`, { cause: error });
  });
};
