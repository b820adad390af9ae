// Prepares a session's workspace on the host: an empty git repository or a clone, and records the
// base commit the review diff is taken against. Runs before any agent code touches the directory,
// so running host git here is safe (later git runs happen inside the sandbox, see diff.ts).
import { execFile } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const CLONE_TIMEOUT_MS = 10 * 60_000;
const SANDBOX_OWNER = "1000:1000";

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

  if (source.kind === "empty") {
    await git(["init", "-q", "-b", "main"], dir);
    await git(["commit", "-q", "--allow-empty", "-m", "Initial commit"], dir);
  } else {
    const url = source.url.trim();
    if (url === "" || url.startsWith("-")) throw new WorkspaceInitError(`Not a repository URL: ${JSON.stringify(source.url)}`);
    // --no-recurse-submodules, no hooks run on clone; the sandbox has no network, so clone here.
    await git(["clone", "-q", "--no-recurse-submodules", "--", url, "."], dir, CLONE_TIMEOUT_MS).catch((error: Error) => {
      throw new WorkspaceInitError(error.message.replace(/^git clone failed/, `Cloning ${url} failed`), { cause: error });
    });
  }
  // Commits the agent makes inside the sandbox need an identity.
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
