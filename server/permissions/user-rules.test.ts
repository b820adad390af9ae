import { describe, expect, it } from "vitest";
import { bypassPermission, effectiveMode, SERVER_DEFAULTS } from "./policy";
import { EMPTY_TEAM_POLICY, teamPolicySource } from "./team-policy";
import { EMPTY_USER_RULES, readStoredUserRules, userRulesSource, validateUserRules } from "./user-rules";

describe("validateUserRules", () => {
  it("accepts rules, trims them and fills the missing lists", () => {
    expect(validateUserRules({ deny: [" Bash(curl:*) "] })).toEqual({ ok: true, rules: { allow: [], ask: [], deny: ["Bash(curl:*)"] } });
    expect(validateUserRules({})).toEqual({ ok: true, rules: EMPTY_USER_RULES });
  });

  it("names every rule that does not parse, with its list", () => {
    const result = validateUserRules({ allow: ["Bash(ls *)", "oops("], ask: ["Bash(rm"] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(/^allow: .*oops\(/);
    expect(result.errors[1]).toMatch(/^ask: .*Bash\(rm/);
  });

  it("refuses the wrong shape and empty rules", () => {
    expect(validateUserRules({ allow: "Bash" }).ok).toBe(false);
    expect(validateUserRules({ deny: [""] }).ok).toBe(false);
    expect(validateUserRules(null).ok).toBe(false);
  });

  it("has no bypass switch and no mode: both are refused, not dropped", () => {
    expect(validateUserRules({ allowBypass: true })).toMatchObject({ ok: false, errors: [expect.stringMatching(/allowBypass/)] });
    expect(validateUserRules({ defaultMode: "bypassPermissions" })).toMatchObject({ ok: false, errors: [expect.stringMatching(/defaultMode/)] });
  });
});

describe("readStoredUserRules", () => {
  it("reads no column as no rules, and a hand-edited bad column as no rules with the errors", () => {
    expect(readStoredUserRules(null)).toEqual({ rules: EMPTY_USER_RULES, errors: [] });
    expect(readStoredUserRules(" ")).toEqual({ rules: EMPTY_USER_RULES, errors: [] });
    expect(readStoredUserRules(JSON.stringify({ ask: ["Bash(git push:*)"] }))).toEqual({ rules: { allow: [], ask: ["Bash(git push:*)"], deny: [] }, errors: [] });
    expect(readStoredUserRules("{ nope")).toMatchObject({ rules: EMPTY_USER_RULES, errors: [expect.stringMatching(/your rules ignored: .*not valid JSON/)] });
    expect(readStoredUserRules(JSON.stringify({ deny: ["Bash(rm"], allowBypass: true }))).toMatchObject({ rules: EMPTY_USER_RULES, errors: [expect.stringMatching(/your rules ignored: .*allowBypass/)] });
  });
});

describe("userRulesSource", () => {
  it("is the user source, and never permits bypassPermissions", () => {
    const source = userRulesSource({ allow: ["Bash(npm test)"], ask: [], deny: [] }, "rules of Ada");
    expect(source).toEqual({ name: "user", origin: "rules of Ada", allow: ["Bash(npm test)"], ask: [], deny: [] });
    expect(bypassPermission({ sources: [SERVER_DEFAULTS, teamPolicySource(EMPTY_TEAM_POLICY, "team"), source] }).permitted).toBe(false);
    expect(effectiveMode({ sources: [SERVER_DEFAULTS, source] }, "bypassPermissions").mode).toBe("default");
    // Even a hand-made user source claiming the switch does not count: only the team may permit it.
    expect(bypassPermission({ sources: [{ ...source, allowBypassPermissionsMode: true }] }).permitted).toBe(false);
  });
});
