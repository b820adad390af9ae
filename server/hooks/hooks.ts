// Hooks from the project's settings (.pincer/settings.json, .claude/settings.json) in Claude Code's
// format. Command hooks run in the session's sandbox with the event as JSON on stdin; exit code 2
// blocks, and its stderr is what the model (or the person) is told.
import { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox";
import { readProjectSettingsFiles, type ProjectSettingsFiles } from "../workspace/project-settings";

export const HOOK_EVENTS = ["PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop", "SessionStart"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

const commandHook = z.object({ type: z.literal("command"), command: z.string().min(1), timeout: z.number().positive().max(600).optional() });
const hookGroup = z.object({ matcher: z.string().optional(), hooks: z.array(commandHook) });
const hooksSection = z.object({ hooks: z.record(z.string(), z.array(hookGroup)).optional() });

export type HookGroup = z.infer<typeof hookGroup> & { origin: string };
export type HookSet = { groups: Partial<Record<HookEvent, HookGroup[]>>; errors: string[] };

const DEFAULT_TIMEOUT_S = 60;
const MAX_MESSAGE_CHARS = 4000;

/** Hooks per settings read: an unchanged read (project-settings.ts reuses it) is not parsed again. */
const parsedHooks = new WeakMap<ProjectSettingsFiles, HookSet>();

/** Reads the hooks of every project settings file (all of them apply, in order). Shared: do not change the result. */
export const loadHooks = async (workspaceDir: string): Promise<HookSet> => {
  const read = await readProjectSettingsFiles(workspaceDir);
  const known = parsedHooks.get(read);
  if (known) return known;
  const set = parseHooks(read);
  parsedHooks.set(read, set);
  return set;
};

const parseHooks = (read: ProjectSettingsFiles): HookSet => {
  const groups: HookSet["groups"] = {};
  const errors: string[] = [];
  errors.push(...read.errors);
  for (const { file, text } of read.files) {
    const json = (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })();
    if (json === undefined) continue; // The permission settings already report a broken file.
    const parsed = hooksSection.safeParse(json);
    if (!parsed.success) {
      errors.push(`${file}: hooks ignored (${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")})`);
      continue;
    }
    for (const [name, list] of Object.entries(parsed.data.hooks ?? {})) {
      // Events Pincer does not raise (Notification, SubagentStop, ...) are left alone.
      const event = HOOK_EVENTS.find((known) => known === name);
      if (!event) continue;
      groups[event] = [...(groups[event] ?? []), ...list.map((group) => ({ ...group, origin: file }))];
    }
  }
  return { groups, errors };
};

/** Claude Code's matcher: empty or "*" matches all; otherwise a regular expression over the tool name. */
export const matcherMatches = (matcher: string | undefined, toolName: string | undefined) => {
  if (!matcher || matcher === "*" || toolName === undefined) return true;
  try {
    return new RegExp(`^(?:${matcher})$`).test(toolName);
  } catch {
    return matcher === toolName;
  }
};

export type HookOutcome = {
  /** A hook exited with 2: the action is blocked; `message` says why (its stderr). */
  blocked: boolean;
  message: string;
  /** stdout of hooks that succeeded (context for UserPromptSubmit and SessionStart). */
  outputs: string[];
  /** Hooks that failed otherwise (not blocking), for a notice. */
  failures: string[];
};

/** Runs the event's matching hooks in order; the first block stops the rest. */
export const runHooks = async (
  set: HookSet,
  event: HookEvent,
  input: Record<string, unknown>,
  options: { sandbox: Sandbox; sessionId: string; toolName?: string; signal?: AbortSignal },
): Promise<HookOutcome> => {
  const outcome: HookOutcome = { blocked: false, message: "", outputs: [], failures: [] };
  const groups = (set.groups[event] ?? []).filter((group) => matcherMatches(group.matcher, options.toolName));
  const stdin = JSON.stringify({ session_id: options.sessionId, hook_event_name: event, cwd: options.sandbox.workdir, ...input });
  for (const group of groups) {
    for (const hook of group.hooks) {
      const result = await options.sandbox.exec({
        cmd: ["bash", "-c", hook.command],
        cwd: options.sandbox.workdir,
        env: { CLAUDE_PROJECT_DIR: options.sandbox.workdir, PINCER_PROJECT_DIR: options.sandbox.workdir },
        stdin,
        timeoutMs: (hook.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
        signal: options.signal,
      });
      const stderr = result.stderr.toString("utf8").trim().slice(0, MAX_MESSAGE_CHARS);
      const stdout = result.stdout.toString("utf8").trim().slice(0, MAX_MESSAGE_CHARS);
      if (result.exitCode === 2) return { ...outcome, blocked: true, message: stderr || `blocked by the ${event} hook \`${hook.command}\` (${group.origin})` };
      if (result.exitCode === 0) {
        if (stdout) outcome.outputs.push(stdout);
        continue;
      }
      const why = result.timedOut ? "timed out" : `exit code ${result.exitCode}`;
      outcome.failures.push(`${event} hook \`${hook.command}\` (${group.origin}) failed (${why})${stderr ? `: ${stderr}` : ""}`);
    }
  }
  return outcome;
};
