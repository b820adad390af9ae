// LS: a bounded tree of a workspace directory, read host-side through the bind mount. Symbolic
// links are shown but never followed; bulky generated directories are shown but not expanded.
import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";
import { statOrNull } from "./file-state";
import { lsDescription } from "./ls.description";
import { defineTool, ToolError } from "./tool";
import { truncateOutput } from "./truncate";

const MAX_ENTRIES = 500;
const NOT_EXPANDED = new Set(["node_modules", ".git", "__pycache__", ".venv", "venv", ".next", "dist", "build", "target", ".cache", ".tox", ".mypy_cache", ".pytest_cache"]);

export const lsTool = defineTool({
  name: "LS",
  description: lsDescription,
  inputSchema: z.object({
    path: z.string().min(1).describe("Directory to list, absolute under /workspace or relative to it"),
    ignore: z.array(z.string()).optional().describe('Glob patterns of names or relative paths to leave out, e.g. ["*.log", "fixtures/**"]'),
  }),
  readOnly: true,
  permissionKey: (input) => input.path,
  run: async (input, context) => {
    const { hostPath, sandboxPath } = await resolveWorkspacePath(context.sandbox.hostWorkspaceDir, input.path).catch((error: Error) => {
      throw new ToolError(error.message);
    });
    const stats = await statOrNull(hostPath);
    if (!stats) throw new ToolError(`Directory ${sandboxPath} does not exist.`);
    if (!stats.isDirectory()) throw new ToolError(`${sandboxPath} is a file, not a directory. Use Read to see it.`);
    const ignore = input.ignore ?? [];
    const ignored = (name: string, relative: string) =>
      ignore.some((pattern) => path.posix.matchesGlob(name, pattern) || path.posix.matchesGlob(relative, pattern));

    const lines: string[] = [`- ${sandboxPath.replace(/\/?$/, "/")}`];
    let listed = 0;
    let cut = false;
    const walk = async (hostDir: string, relativeDir: string, depth: number): Promise<void> => {
      const entries = await readdir(hostDir, { withFileTypes: true }).catch((): Dirent[] => []);
      entries.sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name));
      for (const entry of entries) {
        const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
        if (ignored(entry.name, relative)) continue;
        if (listed >= MAX_ENTRIES) {
          cut = true;
          return;
        }
        listed++;
        const indent = "  ".repeat(depth);
        if (entry.isSymbolicLink()) {
          lines.push(`${indent}- ${entry.name}@`);
          continue;
        }
        if (!entry.isDirectory()) {
          lines.push(`${indent}- ${entry.name}`);
          continue;
        }
        if (NOT_EXPANDED.has(entry.name)) {
          lines.push(`${indent}- ${entry.name}/ (not expanded)`);
          continue;
        }
        lines.push(`${indent}- ${entry.name}/`);
        await walk(path.join(hostDir, entry.name), relative, depth + 1);
      }
    };
    await walk(hostPath, "", 1);
    if (cut) lines.push(`(stopped after ${MAX_ENTRIES} entries; list a subdirectory, or use Glob)`);
    const bounded = truncateOutput(lines.join("\n"), context.limits.maxOutputChars);
    return { output: bounded.text, isError: false, metadata: { path: sandboxPath, entries: listed, truncated: cut || bounded.truncated } };
  },
});
