// Where rules come from: server defaults, the workspace (team) policy, the project's
// .pincer/settings.json and .claude/settings.json, the user, and the session's "always allow"
// answers. Deny beats ask beats allow across every source, so no later source can loosen a team
// deny or ask; bypassPermissions is only in force where a team source permits it.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { modeSchema, type Mode } from "./modes";
import { compileBashPattern, compilePathPattern, EDIT_TOOLS, parseRule, READ_TOOLS, type BashPattern, type ParsedRule, type PathContext, type PathPattern, type RuleList } from "./rules";

export const SOURCE_ORDER = ["defaults", "team", "project", "user", "session"] as const;
export type RuleSourceName = (typeof SOURCE_ORDER)[number];

export type RuleSource = {
  name: RuleSourceName;
  /** Where the rules were read from, for the settings page (a file path, "server", "session"). */
  origin: string;
  allow: string[];
  ask: string[];
  deny: string[];
  defaultMode?: Mode;
  /** Claude Code's managed-settings switch: "disable" forbids bypassPermissions. */
  disableBypassPermissionsMode?: "disable";
  /** Only a team source can permit bypassPermissions (team-policy.ts); without one it is refused. */
  allowBypassPermissionsMode?: boolean;
};

export type LayeredRules = { sources: RuleSource[] };

export const SERVER_DEFAULTS: RuleSource = { name: "defaults", origin: "server", allow: [], ask: [], deny: [] };

const ruleArray = z.array(z.string()).default([]);

export const settingsSchema = z.looseObject({
  permissions: z
    .looseObject({
      allow: ruleArray,
      ask: ruleArray,
      deny: ruleArray,
      defaultMode: modeSchema.optional(),
      disableBypassPermissionsMode: z.literal("disable").optional(),
    })
    .default({ allow: [], ask: [], deny: [] }),
});
export type PermissionSettings = z.infer<typeof settingsSchema>;

export type SettingsParseResult = { ok: true; settings: PermissionSettings } | { ok: false; error: string };

/** Parses a settings file's text; a malformed file is an error value naming what is wrong. */
export const parseSettings = (text: string, origin = "settings.json"): SettingsParseResult => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${origin}: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
    return { ok: false, error: `${origin}: ${issues}` };
  }
  const { allow, ask, deny } = parsed.data.permissions;
  const bad = [...allow, ...ask, ...deny].map(parseRule).flatMap((result) => (result.ok ? [] : [result.error]));
  if (bad.length > 0) return { ok: false, error: `${origin}: ${bad.join("; ")}` };
  return { ok: true, settings: parsed.data };
};

export const sourceFromSettings = (name: RuleSourceName, origin: string, settings: PermissionSettings): RuleSource => ({
  name,
  origin,
  allow: settings.permissions.allow,
  ask: settings.permissions.ask,
  deny: settings.permissions.deny,
  defaultMode: settings.permissions.defaultMode,
  disableBypassPermissionsMode: settings.permissions.disableBypassPermissionsMode,
});

export const PROJECT_SETTINGS_FILES = [".pincer/settings.json", ".claude/settings.json", ".claude/settings.local.json"] as const;

/** Reads the project's settings files from the host checkout; missing files are skipped. */
export const readProjectSettings = async (projectDir: string): Promise<{ sources: RuleSource[]; errors: string[] }> => {
  const sources: RuleSource[] = [];
  const errors: string[] = [];
  for (const file of PROJECT_SETTINGS_FILES) {
    const text = await readFile(path.join(projectDir, file), "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      errors.push(`${file}: ${error.message}`);
      return null;
    });
    if (text === null) continue;
    const parsed = parseSettings(text, file);
    if (!parsed.ok) {
      errors.push(parsed.error);
      continue;
    }
    sources.push(sourceFromSettings("project", file, parsed.settings));
  }
  return { sources, errors };
};

/** The settings text with `rule` added to `list` (for "always allow in this project"). */
export const addRuleToSettings = (text: string | null, list: RuleList, rule: string): { ok: true; text: string } | { ok: false; error: string } => {
  const checked = parseRule(rule);
  if (!checked.ok) return { ok: false, error: checked.error };
  const base = text === null || text.trim() === "" ? "{}" : text;
  const parsed = parseSettings(base);
  if (!parsed.ok) return parsed;
  const json = JSON.parse(base) as Record<string, unknown>;
  const permissions = (typeof json.permissions === "object" && json.permissions !== null ? json.permissions : {}) as Record<string, unknown>;
  const current = parsed.settings.permissions[list];
  const next = current.includes(checked.rule.raw) ? current : [...current, checked.rule.raw];
  return { ok: true, text: `${JSON.stringify({ ...json, permissions: { ...permissions, [list]: next } }, null, 2)}\n` };
};

/** Whether bypassPermissions may be used under these rules, and if not, why. */
export const bypassPermission = (rules: LayeredRules): { permitted: true } | { permitted: false; reason: string } => {
  const forbidding = rules.sources.find((source) => source.disableBypassPermissionsMode === "disable");
  if (forbidding) return { permitted: false, reason: `bypassPermissions is disabled by ${forbidding.name} policy (${forbidding.origin})` };
  // Only the team may permit it: project files come from the repository, and the session's own rules
  // would let whoever drives the session lift the team's decision.
  const permitting = rules.sources.some((source) => source.name === "team" && source.allowBypassPermissionsMode === true);
  if (permitting) return { permitted: true };
  return { permitted: false, reason: "bypassPermissions is not permitted here: the team policy does not allow bypass mode" };
};

/**
 * The mode in force: the requested one, else the last source's defaultMode, else default. A bypass
 * request falls back to default with a note unless a team source permits it and none disables it.
 */
export const effectiveMode = (rules: LayeredRules, requested?: Mode): { mode: Mode; note: string | null } => {
  const fromSources = [...rules.sources].reverse().find((source) => source.defaultMode)?.defaultMode;
  const mode = requested ?? fromSources ?? "default";
  if (mode !== "bypassPermissions") return { mode, note: null };
  const bypass = bypassPermission(rules);
  if (bypass.permitted) return { mode, note: null };
  return { mode: "default", note: bypass.reason };
};

// ---------------------------------------------------------------------------------------------
// Compiled form, built once per checker so a decision is only matching.

export type CompiledRule = {
  list: RuleList;
  rule: ParsedRule;
  source: RuleSourceName;
  origin: string;
  bash: BashPattern | null;
  path: PathPattern | null;
};

export type CompiledRules = { rules: CompiledRule[]; errors: string[] };

const LIST_ORDER: RuleList[] = ["deny", "ask", "allow"];

export const compileRules = (layered: LayeredRules, context: PathContext): CompiledRules => {
  const rules: CompiledRule[] = [];
  const errors: string[] = [];
  const ordered = [...layered.sources].sort((a, b) => SOURCE_ORDER.indexOf(a.name) - SOURCE_ORDER.indexOf(b.name));
  for (const list of LIST_ORDER) {
    for (const source of ordered) {
      for (const raw of source[list]) {
        const parsed = parseRule(raw);
        if (!parsed.ok) {
          errors.push(`${source.name} (${source.origin}): ${parsed.error}`);
          continue;
        }
        const { rule } = parsed;
        const isPathTool = EDIT_TOOLS.has(rule.tool) || READ_TOOLS.has(rule.tool);
        rules.push({
          list,
          rule,
          source: source.name,
          origin: source.origin,
          bash: rule.tool === "Bash" && rule.specifier !== null ? compileBashPattern(rule.specifier) : null,
          path: isPathTool && rule.specifier !== null ? compilePathPattern(rule.specifier, context) : null,
        });
      }
    }
  }
  return { rules, errors };
};
