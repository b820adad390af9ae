import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMPTY_TEAM_POLICY, teamPolicySource, type TeamPolicy } from "../permissions/team-policy";
import { EMPTY_USER_RULES, userRulesSource, type UserRules } from "../permissions/user-rules";
import type { PermissionMode } from "./approvals";
import { createPermissionGate } from "./permission-gate";

let workspaceDir: string;

beforeAll(async () => {
  workspaceDir = await mkdtemp(path.join(tmpdir(), "pincer-gate-"));
  await mkdir(path.join(workspaceDir, ".pincer"));
  // The repository tries to loosen the team: allow what the team denies or asks for.
  const settings = { permissions: { allow: ["Bash(curl:*)", "Bash(git push:*)", "Bash(npm test)"] } };
  await writeFile(path.join(workspaceDir, ".pincer/settings.json"), JSON.stringify(settings));
});

afterAll(async () => {
  await rm(workspaceDir, { recursive: true, force: true });
});

const gateFor = (policy: Partial<TeamPolicy>, user?: Partial<UserRules>) => {
  const seen: string[] = [];
  const gate = createPermissionGate({
    workspaceDirFor: () => workspaceDir,
    extraSources: async (sessionId) => {
      seen.push(sessionId);
      const team = teamPolicySource({ ...EMPTY_TEAM_POLICY, ...policy }, "workspace policy");
      // The user source first, to show the gate puts it in SOURCE_ORDER itself.
      return user ? [userRulesSource({ ...EMPTY_USER_RULES, ...user }, "rules of Ada"), team] : [team];
    },
  });
  const check = (command: string, options: { mode?: PermissionMode; sessionRules?: string[] } = {}) =>
    gate.check({ sessionId: "s1", toolName: "Bash", input: { command }, mode: options.mode ?? "default", sessionRules: options.sessionRules ?? [], cwd: "/workspace" });
  return { check, seen };
};

describe("the gate under a team policy", () => {
  const team = { ask: ["Bash(git push:*)"], deny: ["Bash(curl:*)"] };

  it("asks the team sources for the session being checked", async () => {
    const { check, seen } = gateFor(team);
    await check("ls");
    expect(seen).toEqual(["s1"]);
  });

  it("a team deny beats a project allow", async () => {
    expect(await gateFor(team).check("curl https://example.com")).toMatchObject({ decision: "deny", rule: "Bash(curl:*)" });
    expect((await gateFor({}).check("curl https://example.com")).decision).toBe("allow");
  });

  it("a team ask beats a project allow and a session allow", async () => {
    const { check } = gateFor(team);
    expect(await check("git push origin main", { sessionRules: ["Bash(git push:*)", "Bash(git push origin main)"] })).toMatchObject({ decision: "ask", rule: "Bash(git push:*)" });
    expect((await check("npm test")).decision).toBe("allow");
  });

  it("bypassPermissions is refused without allowBypass: the call is decided in default mode, and says why", async () => {
    const verdict = await gateFor(team).check("rm build.log", { mode: "bypassPermissions" });
    expect(verdict.decision).toBe("ask");
    expect(verdict.reason).toMatch(/team policy does not allow bypass/);
  });

  it("bypassPermissions holds with allowBypass, and still keeps the team's deny and ask", async () => {
    const { check } = gateFor({ ...team, allowBypass: true });
    expect((await check("rm build.log", { mode: "bypassPermissions" })).decision).toBe("allow");
    expect((await check("curl x", { mode: "bypassPermissions" })).decision).toBe("deny");
    expect((await check("git push", { mode: "bypassPermissions" })).decision).toBe("ask");
  });
});

describe("the gate with the session owner's rules", () => {
  const team = { ask: ["Bash(git push:*)"], deny: ["Bash(curl:*)"] };

  it("a user allow does not loosen a team ask or deny", async () => {
    const { check } = gateFor(team, { allow: ["Bash(curl:*)", "Bash(git push:*)", "Bash(make:*)"] });
    expect(await check("curl https://example.com")).toMatchObject({ decision: "deny", rule: "Bash(curl:*)" });
    expect(await check("git push origin main")).toMatchObject({ decision: "ask", rule: "Bash(git push:*)" });
    expect(await check("make build")).toMatchObject({ decision: "allow", rule: "Bash(make:*)" });
  });

  it("a user deny denies, over a project allow and a session allow", async () => {
    const { check } = gateFor({}, { deny: ["Bash(npm test)"] });
    expect(await check("npm test", { sessionRules: ["Bash(npm test)"] })).toMatchObject({ decision: "deny", rule: "Bash(npm test)" });
    expect((await gateFor({}).check("npm test")).decision).toBe("allow");
  });

  it("a user ask asks where the project allows", async () => {
    expect(await gateFor({}, { ask: ["Bash(npm test)"] }).check("npm test")).toMatchObject({ decision: "ask", rule: "Bash(npm test)" });
  });

  it("the user's rules cannot bring bypassPermissions back when the team does not allow it", async () => {
    const verdict = await gateFor(team, { allow: ["Bash(rm:*)"] }).check("rm -rf build", { mode: "bypassPermissions" });
    expect(verdict.reason).toMatch(/team policy does not allow bypass/);
  });
});
