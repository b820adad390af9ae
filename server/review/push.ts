// Push a branch to the session's remote without the agent ever seeing the credential, and without
// running host git on the agent-controlled repository:
//   1. inside the sandbox, `git bundle` packs HEAD's history into a file streamed out over stdout
//      (plain object data: no config, hooks or filters travel with it);
//   2. on the host, a server-owned bare repository (DATA_DIR/push/<session>.git, no hooks, no
//      system/global config) fetches the bundle with object checks on;
//   3. that repository pushes to the remote, the credential handed to this one git process by a
//      one-shot `-c credential.helper` reading it from the process's environment.
// The server reaches the remote (the sandbox has no network; a helper container could not reach a
// remote on the host's 127.0.0.1 either).
import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { Sandbox } from "../sandbox/sandbox";

const execFileAsync = promisify(execFile);
const PUSH_TIMEOUT_MS = 5 * 60_000;

export class PushError extends Error {
  constructor(
    message: string,
    readonly kind: "rejected" | "auth" | "remote" | "invalid",
    readonly remoteMessage: string,
  ) {
    super(message);
    this.name = "PushError";
  }
}

export type GitCredentialSecret = { username: string; password: string };

export type PushOptions = {
  sandbox: Sandbox;
  /** Server-owned scratch directory for per-session mirrors (DATA_DIR/push). */
  workDir: string;
  sessionId: string;
  remoteUrl: string;
  branch: string;
  credential?: GitCredentialSecret;
  force?: boolean;
};

export type PushResult = { branch: string; commit: string; remoteUrl: string; output: string; uncommittedChanges: boolean };

const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\-/]+(?<![./])$/;

export const isValidBranchName = (branch: string) => BRANCH_PATTERN.test(branch) && !branch.endsWith(".lock") && branch.length <= 200;

/** http(s) only: the credential helper speaks for these, and no `ext::`/local transport runs code. */
export const parseRemoteUrl = (remoteUrl: string): URL => {
  const url = (() => {
    try {
      return new URL(remoteUrl);
    } catch {
      throw new PushError(`Not a push URL: ${remoteUrl}. Use an http(s) URL.`, "invalid", "");
    }
  })();
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new PushError(`Only http(s) remotes can be pushed to (got ${url.protocol}).`, "invalid", "");
  if (url.username || url.password) throw new PushError("Put credentials in the stored git credential, not in the URL.", "invalid", "");
  return url;
};

/** host[:port], the key git credentials are stored under. */
export const remoteHost = (remoteUrl: string) => parseRemoteUrl(remoteUrl).host;

// Prints the HEAD commit and whether the working tree differs from it, then the bundle's path.
const bundleScript = `
set -e
head=$(git rev-parse -q --verify HEAD) || { echo "The workspace has no commit to push." >&2; exit 3; }
dirty=clean
[ -n "$(git status --porcelain --untracked-files=normal 2>/dev/null | head -n 1)" ] && dirty=dirty
f=$(mktemp /tmp/pincer-push.XXXXXX)
trap 'rm -f "$f"' EXIT
git bundle create "$f" HEAD >/dev/null 2>&1 || git bundle create "$f" HEAD >/dev/null
printf '%s %s\\n' "$head" "$dirty" >&2
cat "$f"
`;

const hostGitEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...({} as NodeJS.ProcessEnv),
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_TERMINAL_PROMPT: "0",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_ALLOW_PROTOCOL: "http:https",
  ...extra,
});

const hostGit = async (args: string[], options: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}) => {
  try {
    const { stdout, stderr } = await execFileAsync("git", args, {
      cwd: options.cwd,
      env: hostGitEnv(options.env),
      timeout: options.timeout ?? 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (error) {
    const failure = error as Error & { stderr?: string; stdout?: string };
    throw Object.assign(new Error(failure.stderr?.trim() || failure.message), { stderr: failure.stderr ?? "", stdout: failure.stdout ?? "" });
  }
};

// The secret lives only in this process's environment; the helper is a shell function git runs.
const CREDENTIAL_HELPER = `!f() { test "$1" = get || exit 0; printf 'username=%s\\npassword=%s\\n' "$PINCER_GIT_USERNAME" "$PINCER_GIT_PASSWORD"; }; f`;

const classifyPushFailure = (stderr: string): PushError => {
  const remoteMessage = stderr.trim();
  if (/\[rejected\]|non-fast-forward|fetch first|\[remote rejected\]/.test(stderr)) {
    return new PushError(`The remote rejected the push: ${remoteMessage}`, "rejected", remoteMessage);
  }
  if (/Authentication failed|could not read Username|403|401|Invalid username or password|terminal prompts disabled/i.test(stderr)) {
    return new PushError(`The remote refused the credentials: ${remoteMessage}`, "auth", remoteMessage);
  }
  return new PushError(`Pushing failed: ${remoteMessage}`, "remote", remoteMessage);
};

export const pushBranch = async (options: PushOptions): Promise<PushResult> => {
  const url = parseRemoteUrl(options.remoteUrl);
  if (!isValidBranchName(options.branch)) throw new PushError(`Not a valid branch name: ${options.branch}`, "invalid", "");
  if (!/^[A-Za-z0-9_-]+$/.test(options.sessionId)) throw new PushError("Bad session id.", "invalid", "");

  const mirror = path.join(options.workDir, `${options.sessionId}.git`);
  await mkdir(options.workDir, { recursive: true });
  const exists = await stat(path.join(mirror, "HEAD")).then(() => true, () => false);
  if (!exists) await hostGit(["init", "-q", "--bare", "--template=", mirror]);

  // 1. The bundle, streamed from the sandbox into the mirror's directory.
  const bundlePath = path.join(mirror, "incoming.bundle");
  const file = createWriteStream(bundlePath);
  const stderrLines: string[] = [];
  try {
    const result = await options.sandbox.exec({
      cmd: ["sh", "-c", bundleScript],
      cwd: options.sandbox.workdir,
      timeoutMs: PUSH_TIMEOUT_MS,
      onStdout: (chunk) => file.write(chunk),
      onStderr: (chunk) => stderrLines.push(chunk.toString("utf8")),
    });
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const stderr = stderrLines.join("");
    if (result.exitCode !== 0) throw new PushError(`Packing the branch failed: ${stderr.trim() || result.stderr.toString("utf8").trim()}`, "invalid", "");
    const [commit = "", dirty = ""] = (stderr.trim().split("\n").at(-1) ?? "").split(" ");

    // 2. Into the server-owned mirror, objects checked.
    await hostGit(["-c", "transfer.fsckObjects=true", "-c", "fetch.fsckObjects=true", "fetch", "-q", bundlePath, "+HEAD:refs/pincer/push"], { cwd: mirror, env: { GIT_ALLOW_PROTOCOL: "file" } }).catch((error: Error) => {
      throw new PushError(`Reading the workspace's branch failed: ${error.message}`, "invalid", "");
    });

    // 3. To the remote, with the credential for this one process.
    const refspec = `${options.force ? "+" : ""}refs/pincer/push:refs/heads/${options.branch}`;
    const credentialArgs = options.credential ? ["-c", "credential.helper=", "-c", `credential.helper=${CREDENTIAL_HELPER}`] : ["-c", "credential.helper="];
    const credentialEnv: Record<string, string> = options.credential
      ? { PINCER_GIT_USERNAME: options.credential.username, PINCER_GIT_PASSWORD: options.credential.password }
      : {};
    const pushed = await hostGit([...credentialArgs, "-c", "core.hooksPath=/dev/null", "push", "--porcelain", url.toString(), refspec], {
      cwd: mirror,
      env: credentialEnv,
      timeout: PUSH_TIMEOUT_MS,
    }).catch((error: Error & { stderr?: string; stdout?: string }) => {
      throw classifyPushFailure(`${error.stdout ?? ""}\n${error.stderr ?? error.message}`);
    });
    return { branch: options.branch, commit, remoteUrl: url.toString(), output: `${pushed.stdout}${pushed.stderr}`.trim(), uncommittedChanges: dirty === "dirty" };
  } finally {
    file.destroy();
    await rm(bundlePath, { force: true });
  }
};
