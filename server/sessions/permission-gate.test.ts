import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMPTY_TEAM_POLICY, teamPolicySource, type TeamPolicy } from "../permissions/team-policy";
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

const gateFor = (policy: Partial<TeamPolicy>) => {
  const seen: string[] = [];
  const gate = createPermissionGate({
    workspaceDirFor: () => workspaceDir,
    extraSources: async (sessionId) => {
      seen.push(sessionId);
      return [teamPolicySource({ ...EMPTY_TEAM_POLICY, ...policy }, "workspace policy")];
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
