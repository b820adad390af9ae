// Glob: files whose path matches a glob pattern, newest first. ripgrep lists the candidates in the
// sandbox (respecting .gitignore, sorted by modification time); the exact glob match is done here.
import path from "node:path";
import picomatch from "picomatch";
import { z } from "zod";
import { globDescription } from "./glob.description";
import { resolveSearchRoot, runRipgrep, searchPathField, sortByModifiedDesc } from "./ripgrep";
import { defineTool, ToolError } from "./tool";
import { truncateOutput } from "./truncate";

const MAX_FILES = 100;

export const globTool = defineTool({
  name: "Glob",
  description: globDescription,
  inputSchema: z.object({
    pattern: z.string().min(1).describe('Glob pattern relative to the search directory, e.g. "**/*.ts" or "src/**/*.{js,jsx}"'),
    path: searchPathField,
  }),
  readOnly: true,
  permissionKey: (input) => input.path ?? "/workspace",
  run: async (input, context) => {
    const root = await resolveSearchRoot(context, input.path);
    if (!root.isDirectory) throw new ToolError(`${root.sandboxPath} is not a directory.`);
    const pattern = input.pattern.replace(/^\.\//, "");
    if (pattern.startsWith("/")) throw new ToolError("The pattern must be relative to the search directory; put the directory in `path`.");
    // rg's --glob is a superset of the pattern (a pattern without "/" matches at any depth there).
    const { stdout } = await runRipgrep(context, ["--files", `--glob=${pattern}`], root.sandboxPath);
    // Hidden files are listed by rg on purpose, so the exact match includes dotfiles too.
    const isMatch = picomatch(pattern, { dot: true });
    const relativeMatches = stdout
      .split("\n")
      .filter((line) => line !== "")
      .filter((relative) => isMatch(relative));
    const matches = await sortByModifiedDesc(
      context,
      relativeMatches.map((relative) => path.posix.join(root.sandboxPath, relative)),
    );
    if (matches.length === 0) {
      return { output: `No files match ${input.pattern} in ${root.sandboxPath}.`, isError: false, metadata: { count: 0, path: root.sandboxPath } };
    }
    const shown = matches.slice(0, MAX_FILES);
    const more = matches.length > MAX_FILES ? `\n(${matches.length - MAX_FILES} more files not shown; narrow the pattern or path)` : "";
    const bounded = truncateOutput(shown.join("\n") + more, context.limits.maxOutputChars);
    return {
      output: bounded.text,
      isError: false,
      metadata: { count: matches.length, shown: shown.length, truncated: matches.length > MAX_FILES || bounded.truncated, path: root.sandboxPath },
    };
  },
});
