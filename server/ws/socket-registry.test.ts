// A removed member with an open tab: over real WebSockets against the real server, their event
// socket closes at once; a demotion to viewer keeps the watch-only event socket open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startAuthServer, type AuthServer } from "../../test-support/auth-server";
import { createSocketRegistry, membershipRevokedCode } from "./socket-registry";

let app: AuthServer;
let owner = "";
let workspaceId = "";
const sessionId = "s-live";

beforeAll(async () => {
  app = await startAuthServer();
  owner = await app.signUp("Ada", "ada@example.com");
  const me = await app.trpc<{ user: { id: string }; membership: { workspaceId: string } }>(owner, "system.whoami");
  workspaceId = me.membership.workspaceId;
  await app.db.session.create({ data: { id: sessionId, workspaceId, ownerId: me.user.id, title: "t", source: "empty", image: "x" } });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** A member signed up through an invitation, with their cookie and user id. */
const invitedMember = async (name: string) => {
  const { token } = await app.trpc<{ token: string }>(owner, "invitations.create", { role: "member" }, "POST");
  const cookie = await app.signUp(name, `${name.toLowerCase()}@example.com`, token);
  const { user } = await app.trpc<{ user: { id: string } }>(cookie, "system.whoami");
  return { cookie, userId: user.id };
};

const openEvents = async (cookie: string) => {
  const ws = new WebSocket(`${app.base.replace("http", "ws")}/ws/sessions/${sessionId}/events`, { headers: { cookie, origin: app.base } });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, closed };
};

describe("sockets of a member whose membership changes", () => {
  it("are closed at once when the member is removed, and cannot reopen", async () => {
    const bob = await invitedMember("Bob");
    const tab = await openEvents(bob.cookie);
    const second = await openEvents(bob.cookie);
    expect(app.services.sockets.count(bob.userId, workspaceId)).toBe(2);

    await app.trpc(owner, "workspaces.removeMember", { userId: bob.userId }, "POST");
    const [first, other] = await Promise.all([tab.closed, second.closed]);
    expect(first).toEqual({ code: membershipRevokedCode, reason: "You are no longer a member of this workspace." });
    expect(other.code).toBe(membershipRevokedCode);
    expect(app.services.sockets.count(bob.userId, workspaceId)).toBe(0);
    await expect(openEvents(bob.cookie)).rejects.toThrow(/404/);
  });

  it("keep the watch-only event socket when the role drops to viewer", async () => {
    const carol = await invitedMember("Carol");
    const tab = await openEvents(carol.cookie);
    await app.trpc(owner, "workspaces.setRole", { userId: carol.userId, role: "viewer" }, "POST");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tab.ws.readyState).toBe(WebSocket.OPEN);
    await app.trpc(owner, "workspaces.removeMember", { userId: carol.userId }, "POST");
    expect((await tab.closed).code).toBe(membershipRevokedCode);
  });

  it("are closed when the member leaves by themself", async () => {
    const dan = await invitedMember("Dan");
    const tab = await openEvents(dan.cookie);
    await app.trpc(dan.cookie, "workspaces.leave", undefined, "POST");
    expect((await tab.closed).code).toBe(membershipRevokedCode);
  });
});

describe("createSocketRegistry", () => {
  /** Just enough of a socket: the registry only closes sockets and listens for their close. */
  const fakeSocket = () => {
    const socket = { closed: null as number | null, onClose: () => {}, close(code: number) { socket.closed = code; socket.onClose(); }, terminate() {}, once(_: "close", listener: () => void) { socket.onClose = listener; } };
    return socket;
  };

  it("closes a writable terminal when the role drops to viewer, and keeps a read-only one", () => {
    const registry = createSocketRegistry();
    const writable = fakeSocket();
    const readOnly = fakeSocket();
    const events = fakeSocket();
    registry.track("u", "w", writable as never, { kind: "terminal", writable: true });
    registry.track("u", "w", readOnly as never, { kind: "terminal", writable: false });
    registry.track("u", "w", events as never, { kind: "events", writable: true });
    expect(registry.membershipChanged("u", "w", "admin")).toBe(0);
    expect(registry.membershipChanged("u", "w", "viewer")).toBe(1);
    expect([writable.closed, readOnly.closed, events.closed]).toEqual([membershipRevokedCode, null, null]);
    expect(registry.membershipChanged("u", "other", null)).toBe(0);
    expect(registry.membershipChanged("u", "w", null)).toBe(2);
    expect(registry.count("u", "w")).toBe(0);
  });
});
