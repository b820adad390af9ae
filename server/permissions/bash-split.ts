// Splits a bash command line into the simple commands it would run (across &&, ||, ;, |, |&, &,
// newlines, subshells, $(...), backticks and process substitution) using tree-sitter-bash, with
// each command's argv after quote removal, its redirections, and anything we cannot vouch for.
import { createRequire } from "node:module";
import { Language, Parser, type Node } from "web-tree-sitter";

export const MAX_COMMAND_CHARS = 10_000;
const MAX_NESTED_SHELL_DEPTH = 4;

export type Redirect = {
  op: string;
  fd: string | null;
  /** The target after quote removal, or null for a heredoc / here-string. */
  target: string | null;
  literal: boolean;
  kind: "write" | "read" | "dup" | "heredoc" | "herestring";
};

export type SubCommand = {
  /** The command's source text (statement-level redirections not included). */
  text: string;
  /** Words after quote removal; a word with expansions keeps its source text (literal false). */
  argv: string[];
  literal: boolean[];
  /** Unquoted glob or brace characters: the shell will expand the word into other words. */
  glob: boolean[];
  assignments: Array<{ name: string; value: string; literal: boolean }>;
  redirects: Redirect[];
  /** Reasons this command cannot be judged with confidence; any one makes it ask. */
  uncertain: string[];
};

export type SplitResult = { parsed: boolean; reason: string | null; subcommands: SubCommand[] };

let parser: Parser | null = null;
let loading: Promise<void> | null = null;

/** Loads the wasm grammar once; every later split is synchronous. */
export const loadBashParser = (): Promise<void> => {
  if (parser) return Promise.resolve();
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const language = await Language.load(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
    const created = new Parser();
    created.setLanguage(language);
    parser = created;
  })();
  return loading;
};

export const isBashParserLoaded = () => parser !== null;

const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "ash"]);
const INTERPRETERS = new Set([
  ...SHELLS, "fish", "python", "python2", "python3", "node", "nodejs", "deno", "bun", "ruby", "perl", "php", "lua",
  "Rscript", "R", "osascript", "tclsh", "jshell", "irb", "ts-node", "tsx", "sudo", "su", "ssh", "psql", "mysql", "sqlite3",
  "docker", "kubectl", "env", "xargs", "exec", "source", ".", "eval",
]);

type Word = { value: string; literal: boolean; glob: boolean };

const unescapeUnquoted = (text: string) => text.replace(/\\\n/g, "").replace(/\\([\s\S])/g, "$1");
const unescapeDoubleQuoted = (text: string) => text.replace(/\\\n/g, "").replace(/\\([$`"\\])/g, "$1");
const hasUnescapedGlob = (text: string) => /(^|[^\\])(\\\\)*[*?[]/.test(text) || /(^|[^\\])\{[^}]*,[^}]*\}/.test(text);

const ANSI_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", v: "\v", "\\": "\\", "'": "'", '"': '"', "?": "?" };
const decodeAnsiC = (body: string) =>
  body.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|[\s\S])/g, (_match, escape: string) => {
    if (escape.startsWith("x") && escape.length > 1) return String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    if (/^[0-7]+$/.test(escape)) return String.fromCharCode(Number.parseInt(escape, 8));
    return ANSI_ESCAPES[escape] ?? `\\${escape}`;
  });

const children = (node: Node): Node[] => node.children.filter((child): child is Node => child !== null);

const wordOf = (node: Node): Word => {
  switch (node.type) {
    case "word":
      return { value: unescapeUnquoted(node.text), literal: true, glob: hasUnescapedGlob(node.text) };
    case "number":
      return { value: node.text, literal: true, glob: false };
    case "raw_string":
      return { value: node.text.slice(1, -1), literal: true, glob: false };
    case "ansi_c_string":
      return { value: decodeAnsiC(node.text.slice(2, -1)), literal: true, glob: false };
    case "string":
    case "translated_string": {
      const parts = children(node).filter((child) => child.type !== '"' && child.type !== '$"');
      const literal = parts.every((part) => part.type === "string_content");
      const value = parts.map((part) => (part.type === "string_content" ? unescapeDoubleQuoted(part.text) : part.text)).join("");
      return { value: literal ? value : node.text, literal, glob: false };
    }
    case "concatenation": {
      const parts = children(node).map(wordOf);
      return { value: parts.map((part) => part.value).join(""), literal: parts.every((part) => part.literal), glob: parts.some((part) => part.glob) };
    }
    default:
      return { value: node.text, literal: false, glob: false };
  }
};

type Walk = { subcommands: SubCommand[]; depth: number };

const SUBSTITUTIONS = new Set(["command_substitution", "process_substitution"]);

/** Walks every $(...), `...` and <(...) nested anywhere below `node` as statements of their own. */
const walkSubstitutions = (node: Node, walk: Walk) => {
  for (const child of children(node)) {
    if (SUBSTITUTIONS.has(child.type)) {
      for (const inner of children(child)) walkStatement(inner, walk, []);
      continue;
    }
    walkSubstitutions(child, walk);
  }
};

/** Walks `node` itself when it is a substitution, else the substitutions below it. */
const walkNested = (node: Node, walk: Walk) => {
  if (!SUBSTITUTIONS.has(node.type)) return walkSubstitutions(node, walk);
  for (const inner of children(node)) walkStatement(inner, walk, []);
};

const redirectOf = (node: Node, walk: Walk): Redirect => {
  // A heredoc node also holds the rest of its pipeline; only its body belongs to the redirect.
  if (node.type === "heredoc_redirect") for (const part of children(node)) if (part.type === "heredoc_body") walkSubstitutions(part, walk);
  if (node.type !== "heredoc_redirect") walkSubstitutions(node, walk);
  const parts = children(node);
  if (node.type === "herestring_redirect") return { op: "<<<", fd: null, target: null, literal: true, kind: "herestring" };
  if (node.type === "heredoc_redirect") return { op: "<<", fd: null, target: null, literal: true, kind: "heredoc" };
  const fd = node.childForFieldName("descriptor")?.text ?? null;
  const op = parts.find((part) => !part.isNamed)?.text ?? ">";
  // `3>&-` closes a descriptor.
  if (op === ">&-" || op === "<&-") return { op, fd, target: "-", literal: true, kind: "dup" };
  const destination = node.childForFieldName("destination");
  const word = destination ? wordOf(destination) : { value: "", literal: false, glob: false };
  const literal = word.literal && !word.glob;
  if (op === "<") return { op, fd, target: word.value, literal, kind: "read" };
  if ((op === ">&" || op === "<&") && /^(\d+|-)$/.test(word.value)) return { op, fd, target: word.value, literal, kind: "dup" };
  return { op, fd, target: word.value, literal, kind: "write" };
};

const SHELL_STRING_FLAGS = /^-[a-zA-Z]*c[a-zA-Z]*$/;

const commandOf = (node: Node, walk: Walk, outerRedirects: Redirect[]): void => {
  const subcommand: SubCommand = { text: node.text, argv: [], literal: [], glob: [], assignments: [], redirects: [...outerRedirects], uncertain: [] };
  for (const child of children(node)) {
    if (child.type === "variable_assignment") {
      walkSubstitutions(child, walk);
      const value = child.childForFieldName("value");
      const word = value ? wordOf(value) : { value: "", literal: true, glob: false };
      subcommand.assignments.push({ name: child.childForFieldName("name")?.text ?? "", value: word.value, literal: word.literal });
      continue;
    }
    if (child.type === "file_redirect" || child.type === "heredoc_redirect" || child.type === "herestring_redirect") {
      subcommand.redirects.push(redirectOf(child, walk));
      continue;
    }
    if (child.type === "command_name") {
      const inner = children(child)[0] ?? child;
      walkNested(inner, walk);
      const word = wordOf(inner);
      subcommand.argv.push(word.value);
      subcommand.literal.push(word.literal);
      subcommand.glob.push(word.glob);
      if (!word.literal || word.glob) subcommand.uncertain.push(`the command name ${JSON.stringify(inner.text)} is only known at run time`);
      continue;
    }
    if (!child.isNamed || child.type === "comment") continue;
    walkNested(child, walk);
    const word = wordOf(child);
    subcommand.argv.push(word.value);
    subcommand.literal.push(word.literal);
    subcommand.glob.push(word.glob);
  }
  const name = subcommand.argv[0];
  if (name === undefined) {
    // Only assignments and redirections: `> file` truncates, `x=$(...)` already walked.
    if (subcommand.redirects.some((redirect) => redirect.kind === "write")) walk.subcommands.push(subcommand);
    return;
  }
  // Judge what actually runs: `timeout 5 bash -c ...`, `sudo -u x bash -c ...`, `command eval ...`.
  const inner = innermostCommand(subcommand.argv);
  const innerName = inner.argv[0] ?? name;
  const innerLiteral = (offset: number) => subcommand.literal[inner.offset + offset] ?? false;
  if (innerName === "eval") subcommand.uncertain.push("eval runs a string as a command");
  if ((innerName === "su" && inner.argv.includes("-c")) || ((innerName === "sudo" || innerName === "doas") && inner.argv.length > 1)) {
    subcommand.uncertain.push(`${innerName} runs a command we cannot look into`);
  }
  // `bash -c 'a && b'`, `trap 'cmd' EXIT`, `alias x='cmd'`: the string is a command line of its
  // own (run now or later), split recursively.
  const shellString = SHELLS.has(innerName) && SHELL_STRING_FLAGS.test(inner.argv[1] ?? "");
  if (innerName === "trap" || innerName === "alias") {
    for (const [index, word] of inner.argv.entries()) {
      if (index === 0 || word.startsWith("-")) continue;
      const code = innerName === "alias" ? word.slice(word.indexOf("=") + 1) : word;
      if (!innerLiteral(index)) subcommand.uncertain.push(`${innerName} stores a command only known at run time`);
      else walk.subcommands.push(...splitWith(code, walk.depth + 1).subcommands);
      if (innerName === "trap") break;
    }
  }
  if (shellString) {
    const script = inner.argv[2];
    if (script === undefined || !innerLiteral(2)) subcommand.uncertain.push(`${innerName} -c runs a string only known at run time`);
    else if (walk.depth >= MAX_NESTED_SHELL_DEPTH) subcommand.uncertain.push(`${innerName} -c is nested too deeply`);
    else {
      const nested = splitWith(script, walk.depth + 1);
      if (!nested.parsed) subcommand.uncertain.push(`${innerName} -c: ${nested.reason ?? "cannot parse the string"}`);
      walk.subcommands.push(...nested.subcommands);
    }
  }
  const fedInput = subcommand.redirects.some((redirect) => redirect.kind === "heredoc" || redirect.kind === "herestring");
  if (fedInput && (INTERPRETERS.has(name) || INTERPRETERS.has(innerName))) subcommand.uncertain.push(`a heredoc or here-string is fed to ${innerName} as code`);
  walk.subcommands.push(subcommand);
};

const STATEMENT_CONTAINERS = new Set([
  "program", "list", "pipeline", "subshell", "compound_statement", "negated_command", "if_statement", "elif_clause",
  "else_clause", "while_statement", "for_statement", "c_style_for_statement", "do_group", "case_statement", "case_item",
  "function_definition", "redirected_statement",
]);

const walkStatement = (node: Node, walk: Walk, outerRedirects: Redirect[]): void => {
  if (!node.isNamed || node.type === "comment") return;
  if (node.type === "command") return commandOf(node, walk, outerRedirects);
  if (node.type === "redirected_statement") return redirectedStatement(node, walk, outerRedirects);
  if (SUBSTITUTIONS.has(node.type)) {
    for (const inner of children(node)) walkStatement(inner, walk, []);
    return;
  }
  if (STATEMENT_CONTAINERS.has(node.type)) {
    for (const child of children(node)) {
      if (child.isNamed && !STATEMENT_CONTAINERS.has(child.type) && child.type !== "command" && !SUBSTITUTIONS.has(child.type)) {
        // Conditions, loop values, case words: only their substitutions run.
        if (child.type === "declaration_command" || child.type === "unset_command" || child.type === "test_command") {
          walkStatement(child, walk, outerRedirects);
          continue;
        }
        walkSubstitutions(child, walk);
        continue;
      }
      walkStatement(child, walk, outerRedirects);
    }
    return;
  }
  if (node.type === "declaration_command" || node.type === "unset_command") {
    // export/declare/local/readonly/unset: shell state only, but their values may run commands.
    walkSubstitutions(node, walk);
    const argv = children(node).map((child) => (child.isNamed ? wordOf(child).value : child.text));
    walk.subcommands.push({ text: node.text, argv, literal: argv.map(() => true), glob: argv.map(() => false), assignments: [], redirects: [...outerRedirects], uncertain: [] });
    return;
  }
  if (node.type === "variable_assignment" || node.type === "variable_assignments" || node.type === "test_command") {
    walkSubstitutions(node, walk);
    if (outerRedirects.some((redirect) => redirect.kind === "write")) {
      walk.subcommands.push({ text: node.text, argv: [], literal: [], glob: [], assignments: [], redirects: [...outerRedirects], uncertain: [] });
    }
    return;
  }
  // Anything else (arithmetic commands, coprocs, ...) we do not model: ask.
  walkSubstitutions(node, walk);
  walk.subcommands.push({ text: node.text, argv: [node.type], literal: [false], glob: [false], assignments: [], redirects: [...outerRedirects], uncertain: [`unsupported shell construct: ${node.type}`] });
};

const redirectedStatement = (node: Node, walk: Walk, outerRedirects: Redirect[]) => {
  const redirects: Redirect[] = [...outerRedirects];
  const trailing: Node[] = [];
  let body: Node | null = null;
  for (const [index, child] of children(node).entries()) {
    const field = node.fieldNameForChild(index);
    if (field === "body") {
      body = child;
      continue;
    }
    if (child.type === "heredoc_redirect") {
      // `cat <<EOF | python` puts the rest of the pipeline inside the heredoc node.
      for (const part of children(child)) {
        if (part.type === "file_redirect" || part.type === "herestring_redirect") redirects.push(redirectOf(part, walk));
        else if (part.isNamed && !part.type.startsWith("heredoc_")) trailing.push(part);
      }
      redirects.push(redirectOf(child, walk));
      continue;
    }
    if (child.type === "file_redirect" || child.type === "herestring_redirect") redirects.push(redirectOf(child, walk));
  }
  const before = walk.subcommands.length;
  if (body) walkStatement(body, walk, redirects);
  const fedByHeredoc = redirects.some((redirect) => redirect.kind === "heredoc" || redirect.kind === "herestring");
  for (const part of trailing) {
    const start = walk.subcommands.length;
    walkStatement(part, walk, []);
    if (!fedByHeredoc) continue;
    for (const subcommand of walk.subcommands.slice(start)) {
      const name = subcommand.argv[0] ?? "";
      if (INTERPRETERS.has(name)) subcommand.uncertain.push(`a heredoc is piped into ${name} as code`);
    }
  }
  if (!body && walk.subcommands.length === before) {
    walk.subcommands.push({ text: node.text, argv: [], literal: [], glob: [], assignments: [], redirects, uncertain: [] });
  }
};

const findSyntaxError = (node: Node): Node | null => {
  if (node.type === "ERROR" || node.isMissing) return node;
  if (!node.hasError) return null;
  for (const child of children(node)) {
    const found = findSyntaxError(child);
    if (found) return found;
  }
  return node;
};

const splitWith = (command: string, depth: number): SplitResult => {
  if (!parser) throw new Error("splitBashCommand called before loadBashParser()");
  if (command.length > MAX_COMMAND_CHARS) return { parsed: false, reason: `the command is longer than ${MAX_COMMAND_CHARS} characters`, subcommands: [] };
  if (command.includes("\0")) return { parsed: false, reason: "the command contains a NUL byte", subcommands: [] };
  const tree = parser.parse(command);
  if (!tree) return { parsed: false, reason: "the parser gave no tree", subcommands: [] };
  try {
    const error = findSyntaxError(tree.rootNode);
    if (error) {
      const near = error.text.slice(0, 40);
      return { parsed: false, reason: `syntax error at line ${error.startPosition.row + 1}${near ? ` near ${JSON.stringify(near)}` : ""}`, subcommands: [] };
    }
    const walk: Walk = { subcommands: [], depth };
    walkStatement(tree.rootNode, walk, []);
    return { parsed: true, reason: null, subcommands: walk.subcommands };
  } finally {
    tree.delete();
  }
};

/** Splits `command` into its simple commands; call `loadBashParser()` once before. */
export const splitBashCommand = (command: string): SplitResult => splitWith(command, 0);

// ---------------------------------------------------------------------------------------------
// Wrappers: commands that run another command given as their arguments.

export type Unwrapped = {
  /** The command the wrappers run, e.g. ["npm", "test"] for `timeout 60 nice npm test`. */
  core: string[];
  /** Index of core[0] in the original argv. */
  offset: number;
  wrappers: string[];
  /** Environment set by `env VAR=...` (on top of the command's own prefix assignments). */
  env: Array<{ name: string; value: string }>;
  /** xargs appends words the command line does not show. */
  appendsArgs: boolean;
  /** A wrapper option we do not know: the core cannot be found with confidence. */
  unknownOption: string | null;
  /** Files a wrapper reads itself (`xargs -a FILE`). */
  reads: string[];
};

type WrapperSpec = { optionsWithValue: Set<string>; flags: RegExp; positional: number };

const WRAPPERS: Record<string, WrapperSpec> = {
  timeout: { optionsWithValue: new Set(["-s", "--signal", "-k", "--kill-after"]), flags: /^(--preserve-status|--foreground|-v|--verbose|(-s|--signal|-k|--kill-after)=.+|-[sk].+)$/, positional: 1 },
  nice: { optionsWithValue: new Set(["-n", "--adjustment"]), flags: /^(-\d+|--adjustment=.+|-n.+)$/, positional: 0 },
  nohup: { optionsWithValue: new Set(), flags: /^$/, positional: 0 },
  command: { optionsWithValue: new Set(), flags: /^-p$/, positional: 0 },
  time: { optionsWithValue: new Set(["-f", "--format", "-o", "--output"]), flags: /^(-p|-v|--verbose|--portability|-a|--append)$/, positional: 0 },
  exec: { optionsWithValue: new Set(["-a"]), flags: /^(-c|-l|-cl|-lc)$/, positional: 0 },
  stdbuf: { optionsWithValue: new Set(["-i", "-o", "-e"]), flags: /^(-[ioe].+|--(input|output|error)=.+)$/, positional: 0 },
  builtin: { optionsWithValue: new Set(), flags: /^$/, positional: 0 },
  env: { optionsWithValue: new Set(["-u", "--unset"]), flags: /^(-i|--ignore-environment|-0|--null|-|-u.+|--unset=.+)$/, positional: 0 },
  xargs: {
    optionsWithValue: new Set(["-a", "--arg-file", "-d", "--delimiter", "-E", "-e", "-I", "-i", "-L", "-l", "-n", "--max-args", "-P", "--max-procs", "-s", "--max-chars"]),
    flags: /^(-0|--null|-r|--no-run-if-empty|-t|--verbose|-x|--exit|-p|--interactive|-[0rtx]+|-[nLPsdIEa].+|--[a-z-]+=.+)$/,
    positional: 0,
  },
};

/** Looks through timeout, nice, nohup, env VAR=..., command, time, exec, stdbuf and xargs. */
export const unwrapCommand = (argv: string[]): Unwrapped => {
  const result: Unwrapped = { core: argv, offset: 0, wrappers: [], env: [], appendsArgs: false, unknownOption: null, reads: [] };
  let index = 0;
  for (let hops = 0; hops < 10; hops++) {
    const name = argv[index];
    const spec = name === undefined ? undefined : WRAPPERS[name];
    if (!name || !spec) break;
    // `command -v x` / `command -V x` only look a name up.
    if (name === "command" && /^-[vV]$/.test(argv[index + 1] ?? "")) break;
    let cursor = index + 1;
    while (cursor < argv.length) {
      const word = argv[cursor] ?? "";
      if (word === "--") {
        cursor++;
        break;
      }
      if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
        const equals = word.indexOf("=");
        result.env.push({ name: word.slice(0, equals), value: word.slice(equals + 1) });
        cursor++;
        continue;
      }
      if (!word.startsWith("-") || word === "-" && name !== "env") break;
      if (name === "xargs" && /^(-a|--arg-file)(=|$)/.test(word)) result.reads.push(word.includes("=") ? word.slice(word.indexOf("=") + 1) : (argv[cursor + 1] ?? ""));
      if (spec.optionsWithValue.has(word)) {
        cursor += 2;
        continue;
      }
      if (spec.flags.test(word)) {
        cursor++;
        continue;
      }
      result.unknownOption = `${name} ${word}`;
      return { ...result, core: argv.slice(index), offset: index };
    }
    cursor += spec.positional;
    result.wrappers.push(name);
    if (name === "xargs") result.appendsArgs = true;
    if (cursor >= argv.length) {
      // `xargs` alone runs echo; `env` alone prints the environment; `time` alone times nothing.
      const fallback = name === "xargs" ? ["echo"] : name === "env" ? ["env"] : [];
      return { ...result, core: fallback, offset: argv.length };
    }
    index = cursor;
  }
  return { ...result, core: argv.slice(index), offset: index };
};

const ELEVATORS = new Set(["sudo", "doas"]);
const SUDO_OPTIONS_WITH_VALUE = new Set(["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-T", "-U", "--user", "--group", "--host", "--prompt", "--chdir"]);

/**
 * The command that finally runs under wrappers and sudo/doas, for looking into `bash -c` strings
 * and spotting eval. `elevated` says sudo or doas was on the way.
 */
export const innermostCommand = (argv: string[]): { argv: string[]; offset: number; elevated: boolean } => {
  let offset = 0;
  let elevated = false;
  for (let hops = 0; hops < 10; hops++) {
    const current = argv.slice(offset);
    const unwrapped = unwrapCommand(current);
    if (unwrapped.unknownOption) return { argv: current, offset, elevated };
    offset += unwrapped.offset;
    const name = argv[offset];
    if (name === undefined || !ELEVATORS.has(name)) return { argv: unwrapped.core, offset, elevated };
    elevated = true;
    let cursor = offset + 1;
    while (cursor < argv.length && (argv[cursor] ?? "").startsWith("-")) {
      const option = argv[cursor] ?? "";
      if (option === "--") {
        cursor++;
        break;
      }
      // sudo -s / -i start a shell: nothing further to look into.
      if (/^-[a-zA-Z]*[si]/.test(option) && !option.startsWith("--")) return { argv: argv.slice(offset), offset, elevated };
      cursor += SUDO_OPTIONS_WITH_VALUE.has(option) ? 2 : 1;
    }
    if (cursor >= argv.length) return { argv: argv.slice(offset), offset, elevated };
    offset = cursor;
  }
  return { argv: argv.slice(offset), offset, elevated };
};
