// Catastrophic commands: ones whose damage no rule or mode should let through unasked (wiping the
// filesystem, the home directory or the workspace, formatting disks, fork bombs, piping the
// network into a shell). They ask even in bypassPermissions and never come out "allow".
import path from "node:path";

export type DangerContext = { cwd: string; homeDir: string; workspaceRoot: string };

const SYSTEM_DIRS = new Set([
  "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt", "/opt", "/proc",
  "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var", "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share",
  "/var/lib", "/var/log",
]);

const expandHome = (word: string, homeDir: string) => {
  if (word === "~" || word === "$HOME" || word === "${HOME}") return homeDir;
  if (word.startsWith("~/")) return homeDir + word.slice(1);
  if (word.startsWith("$HOME/")) return homeDir + word.slice(5);
  if (word.startsWith("${HOME}/")) return homeDir + word.slice(7);
  return word;
};

/** Resolves a word naming a path; a trailing `/*` or `/.*` is treated as the directory itself. */
const targetOf = (word: string, context: DangerContext) => {
  const expanded = expandHome(word, context.homeDir).replace(/\/\.?\*$/, "/").replace(/^\*$/, ".");
  return path.posix.resolve(context.cwd, expanded);
};

/** Would deleting or rewriting this path wreck the system, the home directory or the workspace? */
const isCriticalPath = (word: string, context: DangerContext): boolean => {
  const target = targetOf(word, context);
  if (SYSTEM_DIRS.has(target)) return true;
  if (target === context.homeDir || target === context.workspaceRoot) return true;
  // Anything directly in a system directory (e.g. /etc/passwd, /usr/lib/x) except scratch space.
  if (/^\/(tmp|var\/tmp|dev\/shm)(\/|$)/.test(target)) return false;
  const top = `/${target.split("/")[1] ?? ""}`;
  return SYSTEM_DIRS.has(top) && top !== "/home" && top !== "/workspace" && !target.startsWith(`${context.homeDir}/`) && !target.startsWith(`${context.workspaceRoot}/`);
};

const hasShortFlag = (args: string[], letters: string) => args.some((arg) => /^-[a-zA-Z]+$/.test(arg) && [...letters].some((letter) => arg.includes(letter)));
const operands = (args: string[]) => args.filter((arg) => !arg.startsWith("-") || arg === "-");

const DISK_TOOLS = /^(mkfs(\..+)?|mke2fs|mkswap|fdisk|sfdisk|cfdisk|parted|wipefs|blkdiscard|shred|badblocks)$/;
const POWER = new Set(["shutdown", "reboot", "halt", "poweroff", "init", "telinit"]);
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python3", "perl", "ruby", "node"]);

/** Why `core` (wrappers already removed) is catastrophic, or null. */
export const catastrophicReason = (core: string[], context: DangerContext): string | null => {
  const elevated = core[0] === "sudo" || core[0] === "doas" || core[0] === "su";
  const argv = elevated ? core.slice(1).filter((arg, index, all) => !(arg.startsWith("-") && all.slice(0, index).every((a) => a.startsWith("-")))) : core;
  // `/bin/rm` and `busybox rm` are rm too.
  const named = argv[0] === "busybox" ? argv.slice(1) : argv;
  const name = path.posix.basename(named[0] ?? "");
  const args = named.slice(1);
  if (name === "rm" || name === "rmdir") {
    const recursive = hasShortFlag(args, "rR") || args.includes("--recursive") || name === "rmdir";
    if (args.includes("--no-preserve-root")) return "rm --no-preserve-root";
    // `rm -rf "$DIR/"*` wipes / when DIR is empty: a target only known at run time counts as critical.
    const critical = operands(args).find((arg) => isCriticalPath(arg, context) || /[$`]/.test(arg));
    if (critical !== undefined && (recursive || elevated)) return `${elevated ? `${core[0]} ` : ""}${name} on ${critical} would delete a system, home or workspace directory`;
    if (elevated && recursive) return `${core[0]} rm -r`;
    return null;
  }
  if ((name === "chmod" || name === "chown" || name === "chgrp") && (hasShortFlag(args, "R") || args.includes("--recursive"))) {
    const critical = operands(args).slice(1).find((arg) => isCriticalPath(arg, context));
    if (critical !== undefined) return `${name} -R on ${critical}`;
  }
  if ((name === "chmod" || name === "chown" || name === "chgrp") && operands(args).slice(1).some((arg) => SYSTEM_DIRS.has(targetOf(arg, context)))) return `${name} on a system directory`;
  if (name === "mv" && operands(args).some((arg) => isCriticalPath(arg, context))) return "mv of a system, home or workspace directory";
  if (name === "dd" && args.some((arg) => /^of=\/dev\/(?!null$|zero$|stdout$|stderr$)/.test(arg))) return "dd onto a device";
  if (DISK_TOOLS.test(name)) return `${name} destroys disk contents`;
  if (POWER.has(name)) return `${name} stops the machine`;
  if (name === "kill" && args.includes("-1")) return "kill -1 signals every process";
  const execIndex = args.findIndex((arg) => /^-(exec|execdir|ok|okdir)$/.test(arg));
  const findDeletes = args.includes("-delete") || (execIndex >= 0 && /^(rm|shred|unlink|rmdir)$/.test(path.posix.basename(args[execIndex + 1] ?? "")));
  if (name === "find" && findDeletes) {
    // `find . -name '*.pyc' -delete` is routine; `find / -delete` deletes everything.
    const start = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : ".";
    const rest = args.slice(start === args[0] ? 1 : 0);
    const unfiltered = rest.every((arg) => /^(-delete|-depth|-mount|-xdev|-maxdepth|-mindepth|-print|\d+)$/.test(arg)) || (execIndex >= 0 && rest.indexOf(args[execIndex] ?? "") === 0);
    const target = targetOf(start, context);
    const beyondWorkspace = target !== context.workspaceRoot;
    if (isCriticalPath(start, context) && (unfiltered || beyondWorkspace)) return `find ${start} deleting over a system, home or workspace directory`;
  }
  if (elevated && args.some((arg) => arg.startsWith("/") && isCriticalPath(arg, context))) return `${core[0]} ${name} on a system path`;
  return null;
};

/** Writing to a block device or a critical path by redirection (`> /dev/sda`, `> /etc/passwd`). */
export const catastrophicWrite = (target: string, context: DangerContext): string | null => {
  if (/^\/dev\/(null|zero|stdout|stderr|tty|fd\/\d+)$/.test(target)) return null;
  if (/^\/dev\/(sd|hd|nvme|vd|xvd|mmcblk|disk|mapper\/)/.test(target)) return `writing to the device ${target}`;
  if (/^\/(etc|boot|usr|bin|sbin|lib)(\/|$)/.test(target)) return `overwriting the system file ${target}`;
  return isCriticalPath(target, context) && target !== "/tmp" ? `writing over ${target}` : null;
};

/** Shapes of whole command lines we flag even before (or without) parsing them. */
export const RM_ROOT_TEXT = /\brm\s+(-[a-zA-Z]*[rR][a-zA-Z]*\s+|--recursive\s+)*(-[a-zA-Z]+\s+)*(\/|~|\/\*|~\/\*?|\$HOME\/?)(\s|$|;|&|\||'|"|\)|`)/;

export const catastrophicText = (command: string, parsed: boolean): string | null => {
  if (/:\s*\(\s*\)\s*\{[^}]*:\s*\|\s*:/.test(command)) return "a fork bomb";
  // A parsed command is judged sub-command by sub-command; these shapes are for unparsed text.
  if (parsed) return null;
  if (/\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(sh|bash|zsh|dash|python3?|perl|ruby|node)\b/.test(command)) return "piping a download into an interpreter";
  if (RM_ROOT_TEXT.test(command)) return "rm of / or the home directory";
  return null;
};

/** A pipeline of a download into an interpreter, checked on split sub-commands. */
export const pipesDownloadIntoShell = (names: string[]): boolean => {
  const download = names.findIndex((name) => name === "curl" || name === "wget");
  return download >= 0 && names.slice(download + 1).some((name) => SHELLS.has(name));
};
