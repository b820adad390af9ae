// Composes the permission engine for one call: server defaults, the team policy of the session's
// workspace, the project's settings files, the owner's own rules, and the session's "always allow"
// rules, in its mode.
import { readFile } from "node:fs/promises";
import type { Mode } from "../permissions/modes";
import { createPermissionChecker, DEFAULT_READ_ONLY_TOOLS, type PermissionChecker } from "../permissions/checker";
import { addRuleToSettings, parseSettings, SERVER_DEFAULTS, sourceFromSettings, SOURCE_ORDER, type RuleSource } from "../permissions/policy";
import { readProjectSettingsFiles, type ProjectSettingsFiles } from "../workspace/project-settings";
import { resolveWorkspacePath } from "../workspace/paths";
import { writeWorkspaceFile } from "../tools/file-state";
import type { CheckPermission } from "./approvals";

const SANDBOX_ROOT = "/workspace";

type ProjectRules = { readonly sources: readonly RuleSource[]; readonly errors: readonly string[] };
/** Parsed rules per settings read: an unchanged read (project-settings.ts reuses it) is not parsed again. */
const parsedProjectRules = new WeakMap<ProjectSettingsFiles, ProjectRules>();

/** The project's rule sources, read host-side through the symlink-safe resolver (shared: do not change them). */
export const readProjectRules = async (workspaceDir: string): Promise<ProjectRules> => {
  const read = await readProjectSettingsFiles(workspaceDir);
  const known = parsedProjectRules.get(read);
  if (known) return known;
  const errors = [...read.errors];
  const sources: RuleSource[] = [];
  for (const { file, text } of read.files) {
    const parsed = parseSettings(text, file);
    if (parsed.ok) sources.push(sourceFromSettings("project", file, parsed.settings));
    else errors.push(parsed.error);
  }
  const rules = Object.freeze({ sources: Object.freeze(sources), errors: Object.freeze(errors) });
  parsedProjectRules.set(read, rules);
  return rules;
};

/** Compiled checkers by their rules and mode: compiling (globs, prefixes) costs more than a check. */
const MAX_CHECKERS = 200;
const checkers = new Map<string, Promise<PermissionChecker>>();

const checkerFor = (sources: RuleSource[], mode: Mode) => {
  const key = `${mode}\n${JSON.stringify(sources)}`;
  const known = checkers.get(key);
  if (known) {
    // Most recently used last: the oldest entry goes first when the map is full.
    checkers.delete(key);
    checkers.set(key, known);
    return known;
  }
  const created = createPermissionChecker({
    rules: { sources },
    mode,
    workspaceRoot: SANDBOX_ROOT,
    // Tools that act only through other, checked tools or on the session itself never ask:
    // questions to the people, subagents (their calls are checked), skills, the agent's own
    // background shells.
    readOnlyTools: [...DEFAULT_READ_ONLY_TOOLS, "AskUserQuestion", "Task", "Skill", "BashOutput", "KillShell"],
  });
  checkers.set(key, created);
  created.catch(() => checkers.delete(key));
  if (checkers.size > MAX_CHECKERS) checkers.delete(checkers.keys().next().value!);
  return created;
};

/** Sources most general first (policy.ts SOURCE_ORDER); the sort is stable within one name. */
export const inSourceOrder = <T extends Pick<RuleSource, "name">>(sources: T[]): T[] =>
  [...sources].sort((a, b) => SOURCE_ORDER.indexOf(a.name) - SOURCE_ORDER.indexOf(b.name));

export type PermissionGateOptions = {
  workspaceDirFor: (sessionId: string) => string;
  /** The team policy of the session's workspace and its owner's rules (or a headless run's command-line rules). */
  extraSources?: (sessionId: string) => Promise<RuleSource[]>;
};

export const createPermissionGate = (options: PermissionGateOptions) => {
  const check: CheckPermission = async (request) => {
    const project = await readProjectRules(options.workspaceDirFor(request.sessionId));
    const session: RuleSource = { name: "session", origin: "session", allow: request.sessionRules, ask: [], deny: [] };
    // The extra sources are the team policy and the user's rules (or a headless run's command-line
    // rules): put in SOURCE_ORDER, the team sits before the project and the user after it.
    const extra = (await options.extraSources?.(request.sessionId)) ?? [];
    const checker = await checkerFor(inSourceOrder([SERVER_DEFAULTS, ...extra, ...project.sources, session]), request.mode);
    const decision = checker.check(request.toolName, request.input, { cwd: request.cwd });
    const notes = [checker.modeNote, project.errors.length ? `settings ignored: ${project.errors.join("; ")}` : null].filter(Boolean);
    const reason = notes.length ? `${decision.reason} (${notes.join("; ")})` : decision.reason;
    return {
      decision: decision.decision,
      reason,
      rule: decision.rule,
      dangerous: decision.dangerous,
      suggestedRules: decision.decision === "ask" && !decision.dangerous ? checker.rulesForAlwaysAllow(request.toolName, request.input) : [],
      subcommands: decision.subcommands,
    };
  };

  /** "Always allow in this project": the rules go into .pincer/settings.json of the workspace. */
  const persistProjectRules = async (workspaceDir: string, rules: string[]) => {
    const { hostPath } = await resolveWorkspacePath(workspaceDir, ".pincer/settings.json");
    let text = await readFile(hostPath, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    for (const rule of rules) {
      const next = addRuleToSettings(text, "allow", rule);
      if (!next.ok) throw new Error(`Could not add ${rule} to .pincer/settings.json: ${next.error}`);
      text = next.text;
    }
    if (text !== null) await writeWorkspaceFile(hostPath, text);
  };

  return { check, persistProjectRules };
};
