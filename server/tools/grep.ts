// Grep: ripgrep in the sandbox, in three modes (matching files, matching lines with context, counts).
// The argv is built from validated fields only: the pattern goes after -e, globs and types as
// --flag=value, so model input can never become an rg option (such as --pre).
import path from "node:path";
import { z } from "zod";
import { grepDescription } from "./grep.description";
import { resolveSearchRoot, runRipgrep, searchPathField, sortByModifiedDesc } from "./ripgrep";
import { defineTool } from "./tool";
import { truncateOutput } from "./truncate";

const DEFAULT_HEAD_LIMIT = 250;
const MAX_LINE_COLUMNS = 500;

const contextLines = z.number().int().min(0).max(100).optional();

export const grepTool = defineTool({
  name: "Grep",
  description: grepDescription,
  inputSchema: z.object({
    pattern: z.string().min(1).describe("Regular expression to search for (ripgrep / Rust regex syntax)"),
    path: searchPathField,
    glob: z.string().optional().describe('Only search files matching this glob, e.g. "*.ts" or "src/**/*.{ts,tsx}"'),
    type: z.string().regex(/^[A-Za-z0-9_+-]+$/).optional().describe('Only search files of this ripgrep type, e.g. "js", "py", "rust"'),
    output_mode: z
      .enum(["content", "files_with_matches", "count"])
      .optional()
      .describe('"files_with_matches" (default): paths of matching files; "content": matching lines; "count": matches per file'),
    "-i": z.boolean().optional().describe("Case-insensitive search"),
    "-n": z.boolean().optional().describe("Show line numbers (content mode; default true)"),
    "-A": contextLines.describe("Lines of context after each match (content mode)"),
    "-B": contextLines.describe("Lines of context before each match (content mode)"),
    "-C": contextLines.describe("Lines of context before and after each match (content mode)"),
    multiline: z.boolean().optional().describe("Let the pattern span lines (and . match newlines)"),
    head_limit: z.number().int().positive().optional().describe(`Return at most this many lines or files (default ${DEFAULT_HEAD_LIMIT})`),
  }),
  readOnly: true,
  permissionKey: (input) => input.path ?? "/workspace",
  run: async (input, context) => {
    const root = await resolveSearchRoot(context, input.path);
    const mode = input.output_mode ?? "files_with_matches";
    const args: string[] = [`--max-columns=${MAX_LINE_COLUMNS}`, "--max-columns-preview"];
    if (input["-i"]) args.push("--ignore-case");
    if (input.multiline) args.push("--multiline", "--multiline-dotall");
    if (input.glob) args.push(`--glob=${input.glob}`);
    if (input.type) args.push(`--type=${input.type}`);
    if (mode === "files_with_matches") args.push("--files-with-matches");
    if (mode === "count") args.push("--count-matches", "--with-filename", "--sort=path");
    if (mode === "content") {
      args.push("--no-heading", "--with-filename", "--sort=path");
      if (input["-n"] ?? true) args.push("--line-number");
      if (input["-C"] !== undefined) args.push(`--context=${input["-C"]}`);
      if (input["-A"] !== undefined) args.push(`--after-context=${input["-A"]}`);
      if (input["-B"] !== undefined) args.push(`--before-context=${input["-B"]}`);
    }
    args.push("--regexp", input.pattern, "--", root.sandboxPath);

    const { stdout, stderr } = await runRipgrep(context, args, "/workspace");
    const found = stdout.split("\n").filter((line) => line !== "");
    const lines = mode === "files_with_matches" ? await sortByModifiedDesc(context, found) : found;
    if (lines.length === 0) {
      const note = stderr ? `\n${stderr}` : "";
      return { output: `No matches for ${input.pattern} in ${root.sandboxPath}.${note}`, isError: false, metadata: { mode, matches: 0 } };
    }
    const limit = input.head_limit ?? DEFAULT_HEAD_LIMIT;
    const shown = lines.slice(0, limit);
    const notes: string[] = [];
    if (lines.length > limit) notes.push(`(${lines.length - limit} more ${mode === "content" ? "lines" : "files"} not shown; raise head_limit or narrow the search)`);
    if (mode === "count") {
      const total = lines.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(":") + 1) || 0), 0);
      notes.push(`(${total} matches in ${lines.length} file${lines.length === 1 ? "" : "s"})`);
    }
    if (stderr) notes.push(stderr);
    const bounded = truncateOutput([...shown, ...notes].join("\n"), context.limits.maxOutputChars);
    return {
      output: bounded.text,
      isError: false,
      metadata: {
        mode,
        path: root.sandboxPath,
        results: lines.length,
        truncated: lines.length > limit || bounded.truncated,
        ...(mode === "files_with_matches" ? { files: shown.map((file) => path.posix.normalize(file)) } : {}),
      },
    };
  },
});
