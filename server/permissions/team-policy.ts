// A workspace's (team's) permission policy: rules every session of the workspace starts from, and
// whether bypassPermissions may be used there at all. Stored as JSON on the Workspace row.
import { z } from "zod";
import { modeSchema } from "./modes";
import type { RuleSource } from "./policy";
import { parseRule, type RuleList } from "./rules";

const ruleList = z.array(z.string().trim().min(1, "a rule cannot be empty")).max(500).default([]);

export const teamPolicySchema = z.object({
  allow: ruleList,
  ask: ruleList,
  deny: ruleList,
  allowBypass: z.boolean().default(false),
  defaultMode: modeSchema.optional(),
});
export type TeamPolicy = z.infer<typeof teamPolicySchema>;

export const EMPTY_TEAM_POLICY: TeamPolicy = { allow: [], ask: [], deny: [], allowBypass: false };

export type TeamPolicyResult = { ok: true; policy: TeamPolicy } | { ok: false; errors: string[] };

const LISTS: RuleList[] = ["allow", "ask", "deny"];

/** Checks the shape and that every rule parses; each error names its list and rule. */
export const validateTeamPolicy = (input: unknown): TeamPolicyResult => {
  const parsed = teamPolicySchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(policy)"}: ${issue.message}`) };
  }
  const errors = LISTS.flatMap((list) =>
    parsed.data[list].flatMap((raw) => {
      const rule = parseRule(raw);
      return rule.ok ? [] : [`${list}: ${rule.error}`];
    }),
  );
  if (defaultModeIsBypassWithoutPermission(parsed.data)) errors.push("defaultMode: bypassPermissions needs “allow bypass” on");
  return errors.length ? { ok: false, errors } : { ok: true, policy: parsed.data };
};

const defaultModeIsBypassWithoutPermission = (policy: TeamPolicy) => policy.defaultMode === "bypassPermissions" && !policy.allowBypass;

/**
 * The stored column's policy. setPolicy only stores validated policies, so a bad column was edited
 * by hand: it reads as the empty policy (no bypass) and the errors are shown where rules are listed.
 */
export const readStoredTeamPolicy = (stored: string | null): { policy: TeamPolicy; errors: string[] } => {
  if (stored === null || stored.trim() === "") return { policy: EMPTY_TEAM_POLICY, errors: [] };
  const json = parseJson(stored);
  const result = json.ok ? validateTeamPolicy(json.value) : { ok: false as const, errors: [json.error] };
  if (result.ok) return { policy: result.policy, errors: [] };
  return { policy: EMPTY_TEAM_POLICY, errors: result.errors.map((error) => `team policy ignored: ${error}`) };
};

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false; error: string } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `stored policy is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
};

/** The policy as the engine's "team" source. */
export const teamPolicySource = (policy: TeamPolicy, origin: string): RuleSource => ({
  name: "team",
  origin,
  allow: policy.allow,
  ask: policy.ask,
  deny: policy.deny,
  defaultMode: policy.defaultMode,
  allowBypassPermissionsMode: policy.allowBypass,
});

/**
 * For local tools with no workspace (`pincer run`, `pincer check-command`, tests of the engine): the
 * person running them is the team, so any mode they ask for, bypass included, is theirs to use.
 */
export const localTeamSource = (origin: string): RuleSource => teamPolicySource({ ...EMPTY_TEAM_POLICY, allowBypass: true }, origin);
