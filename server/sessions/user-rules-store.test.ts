// The owner's rules as a session's user source, and the Rules tab, against a real SQLite file
// migrated from scratch (so the user_rules migration applies after all the others).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDb } from "../../test-support/temp-db";
import { EMPTY_TEAM_POLICY } from "../permissions/team-policy";
import { EMPTY_USER_RULES } from "../permissions/user-rules";
import type { SandboxDriver } from "../sandbox/sandbox";
import { createServices, ensureLocalUser, type Services } from "../services";
import { saveTeamPolicy } from "./team-policy-store";
import { loadUserRules, saveUserRules, userSourcesForSession } from "./user-rules-store";

const noDriver = new Proxy({}, { get: () => () => Promise.reject(new Error("no sandbox in this test")) }) as SandboxDriver;

let services: Services;
let dataDir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await createTempDb();
  dataDir = temp.dir;
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
  await temp.db.user.create({ data: { id: "u-bob", name: "Bob", email: "bob@example.com" } });
  await temp.db.session.create({ data: { id: "s1", workspaceId: "local", ownerId: "local", title: "t", source: "empty", image: "pincer-sandbox:latest", status: "idle" } });
  cleanup = async () => {
    await services.sessions.shutdown().catch(() => undefined);
    await temp.cleanup();
  };
}, 60_000);

afterAll(async () => {
  await cleanup?.();
});

describe("the session owner's rules", () => {
  it("start empty, and are stored per account", async () => {
    expect(await loadUserRules(services.db, "local")).toEqual({ rules: EMPTY_USER_RULES, errors: [] });
    await saveUserRules(services.db, "local", { allow: ["Bash(make:*)"], ask: [], deny: ["Bash(curl:*)"] });
    expect(await loadUserRules(services.db, "local")).toEqual({ rules: { allow: ["Bash(make:*)"], ask: [], deny: ["Bash(curl:*)"] }, errors: [] });
    expect((await loadUserRules(services.db, "u-bob")).rules).toEqual(EMPTY_USER_RULES);
  });

  it("are the user source of the sessions the account owns, and of no other", async () => {
    await saveUserRules(services.db, "local", { allow: [], ask: [], deny: ["Bash(curl:*)"] });
    await saveUserRules(services.db, "u-bob", { allow: [], ask: [], deny: ["Bash(wget:*)"] });
    const [source] = await userSourcesForSession(services.db, "s1");
    expect(source).toMatchObject({ name: "user", deny: ["Bash(curl:*)"] });
    expect(source.allowBypassPermissionsMode).toBeUndefined();
    expect(await userSourcesForSession(services.db, "nope")).toEqual([]);
  });

  it("a hand-edited bad column is no rules, and says why in the origin", async () => {
    await services.db.user.update({ where: { id: "local" }, data: { permissionRules: "{ nope" } });
    const [source] = await userSourcesForSession(services.db, "s1");
    expect(source).toMatchObject({ name: "user", allow: [], ask: [], deny: [] });
    expect(source.origin).toMatch(/your rules ignored/);
  });

  it("are listed in the Rules tab after the project, before the session", async () => {
    await saveTeamPolicy(services.db, "local", { ...EMPTY_TEAM_POLICY, ask: ["Bash(git push:*)"] });
    await saveUserRules(services.db, "local", { allow: [], ask: [], deny: ["Bash(curl:*)"] });
    const workspaceDir = path.join(dataDir, "workspaces", "s1");
    await mkdir(path.join(workspaceDir, ".pincer"), { recursive: true });
    await writeFile(path.join(workspaceDir, ".pincer/settings.json"), JSON.stringify({ permissions: { allow: ["Bash(curl:*)"] } }));
    const rules = await services.sessions.rules("s1");
    expect(rules.sources.map((source) => source.name)).toEqual(["defaults", "team", "project", "user", "session"]);
    expect(rules.sources[3]).toMatchObject({ deny: ["Bash(curl:*)"] });
  });

  it("cannot permit bypassPermissions", async () => {
    await saveTeamPolicy(services.db, "local", EMPTY_TEAM_POLICY);
    await services.db.user.update({ where: { id: "local" }, data: { permissionRules: JSON.stringify({ allow: ["Bash(rm:*)"], allowBypass: true }) } });
    expect(await services.sessions.bypassPermitted("s1")).toBe(false);
  });
});
