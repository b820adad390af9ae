// The one decision: may this tool call run (allow), must a person approve it (ask), or is it
// refused (deny)? Rules first (deny, then ask, then allow), then protected paths, catastrophic
// commands and parser doubts, then the mode. Pure and synchronous once the bash parser is loaded.
import path from "node:path";
import { innermostCommand, splitBashCommand, unwrapCommand, type SubCommand } from "./bash-split";
import { catastrophicReason, catastrophicText, catastrophicWrite, pipesDownloadIntoShell, RM_ROOT_TEXT, type DangerContext } from "./dangerous";
import { modeFallback, type ActionKind, type Mode } from "./modes";
import type { CompiledRule, CompiledRules, RuleSourceName } from "./policy";
import { classifyCommand } from "./read-only-commands";
import { EDIT_TOOLS, matchBashPattern, matchDomain, matchPathPattern, matchToolName, READ_TOOLS, type RuleList } from "./rules";

export type Verdict = "allow" | "ask" | "deny";

export type SubcommandDecision = {
  argv: string[];
  text: string;
  decision: Verdict;
  rule: string | null;
  reason: string;
  dangerous: boolean;
};

export type Decision = {
  decision: Verdict;
  reason: string;
  /** The rule that decided, as written (e.g. "Bash(npm run test:*)"), or null. */
  rule: string | null;
  /** Which source that rule came from. */
  source: RuleSourceName | null;
  dangerous: boolean;
  /** Bash only: whether the command parsed with confidence. */
  parsed?: boolean;
  subcommands?: SubcommandDecision[];
};

export type PermissionRequest = { tool: string; input: unknown; cwd?: string };

export type DecideContext = {
  rules: CompiledRules;
  mode: Mode;
  workspaceRoot: string;
  homeDir: string;
  /** Tools that change nothing (TodoWrite, ...): allowed in every mode unless a rule says otherwise. */
  readOnlyTools: ReadonlySet<string>;
};

const STRICTNESS: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };
const stricter = (a: Verdict, b: Verdict): Verdict => (STRICTNESS[a] >= STRICTNESS[b] ? a : b);

const ruleDecision = (match: CompiledRule, reason?: string): Decision => ({
  decision: match.list,
  reason: reason ?? `${match.list} rule ${match.rule.raw} (${match.source}: ${match.origin})`,
  rule: match.rule.raw,
  source: match.source,
  dangerous: false,
});

const plain = (decision: Verdict, reason: string): Decision => ({ decision, reason, rule: null, source: null, dangerous: false });

const findRule = (rules: CompiledRules, list: RuleList, predicate: (rule: CompiledRule) => boolean) =>
  rules.rules.find((rule) => rule.list === list && predicate(rule)) ?? null;

const firstMatch = (rules: CompiledRules, predicate: (rule: CompiledRule) => boolean, lists: RuleList[] = ["deny", "ask", "allow"]) => {
  for (const list of lists) {
    const found = findRule(rules, list, predicate);
    if (found) return found;
  }
  return null;
};

// ---------------------------------------------------------------------------------------------
// Paths

const PROTECTED_DIRS = new Set([".git", ".pincer", ".claude", ".vscode", ".idea", ".ssh"]);
const PROTECTED_FILES = new Set([
  ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv", ".zprofile", ".zlogin",
  ".zlogout", ".kshrc", ".cshrc", ".tcshrc", ".inputrc", ".gitconfig", ".gitmodules", ".npmrc", ".envrc",
]);

/** Paths whose change could give the agent more power: VCS internals, our settings, shell startup. */
export const protectedReason = (absolutePath: string): string | null => {
  const parts = absolutePath.split("/").filter(Boolean);
  const dir = parts.slice(0, -1).find((part) => PROTECTED_DIRS.has(part)) ?? (PROTECTED_DIRS.has(parts.at(-1) ?? "") ? parts.at(-1) : undefined);
  if (dir) return `${dir}/ is a protected path`;
  const base = parts.at(-1) ?? "";
  if (PROTECTED_FILES.has(base)) return `${base} is a protected file`;
  return null;
};

const isInside = (absolutePath: string, root: string) => absolutePath === root || absolutePath.startsWith(`${root.replace(/\/$/, "")}/`);

const expandHome = (word: string, homeDir: string) => {
  if (word === "~" || word === "$HOME") return homeDir;
  if (word.startsWith("~/")) return homeDir + word.slice(1);
  if (word.startsWith("$HOME/")) return homeDir + word.slice(5);
  return word;
};

const resolvePath = (word: string, cwd: string, homeDir: string) => path.posix.resolve(cwd, expandHome(word, homeDir));

type PathVerdict = Decision & { soft: boolean };

const pathRuleApplies = (rule: CompiledRule, access: "read" | "edit", absolutePath: string) => {
  const tools = access === "edit" ? EDIT_TOOLS : rule.list === "allow" ? new Set([...READ_TOOLS, ...EDIT_TOOLS]) : READ_TOOLS;
  if (!tools.has(rule.rule.tool)) return false;
  if (rule.rule.specifier === null) return true;
  return rule.path !== null && matchPathPattern(rule.path, absolutePath);
};

/** Reading or editing one absolute path, under the rules and the mode. */
export const decidePath = (absolutePath: string, access: "read" | "edit", context: DecideContext, toolName?: string): PathVerdict => {
  const applies = (rule: CompiledRule) =>
    pathRuleApplies(rule, access, absolutePath) || (toolName !== undefined && rule.rule.specifier === null && rule.rule.tool === toolName);
  // Searching or listing a directory reads what is inside it: `Read(./secrets/**)` covers `Grep secrets`.
  const searchesInside = toolName === "Glob" || toolName === "Grep" || toolName === "LS";
  const restricts = (rule: CompiledRule) => applies(rule) || (searchesInside && pathRuleApplies(rule, access, `${absolutePath.replace(/\/$/, "")}/\u0001`));
  const denied = findRule(context.rules, "deny", restricts);
  if (denied) return { ...ruleDecision(denied), soft: false };
  const asked = findRule(context.rules, "ask", restricts);
  if (asked) return { ...ruleDecision(asked), soft: false };
  const inside = isInside(absolutePath, context.workspaceRoot);
  if (access === "read") {
    const allowed = findRule(context.rules, "allow", applies);
    if (allowed) return { ...ruleDecision(allowed), soft: false };
    const verdict = modeFallback(context.mode, inside ? "read" : "read-outside");
    return { ...plain(verdict.decision, inside ? verdict.reason : `${absolutePath} is outside the workspace; ${verdict.reason}`), soft: true };
  }
  if (context.mode === "plan") return { ...plain("deny", modeFallback("plan", "edit").reason), soft: false };
  const isProtected = protectedReason(absolutePath);
  if (isProtected) return { ...plain("ask", `${isProtected}: changes to it always ask`), soft: false };
  const allowed = findRule(context.rules, "allow", applies);
  if (allowed) return { ...ruleDecision(allowed), soft: false };
  const verdict = modeFallback(context.mode, inside ? "edit" : "edit-outside");
  return { ...plain(verdict.decision, inside ? verdict.reason : `${absolutePath} is outside the workspace; ${verdict.reason}`), soft: true };
};

// ---------------------------------------------------------------------------------------------
// Bash

const SAFE_ENV = /^(NODE_ENV|CI|DEBUG|LANG|LANGUAGE|LC_[A-Z]+|TZ|NO_COLOR|FORCE_COLOR|TERM|COLUMNS|LINES|RUST_BACKTRACE|RUST_LOG|PYTHONUNBUFFERED|PYTHONDONTWRITEBYTECODE|GOFLAGS|GOOS|GOARCH|CGO_ENABLED|VERBOSE|LOG_LEVEL|PAGER|GIT_PAGER|NODE_OPTIONS_IGNORED)$/;

/** Read-only commands that read the working directory when given no paths. */
const IMPLICIT_CWD_READERS = new Set(["ls", "find", "rg", "ag", "du", "tree", "git", "fd", "fdfind", "dir"]);

const INTERPRETER_CODE = new Set(["python", "python2", "python3", "node", "perl", "ruby", "php", "deno", "bun", "lua"]);

const DEV_SINKS = /^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/;

/** Words after quote removal, re-quoted where needed so the text reads back as the same argv. */
export const quoteArgv = (argv: string[]) =>
  argv.map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(" ");

type SubcommandPlan = { sub: SubCommand; decision: SubcommandDecision };

const decideSubcommand = (sub: SubCommand, context: DecideContext, cwds: string[], cwdKnown: boolean): SubcommandDecision => {
  const unwrapped = unwrapCommand(sub.argv);
  const core = unwrapped.core;
  const env = [...sub.assignments.map((assignment) => assignment.name), ...unwrapped.env.map((entry) => entry.name)];
  const safeEnv = env.every((name) => SAFE_ENV.test(name));
  const assignmentPrefix = sub.assignments.map((assignment) => `${assignment.name}=${assignment.value}`).join(" ");
  const fullText = sub.argv.join(" ");
  const denyTexts = [fullText, core.join(" "), sub.text, quoteArgv(sub.argv), quoteArgv(core)];
  const allowTexts = safeEnv && !unwrapped.unknownOption ? denyTexts : [sub.text, `${assignmentPrefix} ${fullText}`.trim()];
  const base = { argv: sub.argv, text: sub.text };
  const finish = (decision: Verdict, reason: string, rule: string | null = null, dangerous = false): SubcommandDecision => ({ ...base, decision, reason, rule, dangerous });

  const matchesBash = (texts: string[]) => (rule: CompiledRule) => {
    if (rule.rule.tool !== "Bash") return false;
    if (rule.rule.specifier === null) return true;
    const pattern = rule.bash;
    return pattern !== null && texts.some((text) => matchBashPattern(pattern, text, unwrapped.appendsArgs && text !== sub.text && text !== fullText));
  };

  // Catastrophic? Judged from every working directory the command might be in.
  const danger: DangerContext[] = cwds.map((cwd) => ({ cwd, homeDir: context.homeDir, workspaceRoot: context.workspaceRoot }));
  const inner = innermostCommand(sub.argv);
  const innerArgv = inner.elevated ? ["sudo", ...inner.argv] : inner.argv;
  // Code handed to an interpreter as a string (`perl -e 'system("rm -rf /")'`) is only scanned.
  const codeDanger = INTERPRETER_CODE.has(inner.argv[0] ?? "") && inner.argv.slice(1).some((word) => RM_ROOT_TEXT.test(word)) ? "interpreter code that removes / or the home directory" : null;
  const dangerReason =
    codeDanger ??
    danger.map((entry) => catastrophicReason(core, entry) ?? catastrophicReason(innerArgv, entry)).find((reason) => reason !== null) ??
    sub.redirects
      .filter((redirect) => redirect.kind === "write" && redirect.literal && redirect.target)
      .map((redirect) => catastrophicWrite(resolvePath(redirect.target!, cwds[0]!, context.homeDir), danger[0]!))
      .find((reason) => reason !== null) ??
    null;
  const dangerous = dangerReason !== null;

  const denied = findRule(context.rules, "deny", matchesBash(denyTexts));
  if (denied) return finish("deny", `deny rule ${denied.rule.raw} (${denied.source})`, denied.rule.raw, dangerous);

  // Files the command reads and writes, each checked like the Read and Edit tools would be.
  const classification = safeEnv && !unwrapped.unknownOption ? classifyCommand(core) : null;
  const pathVerdicts: PathVerdict[] = [];
  const uncertain = [...sub.uncertain];
  if (unwrapped.unknownOption) uncertain.push(`unknown wrapper option ${unwrapped.unknownOption}`);
  const checkPath = (word: string, literal: boolean, access: "read" | "edit") => {
    if (access === "edit" && DEV_SINKS.test(word)) return;
    if (!literal) {
      uncertain.push(`${access === "edit" ? "writes to" : "reads"} ${JSON.stringify(word)}, a path only known at run time`);
      return;
    }
    if (!cwdKnown && !word.startsWith("/") && !word.startsWith("~")) {
      uncertain.push(`the working directory is unknown after cd, so ${JSON.stringify(word)} cannot be placed`);
      return;
    }
    for (const cwd of cwds) pathVerdicts.push(decidePath(resolvePath(word, cwd, context.homeDir), access, context));
  };
  for (const file of unwrapped.reads) checkPath(file, true, "read");
  for (const redirect of sub.redirects) {
    if (redirect.kind === "write") checkPath(redirect.target ?? "", redirect.literal, "edit");
    if (redirect.kind === "read") checkPath(redirect.target ?? "", redirect.literal, "read");
  }
  if (classification) {
    const offset = unwrapped.offset;
    for (const word of classification.writePaths) {
      const index = sub.argv.indexOf(word, offset);
      checkPath(word, index < 0 || (sub.literal[index] ?? false), "edit");
    }
    if (classification.readOnly) {
      for (const word of classification.readPaths) {
        const index = sub.argv.indexOf(word, offset);
        const literal = index < 0 || (sub.literal[index] ?? false);
        // <(cmd) is a pipe, not a file; the command inside was split out and judged on its own.
        if (!/^[<>]\(/.test(word)) checkPath(word, literal, "read");
      }
      if (classification.readPaths.length === 0 && IMPLICIT_CWD_READERS.has(core[0] ?? "")) {
        for (const cwd of cwds) pathVerdicts.push(decidePath(cwd, "read", context));
      }
    }
  }
  const pathDenied = pathVerdicts.find((verdict) => verdict.decision === "deny");
  if (pathDenied) return finish("deny", pathDenied.reason, pathDenied.rule, dangerous);

  const asked = findRule(context.rules, "ask", matchesBash(denyTexts));
  if (asked) return finish("ask", `ask rule ${asked.rule.raw} (${asked.source})`, asked.rule.raw, dangerous);
  if (uncertain.length > 0) return finish("ask", `cannot judge with confidence: ${uncertain[0]}`, null, dangerous);
  if (dangerous) return finish("ask", `catastrophic: ${dangerReason}`, null, true);
  const hardAsk = pathVerdicts.find((verdict) => verdict.decision === "ask" && !verdict.soft);
  if (hardAsk) return finish("ask", hardAsk.reason, hardAsk.rule);

  const readOnly = classification?.readOnly === true;
  // A command that may write, naming a protected path (`cp x .git/hooks/pre-commit`,
  // `sed -i ... ~/.bashrc`), asks like an edit of that path would, whatever allows it.
  if (!readOnly) {
    for (const [index, word] of sub.argv.entries()) {
      if (index === 0 || !sub.literal[index]) continue;
      const value = word.startsWith("-") ? word.slice(word.indexOf("=") + 1) : word;
      if (value === "" || value === word && word.startsWith("-")) continue;
      const isProtected = cwds.map((cwd) => protectedReason(resolvePath(value, cwd, context.homeDir))).find((reason) => reason !== null);
      if (isProtected) return finish("ask", `${isProtected}: commands that may change it always ask`);
    }
  }
  if (context.mode === "plan" && !readOnly) return finish("deny", `plan mode allows read-only commands only; ${classification?.reason ?? "the command sets its own environment"}`);

  const allowed = findRule(context.rules, "allow", matchesBash(allowTexts));
  if (allowed) return finish("allow", `allow rule ${allowed.rule.raw} (${allowed.source})`, allowed.rule.raw);
  if (context.mode === "bypassPermissions") return finish("allow", "bypassPermissions mode");

  const softAsk = pathVerdicts.find((verdict) => verdict.decision !== "allow");
  if (softAsk) return finish("ask", softAsk.reason, softAsk.rule);
  if (readOnly) {
    const ruled = pathVerdicts.find((verdict) => verdict.rule !== null);
    return finish("allow", classification!.reason, ruled?.rule ?? null);
  }
  if (core.length === 0 && sub.redirects.length > 0) return finish("allow", pathVerdicts[0]?.reason ?? "only redirections");
  const why = classification ? classification.reason : safeEnv ? `unknown wrapper option` : `it sets ${env.find((name) => !SAFE_ENV.test(name))} for the command`;
  return finish("ask", `${modeFallback(context.mode, "execute").reason} (${why})`);
};

export const decideBash = (command: string, context: DecideContext, cwd: string): Decision => {
  if (command.trim() === "") return plain("ask", "empty command");
  const split = splitBashCommand(command);
  const textDanger = catastrophicText(command, split.parsed);
  if (!split.parsed) {
    const normalized = command.trim();
    const denied = findRule(context.rules, "deny", (rule) => rule.rule.tool === "Bash" && (rule.rule.specifier === null || (rule.bash !== null && matchBashPattern(rule.bash, normalized))));
    if (denied) return { ...ruleDecision(denied), dangerous: textDanger !== null, parsed: false, subcommands: [] };
    return { ...plain("ask", `cannot parse with confidence: ${split.reason}`), dangerous: textDanger !== null, parsed: false, subcommands: [] };
  }
  const plans: SubcommandPlan[] = [];
  const cwds = [cwd];
  let cwdKnown = true;
  for (const sub of split.subcommands) {
    plans.push({ sub, decision: decideSubcommand(sub, context, [...new Set(cwds)], cwdKnown) });
    const core = unwrapCommand(sub.argv).core;
    if (core[0] === "cd" || core[0] === "pushd") {
      const target = core.find((word, index) => index > 0 && !word.startsWith("-"));
      const index = target === undefined ? -1 : sub.argv.indexOf(target);
      if (target === undefined) cwds.push(context.homeDir);
      else if (target === "-" || (index >= 0 && !sub.literal[index])) cwdKnown = false;
      else cwds.push(resolvePath(target, cwds.at(-1) ?? cwd, context.homeDir));
    }
  }
  const subcommands = plans.map((plan) => plan.decision);
  const names = split.subcommands.map((sub) => innermostCommand(sub.argv).argv[0] ?? "");
  const pipeDanger = pipesDownloadIntoShell(names) ? "piping a download into an interpreter" : null;
  const dangerous = subcommands.some((sub) => sub.dangerous) || textDanger !== null || pipeDanger !== null;
  if (subcommands.length === 0) return { ...plain("allow", "nothing runs (only assignments or comments)"), dangerous, parsed: true, subcommands };
  const verdict = subcommands.map((sub) => sub.decision).reduce(stricter, "allow");
  const deciding = subcommands.find((sub) => sub.decision === verdict) ?? subcommands[0]!;
  const sourceOf = (rule: string | null) => (rule === null ? null : (context.rules.rules.find((entry) => entry.rule.raw === rule)?.source ?? null));
  if (verdict === "allow" && dangerous) {
    const reason = textDanger ?? pipeDanger ?? "catastrophic command";
    return { ...plain("ask", `catastrophic: ${reason}`), dangerous, parsed: true, subcommands };
  }
  const prefix = subcommands.length > 1 && verdict !== "allow" ? `${quoteArgv(deciding.argv) || deciding.text}: ` : "";
  const reason = verdict === "allow" && subcommands.length > 1 ? "every sub-command is allowed" : `${prefix}${deciding.reason}`;
  const rules = [...new Set(subcommands.filter((sub) => sub.decision === verdict).map((sub) => sub.rule))];
  const rule = verdict === "allow" ? (rules.length === 1 ? (rules[0] ?? null) : null) : deciding.rule;
  return { decision: verdict, reason, rule, source: sourceOf(rule), dangerous, parsed: true, subcommands };
};

// ---------------------------------------------------------------------------------------------
// Every tool

const stringField = (input: unknown, ...keys: string[]): string | null => {
  if (typeof input !== "object" || input === null) return null;
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
};

const decideByName = (tool: string, context: DecideContext, kind: ActionKind): Decision => {
  const match = firstMatch(context.rules, (rule) => rule.rule.specifier === null && matchToolName(rule.rule.tool, tool));
  if (match) return ruleDecision(match);
  if (context.readOnlyTools.has(tool)) return plain("allow", `${tool} changes nothing`);
  const verdict = modeFallback(context.mode, kind);
  return plain(verdict.decision, verdict.reason);
};

/** Decides one tool call. Bash needs `loadBashParser()` to have finished. */
export const decide = (request: PermissionRequest, context: DecideContext): Decision => {
  const { tool, input } = request;
  const cwd = request.cwd ?? context.workspaceRoot;
  if (tool === "Bash") {
    const command = stringField(input, "command");
    if (command === null) return plain("ask", "Bash call without a command");
    return decideBash(command, context, cwd);
  }
  if (EDIT_TOOLS.has(tool) || READ_TOOLS.has(tool)) {
    const access = EDIT_TOOLS.has(tool) ? "edit" : "read";
    const pattern = tool === "Glob" ? stringField(input, "pattern") : null;
    const patternBase = pattern !== null && /^(\/|~)/.test(pattern) ? pattern.replace(/[*?[{].*$/, "") || "/" : null;
    const given = stringField(input, "file_path", "notebook_path", "path") ?? patternBase ?? (access === "read" ? cwd : null);
    if (given === null) return plain("ask", `${tool} call without a path`);
    const absolutePath = resolvePath(given, cwd, context.homeDir);
    const verdict = decidePath(absolutePath, access, context, tool);
    const { soft: _soft, ...decision } = verdict;
    return decision;
  }
  if (tool === "WebFetch") {
    const url = stringField(input, "url");
    const host = url === null ? null : URL.canParse(url) ? new URL(url).hostname : null;
    const match = firstMatch(context.rules, (rule) => {
      if (rule.rule.tool !== "WebFetch") return false;
      if (rule.rule.specifier === null) return true;
      return host !== null && matchDomain(rule.rule.specifier, host);
    });
    if (match) return ruleDecision(match);
    if (host === null) return plain("ask", "WebFetch without a valid URL");
    const verdict = modeFallback(context.mode, "network");
    return plain(verdict.decision, `${host}: ${verdict.reason}`);
  }
  if (tool === "ExitPlanMode") {
    const match = firstMatch(context.rules, (rule) => rule.rule.specifier === null && rule.rule.tool === tool, ["deny"]);
    if (match) return ruleDecision(match);
    return context.mode === "plan" ? plain("ask", "leaving plan mode needs approval") : plain("allow", "not in plan mode");
  }
  return decideByName(tool, context, tool === "WebSearch" ? "network" : "other");
};
