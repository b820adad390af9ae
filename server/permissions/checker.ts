// What the agent loop holds: one checker per session, built from the layered rules and the mode,
// with the bash parser loaded once. `check` is synchronous after creation.
import { isBashParserLoaded, loadBashParser, splitBashCommand, unwrapCommand } from "./bash-split";
import { decide, quoteArgv, type DecideContext, type Decision } from "./decide";
import type { Mode } from "./modes";
import { compileRules, effectiveMode, type LayeredRules } from "./policy";
import { EDIT_TOOLS, READ_TOOLS } from "./rules";
import path from "node:path";

export const SANDBOX_HOME = "/home/pincer";
export const DEFAULT_READ_ONLY_TOOLS = ["TodoWrite", "TodoRead"];

export type PermissionCheckerOptions = {
  rules: LayeredRules;
  mode: Mode;
  workspaceRoot: string;
  homeDir?: string;
  /** Tools that change nothing and need no approval in any mode (by bare name). */
  readOnlyTools?: Iterable<string>;
};

export type PermissionChecker = {
  /** The mode actually in force (bypassPermissions falls back to default where policy forbids it). */
  mode: Mode;
  modeNote: string | null;
  /** Rules that did not parse, with their source; they are ignored. */
  ruleErrors: string[];
  check(toolName: string, input: unknown, options?: { cwd?: string }): Decision;
  rulesForAlwaysAllow(toolName: string, input: unknown): string[];
};

export const createPermissionChecker = async (options: PermissionCheckerOptions): Promise<PermissionChecker> => {
  await loadBashParser();
  const homeDir = options.homeDir ?? SANDBOX_HOME;
  const { mode, note } = effectiveMode(options.rules, options.mode);
  const rules = compileRules(options.rules, { projectRoot: options.workspaceRoot, cwd: options.workspaceRoot, homeDir });
  const context: DecideContext = {
    rules,
    mode,
    workspaceRoot: options.workspaceRoot,
    homeDir,
    readOnlyTools: new Set(options.readOnlyTools ?? DEFAULT_READ_ONLY_TOOLS),
  };
  return {
    mode,
    modeNote: note,
    ruleErrors: rules.errors,
    check: (toolName, input, checkOptions) => decide({ tool: toolName, input, cwd: checkOptions?.cwd }, context),
    rulesForAlwaysAllow: (toolName, input) => rulesForAlwaysAllow(toolName, input, { workspaceRoot: options.workspaceRoot, homeDir }),
  };
};

// ---------------------------------------------------------------------------------------------
// "Always allow" answers: the narrowest rule that would have allowed this call.

const SCRIPT_RUNNERS = new Set(["npm", "pnpm", "yarn", "bun"]);
const TWO_WORD_PREFIXES: Record<string, Set<string>> = {
  cargo: new Set(["test", "build", "check", "clippy", "fmt", "run", "bench", "doc"]),
  go: new Set(["test", "build", "vet", "run", "fmt"]),
  make: new Set(),
  npx: new Set(["tsc", "vitest", "jest", "eslint", "prettier", "playwright", "tsx"]),
  pnpm: new Set(["test", "build", "lint", "typecheck"]),
  yarn: new Set(["test", "build", "lint", "typecheck"]),
  bun: new Set(["test"]),
  npm: new Set(["test", "t"]),
};

const bashRuleFor = (core: string[]): string => {
  const [name = "", first = "", second] = core;
  // `npm run test -- --watch` -> Bash(npm run test:*): the script, whatever arguments follow.
  if (SCRIPT_RUNNERS.has(name) && (first === "run" || first === "run-script") && second && !second.startsWith("-")) return `Bash(${name} ${first} ${second}:*)`;
  if (name === "make" && first && !first.startsWith("-") && !first.includes("=")) return `Bash(make ${first}:*)`;
  if (name === "pytest") return "Bash(pytest:*)";
  if (TWO_WORD_PREFIXES[name]?.has(first)) return `Bash(${name} ${first}:*)`;
  return `Bash(${quoteArgv(core)})`;
};

export const rulesForAlwaysAllow = (toolName: string, input: unknown, context: { workspaceRoot: string; homeDir: string }): string[] => {
  const field = (key: string) => {
    const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[key] : undefined;
    return typeof value === "string" ? value : null;
  };
  if (toolName === "Bash") {
    const command = field("command");
    if (command === null || !isBashParserLoaded()) return [];
    const split = splitBashCommand(command);
    // Commands we cannot read with confidence ask every time; no rule should paper over that.
    if (!split.parsed || split.subcommands.some((sub) => sub.uncertain.length > 0 || !sub.literal.every(Boolean))) return [];
    return [...new Set(split.subcommands.filter((sub) => sub.argv.length > 0).map((sub) => bashRuleFor(unwrapCommand(sub.argv).core)))];
  }
  if (EDIT_TOOLS.has(toolName) || READ_TOOLS.has(toolName)) {
    const given = field("file_path") ?? field("notebook_path") ?? field("path");
    if (given === null) return [];
    const tool = EDIT_TOOLS.has(toolName) ? "Edit" : "Read";
    const absolute = path.posix.resolve(context.workspaceRoot, given);
    const relative = path.posix.relative(context.workspaceRoot, absolute);
    if (relative === "" ) return [`${tool}(/**)`];
    if (relative.startsWith("..")) return [`${tool}(/${absolute})`];
    const dir = path.posix.dirname(relative);
    // A file at the root gets itself; deeper files get their directory, anchored at the root.
    return [dir === "." ? `${tool}(/${relative})` : `${tool}(/${dir}/**)`];
  }
  if (toolName === "WebFetch") {
    const url = field("url");
    return url !== null && URL.canParse(url) ? [`WebFetch(domain:${new URL(url).hostname})`] : [];
  }
  return [toolName];
};

/** The single rule for an "always allow" answer, or null when none (or several) would be needed. */
export const ruleForAlwaysAllow = (toolName: string, input: unknown, context = { workspaceRoot: "/workspace", homeDir: SANDBOX_HOME }): string | null => {
  const rules = rulesForAlwaysAllow(toolName, input, context);
  return rules.length === 1 ? (rules[0] ?? null) : null;
};
