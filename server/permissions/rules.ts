// Permission rules in Claude Code's syntax (`Tool` or `Tool(specifier)`), parsed once and compiled
// to matchers: Bash specifiers (exact, legacy `prefix:*`, `*` wildcards), gitignore-style path
// patterns for file tools, `domain:` for WebFetch, and MCP server/tool names.
import path from "node:path";

export type RuleList = "allow" | "ask" | "deny";

export type ParsedRule = {
  raw: string;
  tool: string;
  /** The text between the parentheses, or null for a bare tool name (matches every use). */
  specifier: string | null;
};

export type RuleParseResult = { ok: true; rule: ParsedRule } | { ok: false; error: string };

const RULE_SHAPE = /^([A-Za-z_][A-Za-z0-9_\-]*\*?)(?:\(([\s\S]*)\))?$/;

export const parseRule = (raw: string): RuleParseResult => {
  const text = raw.trim();
  const match = RULE_SHAPE.exec(text);
  if (!match) return { ok: false, error: `not a permission rule: ${JSON.stringify(raw)} (expected Tool or Tool(specifier))` };
  const tool = match[1] ?? "";
  const specifier = match[2];
  if (specifier === undefined) return { ok: true, rule: { raw: text, tool, specifier: null } };
  const trimmed = specifier.trim();
  // `Bash()` and `Bash(*)` both mean every use of the tool.
  if (trimmed === "" || trimmed === "*") return { ok: true, rule: { raw: text, tool, specifier: null } };
  return { ok: true, rule: { raw: text, tool, specifier: trimmed } };
};

/** Tools whose rules are about files being changed; `Edit(...)` rules cover all of them. */
export const EDIT_TOOLS = new Set(["Edit", "Write", "MultiEdit", "NotebookEdit"]);
/** Tools whose rules are about files being read; `Read(...)` rules cover all of them. */
export const READ_TOOLS = new Set(["Read", "Glob", "Grep", "LS"]);

// ---------------------------------------------------------------------------------------------
// Bash specifiers

export type BashPattern =
  | { kind: "exact"; command: string }
  | { kind: "prefix"; prefix: string }
  | { kind: "wildcard"; regex: RegExp };

const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\*]/g, "\\$&");

const normalizeSpaces = (text: string) => text.trim().replace(/\s+/g, " ");

export const compileBashPattern = (specifier: string): BashPattern => {
  const spec = normalizeSpaces(specifier);
  // Legacy `npm run test:*`: the prefix as whole words, followed by nothing or a space.
  if (spec.endsWith(":*") && !spec.slice(0, -2).includes("*")) return { kind: "prefix", prefix: spec.slice(0, -2).trimEnd() };
  if (!/(^|[^\\])\*/.test(spec)) return { kind: "exact", command: spec.replace(/\\\*/g, "*") };
  let source = "";
  for (let index = 0; index < spec.length; index++) {
    const char = spec[index] ?? "";
    if (char === "\\" && spec[index + 1] === "*") {
      source += "\\*";
      index++;
      continue;
    }
    if (char === "*") {
      // A trailing ` *` is a word boundary: `ls *` matches `ls` and `ls -la` but not `lsof`.
      const trailing = index === spec.length - 1 && spec[index - 1] === " ";
      if (trailing) {
        source = `${source.slice(0, -1)}(?: [\\s\\S]*)?`;
        continue;
      }
      source += "[\\s\\S]*";
      continue;
    }
    source += escapeRegex(char);
  }
  return { kind: "wildcard", regex: new RegExp(`^${source}$`) };
};

/**
 * Matches one sub-command's text. `exactOnly: false` (xargs) means extra arguments follow that
 * the text does not show, so only patterns open at the end may match.
 */
export const matchBashPattern = (pattern: BashPattern, command: string, openEnded = false): boolean => {
  const text = normalizeSpaces(command);
  if (pattern.kind === "exact") return !openEnded && text === pattern.command;
  if (pattern.kind === "prefix") return text === pattern.prefix || text.startsWith(`${pattern.prefix} `);
  if (openEnded && !pattern.regex.source.endsWith("*)?$") && !pattern.regex.source.endsWith("]*$")) return false;
  return pattern.regex.test(text);
};

// ---------------------------------------------------------------------------------------------
// Path specifiers (gitignore-style)

export type PathContext = { projectRoot: string; cwd: string; homeDir: string };

const globToRegexSource = (glob: string): string => {
  let source = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] ?? "";
    if (char === "*") {
      if (glob[index + 1] === "*") {
        const slashAfter = glob[index + 2] === "/";
        // `**/` is zero or more directories; a trailing `**` is everything below.
        source += slashAfter ? "(?:[^/]*/)*" : "[\\s\\S]*";
        index += slashAfter ? 2 : 1;
        continue;
      }
      source += "[^/]*";
      continue;
    }
    if (char === "?") {
      source += "[^/]";
      continue;
    }
    if (char === "[") {
      const close = glob.indexOf("]", index + 2);
      if (close > index) {
        const body = glob.slice(index + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\");
        source += `[${body}]`;
        index = close;
        continue;
      }
    }
    if (char === "\\" && index + 1 < glob.length) {
      source += escapeRegex(glob[index + 1] ?? "");
      index++;
      continue;
    }
    source += escapeRegex(char);
  }
  return source;
};

export type PathPattern = { regex: RegExp };

/**
 * `//abs/path` is absolute, `~/x` is under the home directory, `/x` is relative to the project
 * root (where the settings file lives), `./x` and `x` relative to the working directory. As in
 * gitignore, a pattern with no slash but a trailing one matches at any depth, and a pattern that
 * matches a directory matches everything inside it.
 */
export const compilePathPattern = (specifier: string, context: PathContext): PathPattern => {
  const spec = specifier.trim();
  const rooted = (base: string, rest: string, anchored: boolean) => {
    const trimmedBase = base.replace(/\/+$/, "");
    const glob = rest.replace(/^\/+/, "").replace(/\/+$/, "");
    if (glob === "") return new RegExp(`^${escapeRegex(trimmedBase)}(?:/[\\s\\S]*)?$`);
    const middle = anchored ? "/" : "/(?:[^/]*/)*";
    return new RegExp(`^${escapeRegex(trimmedBase)}${middle}${globToRegexSource(glob)}(?:/[\\s\\S]*)?$`);
  };
  if (spec.startsWith("//")) return { regex: rooted("", spec.slice(1), true) };
  if (spec === "~" || spec.startsWith("~/")) return { regex: rooted(context.homeDir, spec.slice(1), true) };
  if (spec.startsWith("/")) return { regex: rooted(context.projectRoot, spec, true) };
  const relative = spec.startsWith("./") ? spec.slice(2) : spec;
  const hasInnerSlash = relative.replace(/\/+$/, "").includes("/") || spec.startsWith("./");
  if (relative.startsWith("../")) return { regex: rooted(path.posix.resolve(context.cwd, path.posix.dirname(relative)), path.posix.basename(relative), true) };
  return { regex: rooted(context.cwd, relative, hasInnerSlash) };
};

export const matchPathPattern = (pattern: PathPattern, absolutePath: string): boolean => pattern.regex.test(absolutePath);

// ---------------------------------------------------------------------------------------------
// WebFetch domains and MCP names

export const matchDomain = (specifier: string, host: string): boolean => {
  if (!specifier.startsWith("domain:")) return false;
  const domain = specifier.slice("domain:".length).trim().toLowerCase();
  const target = host.toLowerCase().replace(/\.$/, "");
  if (domain.startsWith("*.")) return target.endsWith(domain.slice(1));
  return target === domain;
};

/** `mcp__github` covers every tool of that server; `mcp__github__*` likewise; otherwise exact. */
export const matchToolName = (ruleTool: string, toolName: string): boolean => {
  if (ruleTool === toolName) return true;
  if (!ruleTool.startsWith("mcp__") || !toolName.startsWith("mcp__")) return false;
  const ruleParts = ruleTool.split("__");
  if (ruleParts.length === 2) return toolName.startsWith(`${ruleTool}__`);
  if (ruleParts.length === 3 && ruleParts[2] === "*") return toolName.startsWith(`${ruleParts[0]}__${ruleParts[1]}__`);
  return false;
};
