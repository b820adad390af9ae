// Calls every procedure of appRouter as anonymous, outsider (signed in, another workspace),
// viewer, member and admin of workspace A, on a real migrated SQLite file, and checks the outcome.
// The table must name every procedure: a new one without a row fails here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { createTempDb } from "../../test-support/temp-db";
import { hasRole, type Role } from "../auth/roles";
import { createInvitation, currentMembership } from "../auth/workspaces";
import type { Db } from "../db";
import { SandboxError, type SandboxDriver } from "../sandbox/sandbox";
import { encryptSecret } from "../secrets";
import { createServices, type Services } from "../services";
import type { TrpcContext } from "./init";
import { appRouter } from "./root";

type Caller = "anonymous" | "outsider" | "viewer" | "member" | "admin";
type Outcome = "allowed" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND";
const callers: Caller[] = ["anonymous", "outsider", "viewer", "member", "admin"];

/** The engine is down: procedures that need a sandbox fail past the access check, visibly. */
const unreachableDriver: SandboxDriver = {
  create: async () => Promise.reject(new SandboxError("engine_unreachable", "no engine in the access test")),
  ensure: async () => Promise.reject(new SandboxError("engine_unreachable", "no engine in the access test")),
  inspect: async () => null,
  list: async () => Promise.reject(new SandboxError("engine_unreachable", "no engine in the access test")),
  stop: async () => undefined,
  destroy: async () => undefined,
  stats: async () => Promise.reject(new SandboxError("engine_unreachable", "no engine in the access test")),
};

let db: Db;
let services: Services;
let cleanup: () => Promise<void>;
let extra = 0;

const fx = { workspace: "wsA", other: "wsB", session: "sA", otherSession: "sB", provider: "pA", otherProvider: "pB" };
const users: Record<Exclude<Caller, "anonymous">, string> = { outsider: "u-out", viewer: "u-view", member: "u-mem", admin: "u-adm" };
const rolesInA: Record<"viewer" | "member" | "admin", Role> = { viewer: "viewer", member: "member", admin: "admin" };

/** A fresh member of A, for procedures that change or remove one. */
const freshMemberOfA = async () => {
  const id = `u-extra-${extra++}`;
  await db.user.create({ data: { id, name: id, email: `${id}@example.com` } });
  await db.membership.create({ data: { id: `m-${id}`, workspaceId: fx.workspace, userId: id, role: "member" } });
  return id;
};

type Row = {
  /** public: anyone; signedIn: any account; else the weakest role in A that may call it. */
  minimum: "public" | "signedIn" | Role;
  /** What the outsider gets: NOT_FOUND when the input names A's things, allowed when it acts in their own workspace. */
  outsider?: Outcome;
  input?: () => unknown | Promise<unknown>;
};

const onSession = (extraInput: Record<string, unknown> = {}) => () => ({ sessionId: fx.session, ...extraInput });
const scope = { kind: "start" } as const;

const table: Record<string, Row> = {
  "sessions.list": { minimum: "viewer", outsider: "allowed" },
  "sessions.get": { minimum: "viewer", input: onSession() },
  "sessions.create": { minimum: "member", outsider: "allowed", input: () => ({ source: { kind: "empty" } }) },
  "sessions.send": { minimum: "member", input: onSession({ text: "hello" }) },
  "sessions.stop": { minimum: "member", input: onSession() },
  "sessions.answerPermission": { minimum: "member", input: onSession({ requestId: "r1", choice: "deny" }) },
  "sessions.answerQuestion": { minimum: "member", input: onSession({ requestId: "q1", answers: ["yes"] }) },
  "sessions.setMode": { minimum: "member", input: onSession({ mode: "plan" }) },
  "sessions.diff": { minimum: "viewer", input: onSession() },
  "sessions.compact": { minimum: "member", input: onSession() },
  "sessions.rules": { minimum: "viewer", input: onSession() },
  "sessions.images": { minimum: "signedIn" },
  "sessions.resources": { minimum: "viewer", input: onSession() },

  "providers.list": { minimum: "viewer", outsider: "allowed" },
  "providers.save": { minimum: "admin", outsider: "allowed", input: () => ({ kind: "openai-compatible", baseUrl: "http://localhost:1/v1", apiKey: "", model: "m" }) },
  "providers.setDefault": { minimum: "admin", input: () => ({ id: fx.provider }) },
  "providers.remove": {
    minimum: "admin",
    input: async () => {
      const id = `p-extra-${extra++}`;
      await db.provider.create({ data: { id, workspaceId: fx.workspace, ownerId: users.admin, kind: "openai", label: "x", model: "m", apiKeyEncrypted: encryptSecret("k") } });
      return { id };
    },
  },

  "system.whoami": { minimum: "public" },
  "system.signInProviders": { minimum: "public" },
  "system.status": { minimum: "signedIn" },
  "system.engine": { minimum: "signedIn" },

  "review.checkpoints": { minimum: "viewer", input: onSession() },
  "review.diff": { minimum: "viewer", input: onSession({ scope }) },
  "review.diffFile": { minimum: "viewer", input: onSession({ scope, path: "a.txt" }) },
  "review.revertFile": { minimum: "member", input: onSession({ scope, path: "a.txt" }) },
  "review.revertHunk": { minimum: "member", input: onSession({ scope, path: "a.txt", hunkIndex: 0, hunkHeader: "@@ -1 +1 @@" }) },
  "review.rewind": { minimum: "member", input: onSession({ toCheckpoint: 0 }) },
  "review.comments": { minimum: "viewer", input: onSession() },
  "review.addComment": { minimum: "member", input: onSession({ path: "a.txt", line: 1, body: "why?" }) },
  "review.deleteComment": {
    minimum: "member",
    input: async () => {
      const id = `c-extra-${extra++}`;
      await db.reviewComment.create({ data: { id, sessionId: fx.session, path: "a.txt", line: 1, body: "x" } });
      return { sessionId: fx.session, id };
    },
  },
  "review.sendComments": { minimum: "member", input: onSession() },
  "review.draftCommitMessage": { minimum: "viewer", input: onSession() },
  "review.commit": { minimum: "member", input: onSession({ message: "m" }) },
  "review.patch": { minimum: "viewer", input: onSession() },
  "review.remote": { minimum: "viewer", input: onSession() },
  "review.push": { minimum: "member", input: onSession({ branch: "b" }) },
  "review.openPullRequest": { minimum: "member", input: onSession({ title: "t" }) },
  "review.credentials": { minimum: "member", outsider: "allowed" },
  "review.saveCredential": { minimum: "admin", outsider: "allowed", input: () => ({ remoteUrl: "https://git.example.com/a/b.git", username: "u", secret: "s" }) },

  "workspaces.list": { minimum: "signedIn" },
  "workspaces.switch": { minimum: "signedIn", outsider: "NOT_FOUND", input: () => ({ workspaceId: fx.workspace }) },
  "workspaces.create": { minimum: "signedIn", input: () => ({ name: "Another" }) },
  "workspaces.members": { minimum: "viewer", outsider: "allowed" },
  "workspaces.setRole": { minimum: "admin", input: async () => ({ userId: await freshMemberOfA(), role: "viewer" }) },
  "workspaces.removeMember": { minimum: "admin", input: async () => ({ userId: await freshMemberOfA() }) },
  "workspaces.policy": { minimum: "viewer", outsider: "allowed" },
  "workspaces.setPolicy": { minimum: "admin", outsider: "allowed", input: () => ({ allow: ["Bash(npm test)"], ask: [], deny: ["Bash(curl:*)"], allowBypass: false }) },
  // The outsider is the last owner of their own workspace: refused by the rule, not by access.
  "workspaces.leave": { minimum: "viewer", outsider: "allowed" },

  "invitations.list": { minimum: "admin", outsider: "allowed" },
  "invitations.options": { minimum: "admin", outsider: "allowed" },
  "invitations.create": { minimum: "admin", outsider: "allowed", input: () => ({ role: "member" }) },
  "invitations.revoke": {
    minimum: "admin",
    input: async () => ({ id: (await createInvitation(db, services.newId, { workspaceId: fx.workspace, role: "viewer", createdById: users.admin })).id }),
  },
  "audit.list": { minimum: "admin", outsider: "allowed", input: () => ({ action: "member.removed" }) },
  "audit.export": { minimum: "admin", outsider: "allowed", input: () => ({ format: "json" }) },

  "account.rules": { minimum: "signedIn" },
  "account.setRules": { minimum: "signedIn", input: () => ({ allow: ["Bash(npm test)"], ask: [], deny: ["Bash(curl:*)"] }) },

  "invitations.preview": { minimum: "public", input: () => ({ token: "no-such-token" }) },
  "invitations.accept": {
    minimum: "signedIn",
    input: async () => ({ token: (await createInvitation(db, services.newId, { workspaceId: fx.workspace, role: "viewer", createdById: users.admin })).token }),
  },
};

const expected = (row: Row, caller: Caller): Outcome => {
  if (row.minimum === "public") return "allowed";
  if (caller === "anonymous") return "UNAUTHORIZED";
  if (row.minimum === "signedIn") return caller === "outsider" ? (row.outsider ?? "allowed") : "allowed";
  if (caller === "outsider") return row.outsider ?? "NOT_FOUND";
  return hasRole(rolesInA[caller], row.minimum) ? "allowed" : "FORBIDDEN";
};

const contextFor = async (caller: Caller): Promise<TrpcContext> => {
  if (caller === "anonymous") return { user: null, membership: null, services };
  const user = await db.user.findUniqueOrThrow({ where: { id: users[caller] } });
  return { user: { id: user.id, name: user.name, email: user.email }, membership: await currentMembership(db, user.id, user.activeWorkspaceId), services };
};

/** Calls `path` and reduces the result to an outcome: any error other than an access error means the call got past the checks. */
const call = async (caller: Caller, path: string, input: unknown): Promise<{ outcome: Outcome; detail: string }> => {
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], appRouter.createCaller(await contextFor(caller)));
  try {
    await (procedure as (input: unknown) => Promise<unknown>)(input);
    return { outcome: "allowed", detail: "ok" };
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN" || error.code === "NOT_FOUND")) {
      return { outcome: error.code, detail: error.message };
    }
    return { outcome: "allowed", detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
};

/** Puts the world back after a call that may have changed roles, memberships or the current workspace. */
const restore = async () => {
  await db.membership.deleteMany({ where: { workspaceId: fx.workspace, userId: users.outsider } });
  for (const caller of ["viewer", "member", "admin"] as const) {
    await db.membership.upsert({
      where: { workspaceId_userId: { workspaceId: fx.workspace, userId: users[caller] } },
      update: { role: rolesInA[caller] },
      create: { id: `m-${caller}`, workspaceId: fx.workspace, userId: users[caller], role: rolesInA[caller] },
    });
  }
  await db.user.updateMany({ where: { id: { in: [users.viewer, users.member, users.admin] } }, data: { activeWorkspaceId: fx.workspace } });
  await db.user.updateMany({ where: { id: users.outsider }, data: { activeWorkspaceId: fx.other } });
};

beforeAll(async () => {
  const temp = await createTempDb();
  db = temp.db;
  services = createServices({
    db,
    driver: unreachableDriver,
    createModelClient: () => {
      throw new Error("no model in the access test");
    },
    tools: [],
    toolSchemas: [],
    dataDir: temp.dir,
    sandboxDefaults: { image: "pincer-sandbox:latest", network: "none", memoryBytes: 512 * 1024 * 1024, nanoCpus: 1e9, pidsLimit: 256 },
  });
  cleanup = async () => {
    await services.sessions.shutdown().catch(() => undefined);
    await temp.cleanup();
  };
  for (const [caller, id] of Object.entries(users)) await db.user.create({ data: { id, name: caller, email: `${caller}@example.com` } });
  await db.workspace.create({ data: { id: fx.workspace, name: "A" } });
  await db.workspace.create({ data: { id: fx.other, name: "B", memberships: { create: { id: "m-out", userId: users.outsider, role: "owner" } } } });
  await restore();
  for (const [id, workspaceId, ownerId] of [
    [fx.session, fx.workspace, users.admin],
    [fx.otherSession, fx.other, users.outsider],
  ] as const) {
    await db.session.create({ data: { id, workspaceId, ownerId, title: "t", source: "empty", image: "pincer-sandbox:latest", status: "idle" } });
  }
  await db.provider.create({ data: { id: fx.provider, workspaceId: fx.workspace, ownerId: users.admin, kind: "openai", label: "a", model: "m", apiKeyEncrypted: encryptSecret("sk-a") } });
  await db.provider.create({ data: { id: fx.otherProvider, workspaceId: fx.other, ownerId: users.outsider, kind: "openai", label: "b", model: "m", apiKeyEncrypted: encryptSecret("sk-b") } });
}, 60_000);

afterAll(async () => {
  await cleanup?.();
});

describe("access to every procedure", () => {
  it("has a row for every procedure of appRouter, and no row for a procedure that is gone", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(Object.keys(table).sort()).toEqual(procedures);
  });

  for (const [path, row] of Object.entries(table)) {
    it(`${path}: ${callers.map((caller) => `${caller} ${expected(row, caller)}`).join(", ")}`, async () => {
      const outcomes: Record<string, string> = {};
      const wanted: Record<string, string> = {};
      for (const caller of callers) {
        const result = await call(caller, path, await row.input?.());
        await restore();
        outcomes[caller] = result.outcome === expected(row, caller) ? result.outcome : `${result.outcome} (${result.detail})`;
        wanted[caller] = expected(row, caller);
      }
      expect(outcomes).toEqual(wanted);
    });
  }
});

describe("sessions of another workspace", () => {
  it("are missing, not forbidden, and reveal nothing", async () => {
    const result = await call("admin", "sessions.get", { sessionId: fx.otherSession });
    expect(result).toEqual({ outcome: "NOT_FOUND", detail: "Session not found." });
  });

  it("are not listed", async () => {
    const caller = appRouter.createCaller(await contextFor("admin"));
    const ids = (await caller.sessions.list()).map((session) => session.id);
    expect(ids).toContain(fx.session);
    expect(ids).not.toContain(fx.otherSession);
  });
});

describe("your rules", () => {
  it("are your own: saving yours changes no one else's, and extra keys such as a bypass switch are refused", async () => {
    const member = appRouter.createCaller(await contextFor("member"));
    const viewer = appRouter.createCaller(await contextFor("viewer"));
    await member.account.setRules({ allow: [], ask: ["Bash(git push:*)"], deny: [] });
    await viewer.account.setRules({ allow: ["Bash(ls)"], ask: [], deny: [] });
    expect((await member.account.rules()).rules).toEqual({ allow: [], ask: ["Bash(git push:*)"], deny: [] });
    expect((await viewer.account.rules()).rules).toEqual({ allow: ["Bash(ls)"], ask: [], deny: [] });
    await expect(member.account.setRules({ allow: [], ask: [], deny: [], allowBypass: true } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(member.account.setRules({ allow: ["oops("], ask: [], deny: [] })).rejects.toThrow(/not saved/);
  });
});

describe("roles", () => {
  it("the last owner cannot demote themself or leave", async () => {
    const owner = `u-owner-${extra++}`;
    await db.user.create({ data: { id: owner, name: "Owner", email: `${owner}@example.com` } });
    await db.workspace.create({ data: { id: "wsC", name: "C", memberships: { create: { id: `m-${owner}`, userId: owner, role: "owner" } } } });
    const caller = appRouter.createCaller({ user: { id: owner, name: "Owner", email: "" }, membership: await currentMembership(db, owner, null), services });
    await expect(caller.workspaces.setRole({ userId: owner, role: "admin" })).rejects.toThrow(/needs an owner/);
    await expect(caller.workspaces.leave()).rejects.toThrow(/last owner/);
  });

  it("an admin cannot make owners", async () => {
    const caller = appRouter.createCaller(await contextFor("admin"));
    await expect(caller.workspaces.setRole({ userId: users.member, role: "owner" })).rejects.toThrow(/Only an owner/);
  });

  it("provider keys are never returned", async () => {
    const caller = appRouter.createCaller(await contextFor("admin"));
    const providers = await caller.providers.list();
    expect(JSON.stringify(providers)).not.toMatch(/apiKey|sk-a/);
  });
});

describe("text with a NUL character", () => {
  it("is refused with a clear error before it reaches the database (PostgreSQL cannot store it)", async () => {
    const caller = appRouter.createCaller(await contextFor("member"));
    await expect(caller.workspaces.create({ name: "Team\u0000B" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/NUL character/) });
    // Anywhere in the input, however deep.
    await expect(caller.account.setRules({ allow: ["Bash(ls\u0000)"], ask: [], deny: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await caller.workspaces.create({ name: "Team B" })).id).toBeTruthy();
  });
});
