// The audit log end to end: the real server (better-auth + tRPC) on a migrated SQLite file records
// sign-ups, sign-ins, invitations, role changes, removals and approvals; tool executions come from
// the event log; audit.list filters and pages; audit.export writes CSV and JSON.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthServer, type AuthServer } from "../../test-support/auth-server";
import { appRouter } from "../trpc/root";
import { currentMembership } from "../auth/workspaces";
import { auditCsv, type AuditEntry } from "./audit-log";

type Page = { entries: Array<Omit<AuditEntry, "createdAt"> & { createdAt: string }>; total: number };

let app: AuthServer;
let ada = "";
let adaId = "";
let bobId = "";
let workspaceId = "";
const sessionId = "s-audit";

beforeAll(async () => {
  app = await startAuthServer();
  ada = await app.signUp("Ada", "ada@example.com");
  const me = await app.trpc<{ user: { id: string }; membership: { workspaceId: string } }>(ada, "system.whoami");
  adaId = me.user.id;
  workspaceId = me.membership.workspaceId;

  const invited = await app.trpc<{ token: string }>(ada, "invitations.create", { role: "member" }, "POST");
  const spare = await app.trpc<{ id: string }>(ada, "invitations.create", { role: "viewer" }, "POST");
  await app.trpc(ada, "invitations.revoke", { id: spare.id }, "POST");
  const bob = await app.signUp("Bob", "bob@example.com", invited.token);
  bobId = (await app.trpc<{ user: { id: string } }>(bob, "system.whoami")).user.id;
  ada = await app.signIn("ada@example.com");
  await app.trpc(ada, "workspaces.setRole", { userId: bobId, role: "viewer" }, "POST");

  // An approval: the router records it once the session accepts the answer (no turn runs here).
  await app.db.session.create({ data: { id: sessionId, workspaceId, ownerId: adaId, title: "Fix the build", source: "empty", image: "x" } });
  const user = { id: adaId, name: "Ada", email: "ada@example.com" };
  const services = { ...app.services, sessions: { ...app.services.sessions, answerPermission: async () => true } };
  await appRouter.createCaller({ user, membership: await currentMembership(app.db, adaId, null), services }).sessions.answerPermission({ sessionId, requestId: "r1", choice: "allow_once" });

  // Two tool executions in the session's event log.
  const events = [
    ["tool_call", { toolUseId: "t1", name: "bash", input: { command: "npm test" } }],
    ["tool_result", { toolUseId: "t1", name: "bash", output: "ok", isError: false, durationMs: 12 }],
    ["tool_call", { toolUseId: "t2", name: "read", input: { path: "a.txt" } }],
    ["tool_result", { toolUseId: "t2", name: "read", output: "secret output", isError: true, durationMs: 3 }],
  ] as const;
  for (const [index, [type, payload]] of events.entries()) {
    await app.db.event.create({ data: { sessionId, seq: index + 1, type, payload: JSON.stringify(payload) } });
  }
  await app.trpc(ada, "workspaces.removeMember", { userId: bobId }, "POST");
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const list = (input: Record<string, unknown> = {}) => app.trpc<Page>(ada, "audit.list", input);

describe("audit log", () => {
  it("records every action with who did it", async () => {
    const { entries } = await list({ limit: 100 });
    const summary = entries.map((entry) => `${entry.action} by ${entry.actorName}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        "auth.sign_up by Ada",
        "invitation.created by Ada",
        "invitation.revoked by Ada",
        "auth.sign_up by Bob",
        "invitation.accepted by Bob",
        "auth.sign_in by Ada",
        "member.role_changed by Ada",
        "permission.answered by Ada",
        "tool.executed by agent",
        "member.removed by Ada",
      ]),
    );
    expect(entries.find((entry) => entry.action === "member.role_changed")).toMatchObject({ target: bobId, detail: { from: "member", to: "viewer" } });
    expect(entries.find((entry) => entry.action === "permission.answered")).toMatchObject({ target: sessionId, detail: { choice: "allow_once", session: "Fix the build" } });
    // Newest first.
    const times = entries.map((entry) => new Date(entry.createdAt).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("reads tool executions from the event log with their input, never their output", async () => {
    const { entries, total } = await list({ action: "tool.executed" });
    expect(total).toBe(2);
    expect(entries.map((entry) => entry.detail)).toEqual(
      expect.arrayContaining([
        { session: "Fix the build", tool: "bash", input: JSON.stringify({ command: "npm test" }), isError: false, durationMs: 12 },
        { session: "Fix the build", tool: "read", input: JSON.stringify({ path: "a.txt" }), isError: true, durationMs: 3 },
      ]),
    );
    expect(JSON.stringify(entries)).not.toContain("secret output");
  });

  it("filters by action, actor and date range", async () => {
    const invitations = await list({ action: "invitation.created" });
    expect(invitations.entries.map((entry) => entry.action)).toEqual(["invitation.created", "invitation.created"]);
    const byBob = await list({ actorId: bobId });
    expect(byBob.entries.map((entry) => entry.action).sort()).toEqual(["auth.sign_up", "invitation.accepted"]);
    const byAgent = await list({ actorId: "agent" });
    expect(byAgent.entries.every((entry) => entry.action === "tool.executed")).toBe(true);
    expect(byAgent.total).toBe(2);
    expect((await list({ from: new Date(Date.now() + 60_000).toISOString() })).total).toBe(0);
    expect((await list({ to: new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString() })).total).toBe(0);
    expect((await list({ from: new Date(Date.now() - 60_000).toISOString(), action: "member.removed" })).total).toBe(1);
  });

  it("pages the merged log without gaps or repeats", async () => {
    const all = await list({ limit: 100 });
    const first = await list({ offset: 0, limit: 4 });
    const second = await list({ offset: 4, limit: 4 });
    expect(first.total).toBe(all.total);
    expect([...first.entries, ...second.entries].map((entry) => entry.id)).toEqual(all.entries.slice(0, 8).map((entry) => entry.id));
  });

  it("exports the filtered log as CSV and JSON", async () => {
    const csv = await app.trpc<{ text: string; count: number; filename: string; mimeType: string }>(ada, "audit.export", { format: "csv", action: "invitation.created" });
    expect(csv).toMatchObject({ count: 2, mimeType: "text/csv" });
    expect(csv.filename).toMatch(/^pincer-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.text.split("\n");
    expect(lines[0]).toBe("time,action,actor,actorId,target,detail");
    expect(lines.slice(1).every((line) => line.includes(",invitation.created,Ada,"))).toBe(true);
    const json = await app.trpc<{ text: string; count: number }>(ada, "audit.export", { format: "json" });
    const parsed = JSON.parse(json.text) as Array<{ action: string }>;
    expect(parsed).toHaveLength(json.count);
    expect(parsed.map((entry) => entry.action)).toContain("member.removed");
  });

  it("a removed member cannot read the log", async () => {
    const bob = await app.signIn("bob@example.com");
    await expect(app.trpc(bob, "audit.list", {})).rejects.toThrow(/not in a workspace|needs the admin role/);
  });
});

describe("auditCsv", () => {
  it("quotes separators and keeps cells from running as spreadsheet formulas", () => {
    const text = auditCsv([
      { id: "1", createdAt: new Date("2026-01-02T03:04:05Z"), actorId: "u1", actorName: "=HYPERLINK(\"x\")", action: "auth.sign_in", target: null, detail: { note: "a,b" } },
    ]);
    expect(text.split("\n")[1]).toBe(`2026-01-02T03:04:05.000Z,auth.sign_in,"'=HYPERLINK(""x"")",u1,,"{""note"":""a,b""}"`);
  });
});
