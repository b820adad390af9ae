// An account's own permission rules: the "user" source of every session the account owns. Stored as
// JSON on the User row. Only allow/ask/deny lists: a user source has no mode and can never permit
// bypassPermissions (only the team can, policy.ts bypassPermission), and as deny beats ask beats
// allow across sources, a user allow never loosens a team ask or deny.
import { z } from "zod";
import type { RuleSource } from "./policy";
import { parseRule, type RuleList } from "./rules";

const ruleList = z.array(z.string().trim().min(1, "a rule cannot be empty")).max(500).default([]);

/** Strict: a bypass switch or a mode in the input is refused, not silently dropped. */
export const userRulesSchema = z.strictObject({
  allow: ruleList,
  ask: ruleList,
  deny: ruleList,
});
export type UserRules = z.infer<typeof userRulesSchema>;

export const EMPTY_USER_RULES: UserRules = { allow: [], ask: [], deny: [] };

export type UserRulesResult = { ok: true; rules: UserRules } | { ok: false; errors: string[] };

const LISTS: RuleList[] = ["allow", "ask", "deny"];

/** Checks the shape and that every rule parses; each error names its list and rule. */
export const validateUserRules = (input: unknown): UserRulesResult => {
  const parsed = userRulesSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(rules)"}: ${issue.message}`) };
  }
  const errors = LISTS.flatMap((list) =>
    parsed.data[list].flatMap((raw) => {
      const rule = parseRule(raw);
      return rule.ok ? [] : [`${list}: ${rule.error}`];
    }),
  );
  return errors.length ? { ok: false, errors } : { ok: true, rules: parsed.data };
};

/**
 * The stored column's rules. setRules only stores validated rules, so a bad column was edited by
 * hand: it reads as no rules and the errors are shown where rules are listed.
 */
export const readStoredUserRules = (stored: string | null): { rules: UserRules; errors: string[] } => {
  if (stored === null || stored.trim() === "") return { rules: EMPTY_USER_RULES, errors: [] };
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch (error) {
    return { rules: EMPTY_USER_RULES, errors: [`your rules ignored: stored rules are not valid JSON (${error instanceof Error ? error.message : String(error)})`] };
  }
  const result = validateUserRules(json);
  if (result.ok) return { rules: result.rules, errors: [] };
  return { rules: EMPTY_USER_RULES, errors: result.errors.map((error) => `your rules ignored: ${error}`) };
};

/** The rules as the engine's "user" source; it carries no mode and no bypass permission. */
export const userRulesSource = (rules: UserRules, origin: string): RuleSource => ({
  name: "user",
  origin,
  allow: rules.allow,
  ask: rules.ask,
  deny: rules.deny,
});
