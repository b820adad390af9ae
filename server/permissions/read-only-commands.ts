// The built-in list of commands that only read, allowed by default inside the workspace, with the
// flags and scripts that would make them write or run other programs excluded.

export type CommandClass = {
  readOnly: boolean;
  /** Why it is (not) read-only, for the decision's reason. */
  reason: string;
  /** Words that may name files the command reads (checked against the workspace and Read rules). */
  readPaths: string[];
  /** Files the command writes besides redirections (tee's arguments). */
  writePaths: string[];
};

const notReadOnly = (reason: string): CommandClass => ({ readOnly: false, reason, readPaths: [], writePaths: [] });

/** Commands that never touch files named by their arguments. */
const PURE = new Set([
  "echo", "printf", "true", "false", "pwd", "which", "type", "whoami", "id", "groups", "uname", "basename", "dirname",
  "printenv", "test", "[", "seq", "sleep", "nproc", "expr", "cd", "export", "declare", "typeset", "local", "readonly",
  "unset", "set", "hash", "locale", "uptime", "free", "arch", ":", "read", "shift", "break", "continue", "wait",
]);

/** Commands that read the files named by their arguments and have no writing flags. */
const READERS = new Set([
  "cat", "head", "tail", "wc", "ls", "grep", "egrep", "fgrep", "diff", "cmp", "comm", "cut", "tr", "nl", "od", "hexdump",
  "strings", "column", "jq", "tac", "rev", "fold", "paste", "join", "expand", "unexpand", "stat", "file", "du", "df",
  "realpath", "readlink", "md5sum", "sha1sum", "sha256sum", "sha512sum", "cksum", "base64", "ps", "whereis", "ag", "zcat",
  "dir", "tsort", "uniq",
]);

/** Flags that turn an otherwise reading command into one that writes or runs other programs. */
const WRITING_FLAGS: Record<string, RegExp> = {
  sort: /^(-o.*|--output(=.*)?|--compress-program(=.*)?|-[a-zA-Z]*o.*)$/,
  date: /^(-s.*|--set(=.*)?)$/,
  tree: /^(-o.*|-R)$/,
  rg: /^(--pre(=.*)?|--pre-glob(=.*)?|--hostname-bin(=.*)?)$/,
  find: /^-(delete|exec|execdir|ok|okdir|fprint|fprint0|fprintf|fls)$/,
  fd: /^(-x|--exec(=.*)?|-X|--exec-batch(=.*)?)$/,
  fdfind: /^(-x|--exec(=.*)?|-X|--exec-batch(=.*)?)$/,
  yq: /^(-i|--inplace|-[a-zA-Z]*i[a-zA-Z]*)$/,
  xxd: /^-r$/,
};

const optionArgs = (args: string[]) => args.filter((arg) => arg.startsWith("-") && arg !== "-");
const positionalArgs = (args: string[]) => {
  const result: string[] = [];
  let afterDashes = false;
  for (const arg of args) {
    if (afterDashes || !arg.startsWith("-") || arg === "-") result.push(arg);
    if (arg === "--") afterDashes = true;
  }
  return result;
};

/** Does a sed script contain a command or flag that writes files (w, W) or runs commands (e)? */
export const sedScriptWrites = (script: string): boolean => {
  let index = 0;
  const skipDelimited = (delimiter: string) => {
    while (index < script.length && script[index] !== delimiter) index += script[index] === "\\" ? 2 : 1;
    index++;
  };
  const skipLine = () => {
    while (index < script.length && script[index] !== "\n") index++;
  };
  while (index < script.length) {
    const char = script[index] ?? "";
    if (/[\s;{}!]/.test(char)) {
      index++;
      continue;
    }
    // Addresses: numbers, $, /re/, \cREc, ranges and steps.
    if (/[0-9$,~+]/.test(char)) {
      index++;
      continue;
    }
    if (char === "/") {
      index++;
      skipDelimited("/");
      while (/[IM]/.test(script[index] ?? "")) index++;
      continue;
    }
    if (char === "\\") {
      const delimiter = script[index + 1] ?? "";
      index += 2;
      skipDelimited(delimiter);
      continue;
    }
    index++;
    if (char === "s") {
      const delimiter = script[index] ?? "";
      index++;
      skipDelimited(delimiter);
      skipDelimited(delimiter);
      const flags = /^[a-zA-Z0-9]*/.exec(script.slice(index))?.[0] ?? "";
      if (/[we]/.test(flags)) return true;
      index += flags.length;
      continue;
    }
    if (char === "y") {
      const delimiter = script[index] ?? "";
      index++;
      skipDelimited(delimiter);
      skipDelimited(delimiter);
      continue;
    }
    if (char === "w" || char === "W" || char === "e") return true;
    if ("aicrRbtT:#".includes(char)) {
      // Text, file names and labels run to the end of the line (labels also to `;`).
      if ("btT:".includes(char)) {
        while (index < script.length && !/[;\n}]/.test(script[index] ?? "")) index++;
        continue;
      }
      skipLine();
      continue;
    }
  }
  return false;
};

const classifySed = (args: string[]): CommandClass => {
  const scripts: string[] = [];
  const files: string[] = [];
  let explicitScript = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (/^(-i|--in-place)/.test(arg) || (/^-[a-zA-Z]+$/.test(arg) && arg.includes("i"))) return notReadOnly("sed -i edits files in place");
    if (arg === "-f" || arg.startsWith("--file") || /^-[a-zA-Z]*f$/.test(arg)) return notReadOnly("sed -f runs a script file we cannot see");
    if (arg === "-e" || arg === "--expression") {
      scripts.push(args[index + 1] ?? "");
      explicitScript = true;
      index++;
      continue;
    }
    if (arg.startsWith("--expression=")) {
      scripts.push(arg.slice("--expression=".length));
      explicitScript = true;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") continue;
    if (!explicitScript && scripts.length === 0) {
      scripts.push(arg);
      continue;
    }
    files.push(arg);
  }
  if (scripts.some(sedScriptWrites)) return notReadOnly("the sed script writes files or runs commands (w, W or e)");
  return { readOnly: true, reason: "sed without -i and without w/e commands only prints", readPaths: files, writePaths: [] };
};

const AWK_UNSAFE = /system|\||>|getline|ENVIRON|PROCINFO|@load|@include|close|fflush/;

const classifyAwk = (name: string, args: string[]): CommandClass => {
  let program: string | null = null;
  const files: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (/^(-f|--file|-i|--include|-l|--load|-E|--exec)/.test(arg)) return notReadOnly(`${name} ${arg} loads program code we cannot see`);
    if (arg === "-F" || arg === "-v" || arg === "--assign" || arg === "--field-separator") {
      index++;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") continue;
    if (program === null) {
      program = arg;
      continue;
    }
    files.push(arg);
  }
  if (program === null) return notReadOnly(`${name} without a program`);
  if (AWK_UNSAFE.test(program)) return notReadOnly(`the ${name} program may run commands or write files (system, |, >, getline)`);
  return { readOnly: true, reason: `${name} program only prints`, readPaths: files, writePaths: [] };
};

const GIT_READ_ONLY = new Set([
  "status", "log", "diff", "show", "blame", "annotate", "shortlog", "describe", "rev-parse", "rev-list", "ls-files", "ls-tree",
  "cat-file", "show-ref", "merge-base", "name-rev", "for-each-ref", "count-objects", "grep", "whatchanged", "check-ignore",
  "check-attr", "version", "help", "var", "cherry", "range-diff", "show-branch", "diff-tree", "diff-files", "diff-index",
]);
const GIT_OUTPUT_FLAGS = /^(--output(=.*)?|--ext-diff|-o|-O.*|--open-files-in-pager(=.*)?)$/;
const GIT_BRANCH_LIST_FLAGS = /^(-a|--all|-r|--remotes|-v|-vv|--verbose|-l|--list|--show-current|--contains|--no-contains|--merged|--no-merged|--sort=.*|--format=.*|--points-at|--color(=.*)?|--no-color|--column|--no-column|-i|--ignore-case)$/;

const classifyGit = (args: string[]): CommandClass => {
  const readPaths: string[] = [];
  let index = 0;
  while (index < args.length && (args[index] ?? "").startsWith("-")) {
    const option = args[index] ?? "";
    if (option === "-C") {
      readPaths.push(args[index + 1] ?? "");
      index += 2;
      continue;
    }
    if (/^(--no-pager|-P|--no-optional-locks|--literal-pathspecs|--no-replace-objects|--bare)$/.test(option)) {
      index++;
      continue;
    }
    if (/^--(git-dir|work-tree)=/.test(option)) {
      readPaths.push(option.slice(option.indexOf("=") + 1));
      index++;
      continue;
    }
    return notReadOnly(`git ${option} can change what git runs or where it writes`);
  }
  const subcommand = args[index] ?? "";
  const rest = args.slice(index + 1);
  const positional = positionalArgs(rest);
  const options = optionArgs(rest);
  const result = (reason: string): CommandClass => ({ readOnly: true, reason, readPaths, writePaths: [] });
  if (subcommand === "") return result("git with no subcommand prints help");
  if (GIT_READ_ONLY.has(subcommand)) {
    const writing = options.find((option) => GIT_OUTPUT_FLAGS.test(option));
    if (writing) return notReadOnly(`git ${subcommand} ${writing} writes a file or runs a program`);
    // Paths given to git (`git diff --no-index /etc/passwd x`) are reads like any other.
    readPaths.push(...positional.filter((word) => /^(\/|~|\.\.)/.test(word)));
    return result(`git ${subcommand} only reads`);
  }
  if (subcommand === "branch") {
    if (positional.length === 0 && options.every((option) => GIT_BRANCH_LIST_FLAGS.test(option))) return result("git branch only lists");
    return notReadOnly("git branch with arguments creates, moves or deletes branches");
  }
  if (subcommand === "tag") {
    if (rest.length === 0 || options.some((option) => option === "-l" || option === "--list")) {
      if (options.every((option) => /^(-l|--list|-n\d*|--sort=.*|--contains|--points-at|--merged|--no-merged|--format=.*)$/.test(option))) return result("git tag only lists");
    }
    return notReadOnly("git tag with arguments creates or deletes tags");
  }
  if (subcommand === "remote") {
    if (rest.length === 0 || (rest.length === 1 && /^(-v|--verbose)$/.test(rest[0] ?? ""))) return result("git remote only lists");
    if (rest[0] === "show" || rest[0] === "get-url") return result(`git remote ${rest[0]} only reads`);
    return notReadOnly("git remote with arguments changes remotes");
  }
  if (subcommand === "stash" && (rest[0] === "list" || rest[0] === "show")) return result(`git stash ${rest[0]} only reads`);
  if (subcommand === "worktree" && rest[0] === "list") return result("git worktree list only reads");
  if (subcommand === "reflog" && (rest.length === 0 || rest[0] === "show")) return result("git reflog only reads");
  if (subcommand === "config") {
    if (options.some((option) => /^(--get|--get-all|--get-regexp|--list|-l|--get-urlmatch)$/.test(option))) {
      if (options.every((option) => /^(--get|--get-all|--get-regexp|--list|-l|--get-urlmatch|--global|--local|--system|--show-origin|--show-scope|--name-only|-z|--null|--type=.*|--default=.*)$/.test(option))) return result("git config only reads");
    }
    return notReadOnly("git config without --get/--list changes configuration");
  }
  return notReadOnly(`git ${subcommand} is not in the read-only list`);
};

/** Classifies a command (wrappers already removed) as read-only or not. */
export const classifyCommand = (core: string[]): CommandClass => {
  const name = core[0];
  if (name === undefined) return { readOnly: true, reason: "no command", readPaths: [], writePaths: [] };
  const args = core.slice(1);
  if (name.includes("/")) return notReadOnly(`${name} is a program given by path`);
  if (PURE.has(name)) return { readOnly: true, reason: `${name} is read-only`, readPaths: [], writePaths: [] };
  if (name === "command" && /^-[vV]$/.test(args[0] ?? "")) return { readOnly: true, reason: "command -v only looks a name up", readPaths: [], writePaths: [] };
  if (name === "hostname") return args.some((arg) => !arg.startsWith("-")) ? notReadOnly("hostname NAME sets the host name") : { readOnly: true, reason: "hostname only prints", readPaths: [], writePaths: [] };
  if (name === "env" || name === "printenv") return args.length === 0 ? { readOnly: true, reason: "env only prints", readPaths: [], writePaths: [] } : notReadOnly("env runs a command");
  if (name === "git") return classifyGit(args);
  if (name === "sed") return classifySed(args);
  if (name === "awk" || name === "gawk" || name === "mawk" || name === "nawk") return classifyAwk(name, args);
  if (name === "tee") {
    const files = positionalArgs(args);
    // The files tee writes are checked as edits, like redirections.
    return { readOnly: true, reason: files.length === 0 ? "tee without files only copies" : "tee writes only the files it names", readPaths: [], writePaths: files };
  }
  if (name === "uniq" && positionalArgs(args).length > 1) return notReadOnly("uniq INPUT OUTPUT writes OUTPUT");
  if (name === "xxd" && positionalArgs(args).length > 1) return notReadOnly("xxd INPUT OUTPUT writes OUTPUT");
  const writing = WRITING_FLAGS[name];
  if (writing) {
    const flag = args.find((arg) => writing.test(arg));
    if (flag) return notReadOnly(`${name} ${flag} writes files or runs other programs`);
    return { readOnly: true, reason: `${name} without writing flags only reads`, readPaths: positionalArgs(args), writePaths: [] };
  }
  if (READERS.has(name)) return { readOnly: true, reason: `${name} only reads`, readPaths: positionalArgs(args), writePaths: [] };
  return notReadOnly(`${name} is not in the read-only list`);
};
