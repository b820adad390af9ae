// Maps a path the model gives (as seen inside the sandbox, under /workspace) to the same file in
// the host's workspace directory, refusing anything that resolves outside it (.., absolute paths
// elsewhere, symlinks pointing out).
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";

export const SANDBOX_WORKDIR = "/workspace";

export class WorkspacePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkspacePathError";
  }
}

export type WorkspacePath = {
  /** The real host path (symlinks resolved) to read or write. */
  hostPath: string;
  /** The path as the sandbox sees it, for messages to the model. */
  sandboxPath: string;
};

const isWithin = (root: string, candidate: string) => candidate === root || candidate.startsWith(root + path.sep);

const MAX_SYMLINK_HOPS = 40;

/**
 * Resolves symlinks along `target` like realpath, also through a missing tail and dangling links.
 * Synchronous on purpose: a few lstat/realpath calls on local, hot inodes take microseconds, where
 * each thread-pool round trip of the async ones costs ~0.07 ms (every Read, Write and Edit call
 * resolves its path; bench/sandbox.ts read_1mib_ms_p50).
 */
const resolveReal = (target: string): string => {
  let pending = target;
  for (let hops = 0; hops < MAX_SYMLINK_HOPS; hops++) {
    // Walk up to the deepest ancestor that exists, keeping the missing tail.
    let existing = pending;
    const tail: string[] = [];
    for (;;) {
      try {
        lstatSync(existing);
        break;
      } catch {
        const parent = path.dirname(existing);
        if (parent === existing) return pending;
        tail.unshift(path.basename(existing));
        existing = parent;
      }
    }
    try {
      return path.join(realpathSync.native(existing), ...tail);
    } catch {
      // `existing` is (or passes through) a dangling symlink: follow it by hand; writing through
      // it would otherwise create a file wherever it points.
      const stat = lstatSync(existing);
      if (!stat.isSymbolicLink()) throw new WorkspacePathError(`Cannot resolve ${target}`);
      const linkTarget = readlinkSync(existing);
      pending = path.join(path.resolve(path.dirname(existing), linkTarget), ...tail);
    }
  }
  throw new WorkspacePathError(`Too many levels of symbolic links in ${target}`);
};

/**
 * Accepts a path relative to /workspace (or to `cwd`, an in-sandbox directory) or absolute under
 * /workspace, and returns the real host path inside `workspaceDir`. Throws WorkspacePathError with
 * a message meant for the model.
 */
export const resolveWorkspacePath = async (
  workspaceDir: string,
  userPath: string,
  options: { cwd?: string } = {},
): Promise<WorkspacePath> => {
  const trimmed = userPath.trim();
  if (trimmed === "") throw new WorkspacePathError("The path is empty.");
  if (trimmed.includes("\0")) throw new WorkspacePathError("The path contains a NUL byte.");
  const base = options.cwd ?? SANDBOX_WORKDIR;
  const sandboxPath = path.posix.resolve(base, trimmed);
  if (!isWithin(SANDBOX_WORKDIR, sandboxPath) && sandboxPath !== SANDBOX_WORKDIR) {
    throw new WorkspacePathError(`Path ${trimmed} is outside the workspace ${SANDBOX_WORKDIR}`);
  }
  const root = realpathSync.native(workspaceDir);
  const relative = path.posix.relative(SANDBOX_WORKDIR, sandboxPath);
  const hostPath = resolveReal(path.join(root, ...relative.split("/").filter(Boolean)));
  if (!isWithin(root, hostPath)) {
    throw new WorkspacePathError(
      `Path ${trimmed} is outside the workspace ${SANDBOX_WORKDIR} (it resolves through a symbolic link to a place outside it)`,
    );
  }
  const realRelative = path.relative(root, hostPath).split(path.sep).join("/");
  return { hostPath, sandboxPath: realRelative ? `${SANDBOX_WORKDIR}/${realRelative}` : SANDBOX_WORKDIR };
};
