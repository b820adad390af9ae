// setMode and the Rules tab against a real SQLite file; no sandbox is needed for either.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDb } from "../../test-support/temp-db";
import { EMPTY_TEAM_POLICY } from "../permissions/team-policy";
import type { SandboxDriver } from "../sandbox/sandbox";
import { createServices, ensureLocalUser, type Services } from "../services";
import { BypassNotPermittedError } from "./service";
import { saveTeamPolicy, teamSourcesForSession } from "./team-policy-store";

const noDriver = new Proxy({}, { get: () => () => Promise.reject(new Error("no sandbox in this test")) }) as SandboxDriver;

let services: Services;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await createTempDb();
  await ensureLocalUser(temp.db);
  services = createServices({
    db: temp.db,
    driver: noDriver,
    createModelClient: () => {
      throw new Error("no model in this test");
    },
    tools: [],
    toolSchemas: [],
    dataDir: temp.dir,
    sandboxDefaults: { image: "pincer-sandbox:latest", network: "none", memoryBytes: 1, nanoCpus: 1, pidsLimit: 1 },
  });
  await temp.db.session.create({ data: { id: "s1", workspaceId: "local", ownerId: "local", title: "t", source: "empty", image: "pincer-sandbox:latest", status: "idle" } });
  cleanup = async () => {
    await services.sessions.shutdown().catch(() => undefined);
    await temp.cleanup();
  };
}, 60_000);

afterAll(async () => {
  await cleanup?.();
});

describe("the team policy of a session's workspace", () => {
  it("is the session's team source, and listed in the Rules tab", async () => {
    await saveTeamPolicy(services.db, "local", { ...EMPTY_TEAM_POLICY, deny: ["Bash(curl:*)"] });
    expect(await teamSourcesForSession(services.db, "s1")).toEqual([expect.objectContaining({ name: "team", deny: ["Bash(curl:*)"], allowBypassPermissionsMode: false })]);
    expect(await teamSourcesForSession(services.db, "nope")).toEqual([]);
    const rules = await services.sessions.rules("s1");
    expect(rules.sources.map((source) => source.name)).toEqual(["defaults", "team", "user", "session"]);
    expect(rules.sources[1]).toMatchObject({ origin: "workspace policy", deny: ["Bash(curl:*)"] });
  });

  it("setMode refuses bypassPermissions unless the policy allows bypass", async () => {
    await saveTeamPolicy(services.db, "local", EMPTY_TEAM_POLICY);
    expect(await services.sessions.bypassPermitted("s1")).toBe(false);
    await expect(services.sessions.setMode("s1", "bypassPermissions", "test")).rejects.toThrow(BypassNotPermittedError);
    await expect(services.sessions.setMode("s1", "bypassPermissions", "test")).rejects.toThrow(/Team policy/);
    await services.sessions.setMode("s1", "acceptEdits", "test");
    expect(await services.sessions.mode("s1")).toBe("acceptEdits");

    await saveTeamPolicy(services.db, "local", { ...EMPTY_TEAM_POLICY, allowBypass: true });
    expect(await services.sessions.bypassPermitted("s1")).toBe(true);
    await services.sessions.setMode("s1", "bypassPermissions", "test");
    expect(await services.sessions.mode("s1")).toBe("bypassPermissions");
  });
});
