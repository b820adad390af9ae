// What Read, Write and Edit share: the read-before-write rule (a file must have been read in this
// session and be unchanged since) and writing host-side files the sandbox user can still edit.
import { constants, type Stats } from "node:fs";
import { chown, mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import type { FileReadState } from "./tool";
import { ToolError } from "./tool";

const SANDBOX_UID = 1000;
const runningAsRoot = () => process.getuid?.() === 0;

/** Remembers the file's state as the model saw it; key is the real host path. */
export const recordRead = (readFiles: FileReadState, hostPath: string, stats: Stats) => {
  readFiles.set(hostPath, { mtimeMs: stats.mtimeMs, size: stats.size });
};

/** Throws a ToolError telling the model to Read first when the file is unread or changed since. */
export const assertFreshRead = (readFiles: FileReadState, hostPath: string, sandboxPath: string, stats: Stats) => {
  const seen = readFiles.get(hostPath);
  if (!seen) {
    throw new ToolError(`File ${sandboxPath} has not been read in this session. Read it first, then retry.`);
  }
  if (seen.mtimeMs !== stats.mtimeMs || seen.size !== stats.size) {
    throw new ToolError(
      `File ${sandboxPath} has changed since it was last read (by a command or the user). Read it again, then retry.`,
    );
  }
};

/** Creates missing parent directories (owned by the sandbox user when we are root). */
const ensureParentDir = async (hostPath: string) => {
  const parent = path.dirname(hostPath);
  const first = await mkdir(parent, { recursive: true });
  if (!first || !runningAsRoot()) return;
  // chown every directory mkdir created, from the first one down to the parent.
  let dir = parent;
  const created: string[] = [];
  while (dir.length >= first.length) {
    created.push(dir);
    dir = path.dirname(dir);
  }
  for (const createdDir of created) await chown(createdDir, SANDBOX_UID, SANDBOX_UID);
};

/**
 * Writes the file without following a symlink at its last component (paths.ts already resolved the
 * real path), hands it to the sandbox user when running as root, and returns its new state.
 */
export const writeWorkspaceFile = async (hostPath: string, content: string | Buffer): Promise<Stats> => {
  await ensureParentDir(hostPath);
  const handle = await open(hostPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(content);
    if (runningAsRoot()) await handle.chown(SANDBOX_UID, SANDBOX_UID);
  } finally {
    await handle.close();
  }
  return stat(hostPath);
};

/** stat that returns null for a missing file. */
export const statOrNull = async (hostPath: string): Promise<Stats | null> => {
  try {
    return await stat(hostPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
};
