// Markdown files with YAML frontmatter (skills, slash commands, agent definitions), read from the
// workspace host-side through the symlink-safe resolver, or from a server folder.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { resolveWorkspacePath } from "../workspace/paths";

export type Frontmatter = { data: Record<string, unknown>; body: string };

/** Splits `---\nyaml\n---\nbody`. A file without frontmatter has empty data; broken YAML throws. */
export const parseFrontmatter = (text: string): Frontmatter => {
  const normalised = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  const match = /^---\n([\s\S]*?)\n?---(?:\n|$)/.exec(normalised);
  if (!match) return { data: {}, body: normalised };
  const parsed: unknown = parseYaml(match[1]);
  if (parsed === null || parsed === undefined) return { data: {}, body: normalised.slice(match[0].length) };
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the frontmatter is not a YAML mapping");
  return { data: parsed as Record<string, unknown>, body: normalised.slice(match[0].length) };
};

/** Where a definition came from, for messages ("workspace .pincer/skills/x/SKILL.md"). */
export type DefinitionOrigin = { scope: "workspace" | "server"; path: string };

export type FolderRoot = { scope: "workspace"; workspaceDir: string; dir: string } | { scope: "server"; dir: string };

/** The host directory of a root, or null when it does not exist (or escapes the workspace). */
const hostDirOf = async (root: FolderRoot): Promise<string | null> => {
  if (root.scope === "server") return root.dir;
  const resolved = await resolveWorkspacePath(root.workspaceDir, root.dir).catch(() => null);
  return resolved?.hostPath ?? null;
};

const displayPath = (root: FolderRoot, relative: string) => (root.scope === "workspace" ? `${root.dir}/${relative}` : path.join(root.dir, relative));

/** Reads a file below a root; for the workspace through resolveWorkspacePath (no escaping symlinks). */
export const readUnderRoot = async (root: FolderRoot, relative: string): Promise<string> => {
  if (root.scope === "server") return readFile(path.join(root.dir, relative), "utf8");
  const { hostPath } = await resolveWorkspacePath(root.workspaceDir, `${root.dir}/${relative}`);
  return readFile(hostPath, "utf8");
};

/** Entries of a root folder (sorted), or [] when it is missing. */
export const listRoot = async (root: FolderRoot): Promise<Array<{ name: string; isDirectory: boolean }>> => {
  const dir = await hostDirOf(root);
  if (!dir) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
    throw error;
  });
  return entries
    .map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() || entry.isSymbolicLink() }))
    .sort((a, b) => a.name.localeCompare(b.name));
};

/** Files below a folder of a root (relative paths, at most `limit`), for a skill's file list. */
export const listFilesUnder = async (root: FolderRoot, relativeDir: string, limit = 50): Promise<string[]> => {
  const base = await hostDirOf(root);
  if (!base) return [];
  const start = path.join(base, relativeDir);
  const found: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= limit) return;
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative);
      else if (entry.isFile()) found.push(relative);
    }
  };
  await walk(start, "");
  return found;
};

export type MarkdownDefinition = { name: string; frontmatter: Record<string, unknown>; body: string; origin: DefinitionOrigin };
export type DefinitionProblem = { path: string; message: string };

/** `<dir>/*.md` files of each root (commands, agents); the first root wins on a name clash. */
export const loadMarkdownFiles = async (roots: FolderRoot[]): Promise<{ definitions: MarkdownDefinition[]; problems: DefinitionProblem[] }> => {
  const definitions: MarkdownDefinition[] = [];
  const problems: DefinitionProblem[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    for (const entry of await listRoot(root)) {
      if (entry.isDirectory || !entry.name.endsWith(".md")) continue;
      const name = entry.name.slice(0, -3);
      const where = displayPath(root, entry.name);
      const loaded = await readUnderRoot(root, entry.name)
        .then((text) => parseFrontmatter(text))
        .catch((error: unknown) => error as Error);
      if (loaded instanceof Error) {
        problems.push({ path: where, message: loaded.message });
        continue;
      }
      if (seen.has(name)) continue;
      seen.add(name);
      definitions.push({ name, frontmatter: loaded.data, body: loaded.body, origin: { scope: root.scope, path: where } });
    }
  }
  return { definitions, problems };
};

export { displayPath };
