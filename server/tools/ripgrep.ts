// What Glob and Grep share: resolving the path to search (inside the workspace only) and running
// ripgrep in the sandbox with a fixed argv (no shell, never --pre), with a timeout.
import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resolveWorkspacePath, SANDBOX_WORKDIR } from "../workspace/paths";
import { statOrNull } from "./file-state";
import { ToolError, type ToolContext } from "./tool";

const SEARCH_TIMEOUT_MS = 60_000;

/** Flags every search starts with: hidden files included (except .git), .gitignore respected. */
export const RIPGREP_BASE_ARGS = ["--hidden", "--glob=!.git", "--no-require-git", "--color=never", "--no-config"];

export type SearchRoot = { sandboxPath: string; hostPath: string; isDirectory: boolean };

export const searchPathField = z
  .string()
  .optional()
  .describe("Directory (or file) to search, absolute under /workspace or relative to it; default /workspace");

export const resolveSearchRoot = async (context: ToolContext, userPath: string | undefined): Promise<SearchRoot> => {
  const { hostPath, sandboxPath } = await resolveWorkspacePath(context.sandbox.hostWorkspaceDir, userPath ?? ".").catch(
    (error: Error) => {
      throw new ToolError(error.message);
    },
  );
  const stats = await statOrNull(hostPath);
  if (!stats) throw new ToolError(`Path ${sandboxPath} does not exist.`);
  return { hostPath, sandboxPath, isDirectory: stats.isDirectory() };
};

export type RipgrepResult = { stdout: string; stderr: string; exitCode: number | null };

/** Runs rg; exit code 1 (nothing found) is a normal result, 2 and timeouts become ToolErrors. */
export const runRipgrep = async (context: ToolContext, args: string[], cwd: string): Promise<RipgrepResult> => {
  const result = await context.sandbox.exec({
    cmd: ["rg", ...RIPGREP_BASE_ARGS, ...args],
    cwd,
    timeoutMs: SEARCH_TIMEOUT_MS,
    signal: context.signal,
  });
  if (result.aborted) throw new ToolError("The search was interrupted.");
  if (result.timedOut) throw new ToolError(`The search took longer than ${SEARCH_TIMEOUT_MS / 1000} s and was stopped. Narrow it with a path or glob.`);
  const stdout = result.stdout.toString("utf8");
  const stderr = result.stderr.toString("utf8").trim();
  // rg exits 2 for any error, even when it also found matches (e.g. one unreadable file).
  if (result.exitCode === 2 && stdout === "") throw new ToolError(`ripgrep failed: ${stderr || "exit code 2"}`);
  return { stdout, stderr, exitCode: result.exitCode };
};

/** At most this many results are ordered by modification time; the rest follow by name. */
const MAX_SORTED = 5000;

/**
 * Orders in-sandbox paths newest first (ties by path). rg's own --sortr sorts each directory's
 * entries, not the whole result, so the times are read host-side through the bind mount.
 */
export const sortByModifiedDesc = async (context: ToolContext, sandboxPaths: string[]): Promise<string[]> => {
  const byName = [...sandboxPaths].sort();
  const head = byName.slice(0, MAX_SORTED);
  const times = await Promise.all(
    head.map(async (sandboxPath) => {
      const relative = path.posix.relative(SANDBOX_WORKDIR, sandboxPath);
      const stats = await stat(path.join(context.sandbox.hostWorkspaceDir, ...relative.split("/"))).catch(() => null);
      return { sandboxPath, mtimeMs: stats?.mtimeMs ?? 0 };
    }),
  );
  times.sort((a, b) => b.mtimeMs - a.mtimeMs || a.sandboxPath.localeCompare(b.sandboxPath));
  return [...times.map((entry) => entry.sandboxPath), ...byName.slice(MAX_SORTED)];
};
