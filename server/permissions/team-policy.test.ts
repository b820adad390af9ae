import { describe, expect, it } from "vitest";
import { bypassPermission, effectiveMode, type RuleSource } from "./policy";
import { EMPTY_TEAM_POLICY, localTeamSource, readStoredTeamPolicy, teamPolicySource, validateTeamPolicy } from "./team-policy";

const project = (extra: Partial<RuleSource> = {}): RuleSource => ({ name: "project", origin: ".pincer/settings.json", allow: [], ask: [], deny: [], ...extra });

describe("validateTeamPolicy", () => {
  it("accepts a policy and fills the defaults", () => {
    expect(validateTeamPolicy({ deny: ["Bash(curl:*)"] })).toEqual({ ok: true, policy: { allow: [], ask: [], deny: ["Bash(curl:*)"], allowBypass: false } });
    expect(validateTeamPolicy({ allow: [" Bash(npm test) "], allowBypass: true, defaultMode: "bypassPermissions" })).toMatchObject({
      ok: true,
      policy: { allow: ["Bash(npm test)"], allowBypass: true, defaultMode: "bypassPermissions" },
    });
  });

  it("names every rule that does not parse, with its list", () => {
    const result = validateTeamPolicy({ allow: ["Bash(ls *)", "oops("], deny: ["Bash(rm"] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(/^allow: .*oops\(/);
    expect(result.errors[1]).toMatch(/^deny: .*Bash\(rm/);
  });

  it("refuses the wrong shape, an unknown mode, and a bypass default without allowBypass", () => {
    expect(validateTeamPolicy({ allow: "Bash" }).ok).toBe(false);
    expect(validateTeamPolicy({ defaultMode: "yolo" }).ok).toBe(false);
    expect(validateTeamPolicy({ allow: [""] }).ok).toBe(false);
    expect(validateTeamPolicy({ defaultMode: "bypassPermissions" })).toMatchObject({ ok: false, errors: [expect.stringMatching(/defaultMode/)] });
  });

  it("reads a missing column as the empty policy and a broken one as empty, with the error", () => {
    expect(readStoredTeamPolicy(null)).toEqual({ policy: EMPTY_TEAM_POLICY, errors: [] });
    expect(readStoredTeamPolicy(JSON.stringify({ ask: ["Bash(git push:*)"], allowBypass: true })).policy).toMatchObject({ ask: ["Bash(git push:*)"], allowBypass: true });
    expect(readStoredTeamPolicy("{nope")).toMatchObject({ policy: EMPTY_TEAM_POLICY, errors: [expect.stringMatching(/not valid JSON/)] });
    expect(readStoredTeamPolicy(JSON.stringify({ allow: ["x("], allowBypass: true }))).toMatchObject({ policy: { allowBypass: false }, errors: [expect.stringMatching(/team policy ignored/)] });
  });
});

describe("bypassPermissions needs the team's permission", () => {
  it("falls back to default with a note when no team source permits it", () => {
    expect(effectiveMode({ sources: [] }, "bypassPermissions")).toEqual({ mode: "default", note: expect.stringMatching(/team policy does not allow bypass/) });
    expect(effectiveMode({ sources: [teamPolicySource(EMPTY_TEAM_POLICY, "ws")] }, "bypassPermissions").mode).toBe("default");
  });

  it("is in force where the team policy sets allowBypass", () => {
    const team = teamPolicySource({ ...EMPTY_TEAM_POLICY, allowBypass: true }, "ws");
    expect(effectiveMode({ sources: [team] }, "bypassPermissions")).toEqual({ mode: "bypassPermissions", note: null });
    expect(effectiveMode({ sources: [localTeamSource("cli")] }, "bypassPermissions").mode).toBe("bypassPermissions");
  });

  it("cannot be granted by a later source, and a disable anywhere wins", () => {
    const team = teamPolicySource({ ...EMPTY_TEAM_POLICY, allowBypass: true }, "ws");
    expect(bypassPermission({ sources: [project({ allowBypassPermissionsMode: true })] }).permitted).toBe(false);
    expect(bypassPermission({ sources: [{ name: "session", origin: "s", allow: [], ask: [], deny: [], allowBypassPermissionsMode: true }] }).permitted).toBe(false);
    expect(bypassPermission({ sources: [team, project({ disableBypassPermissionsMode: "disable" })] })).toMatchObject({ permitted: false, reason: expect.stringMatching(/disabled by project/) });
  });

  it("a project's defaultMode bypass is not honoured without the team's permission", () => {
    expect(effectiveMode({ sources: [project({ defaultMode: "bypassPermissions" })] }).mode).toBe("default");
  });
});
