// The project's settings files (.pincer/settings.json, .claude/settings.json, .claude/settings.local.json)
// as text, read host-side through the symlink-safe resolver. Permissions and hooks parse their parts.
import { statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_SETTINGS_FILES } from "../permissions/policy";
import { resolveWorkspacePath } from "./paths";

export type SettingsFileText = { readonly file: string; readonly text: string };
export type ProjectSettingsFiles = { readonly files: readonly SettingsFileText[]; readonly errors: readonly string[] };

/**
 * The names in the workspace's root, or null when it cannot be listed. Most workspaces have no
 * .pincer or .claude, and one readdir says so where resolving each file takes five calls.
 */
const rootNames = (workspaceDir: string) => readdir(workspaceDir).then((names) => new Set(names), () => null);

const readFiles = async (workspaceDir: string): Promise<ProjectSettingsFiles> => {
  const files: SettingsFileText[] = [];
  const errors: string[] = [];
  const names = await rootNames(workspaceDir);
  for (const file of PROJECT_SETTINGS_FILES) {
    if (names && !names.has(file.slice(0, file.indexOf("/")))) continue;
    const text = await resolveWorkspacePath(workspaceDir, file)
      .then(({ hostPath }) => readFile(hostPath, "utf8"))
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") errors.push(`${file}: ${error.message}`);
        return null;
      });
    if (text !== null) files.push(Object.freeze({ file, text }));
  }
  return Object.freeze({ files: Object.freeze(files), errors: Object.freeze(errors) });
};

// Every tool call reads the settings three times (hooks before and after it, the permission gate).
// A read is reused while a stat of each settings path (following symlinks, so a retargeted link
// shows as another inode) says nothing changed. The stats are synchronous on purpose: three stats
// of hot inodes take microseconds, a thread-pool round trip for an async one ~0.1 ms per read.
/** A change this recent may share its timestamp with a later one (timestamps tick coarsely), so it is not trusted. */
const RACY_NS = 100_000_000n;
const MAX_CACHED = 500;
type Cached = { stamps: string[]; result: ProjectSettingsFiles };
const cache = new Map<string, Cached>();

/** Identity and version of what a settings path leads to; "-" when nothing is there. */
const stampOf = (file: string): { stamp: string; changedNs: bigint } => {
  try {
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (!stat) return { stamp: "-", changedNs: 0n };
    return { stamp: `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`, changedNs: stat.ctimeNs };
  } catch (error) {
    return { stamp: `!${(error as NodeJS.ErrnoException).code ?? "error"}`, changedNs: 0n };
  }
};

/** Stamps of the settings paths, or null when one changed too recently to be told apart from the next change. */
const stampsOf = (workspaceDir: string): string[] | null => {
  const settled = BigInt(Date.now()) * 1_000_000n - RACY_NS;
  const stamps: string[] = [];
  for (const file of PROJECT_SETTINGS_FILES) {
    const { stamp, changedNs } = stampOf(path.join(workspaceDir, file));
    if (changedNs > settled) return null;
    stamps.push(stamp);
  }
  return stamps;
};

const sameStamps = (a: string[], b: string[]) => a.length === b.length && a.every((stamp, index) => stamp === b[index]);

/** The settings files' text (frozen: callers share it). Unreadable files are errors; missing ones are skipped. */
export const readProjectSettingsFiles = async (workspaceDir: string): Promise<ProjectSettingsFiles> => {
  // Stamped before reading: a change while reading makes the next call read again.
  const stamps = stampsOf(workspaceDir);
  const cached = cache.get(workspaceDir);
  if (stamps && cached && sameStamps(stamps, cached.stamps)) return cached.result;
  const result = await readFiles(workspaceDir);
  cache.delete(workspaceDir);
  // Errors (a symlink out of the workspace, no permission) are looked at again each time.
  if (stamps && result.errors.length === 0) {
    cache.set(workspaceDir, { stamps, result });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
  return result;
};
