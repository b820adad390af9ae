// Presence over real WebSockets against the real server: who has a session open, counted per
// person, announced to every watcher when someone comes or goes, and left by a socket that closes,
// drops without a close handshake, goes silent, or belongs to someone removed from the workspace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { LiveMessage, SessionWatcher } from "../agent/events";
import { startAuthServer, type AuthServer } from "../../test-support/auth-server";

let app: AuthServer;
let owner = "";
let ownerId = "";
let sessionId = "";

beforeAll(async () => {
  // A short heartbeat so a silent peer is found within the test.
  app = await startAuthServer({ heartbeatMs: 100 });
  owner = await app.signUp("Ada Lovelace", "ada@example.com");
  const me = await app.trpc<{ user: { id: string }; membership: { workspaceId: string } }>(owner, "system.whoami");
  ownerId = me.user.id;
  sessionId = "s-presence";
  await app.db.session.create({ data: { id: sessionId, workspaceId: me.membership.workspaceId, ownerId, title: "t", source: "empty", image: "x" } });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const invited = async (name: string, role: "member" | "viewer") => {
  const { token } = await app.trpc<{ token: string }>(owner, "invitations.create", { role }, "POST");
  const cookie = await app.signUp(name, `${name.split(" ")[0].toLowerCase()}@example.com`, token);
  const { user } = await app.trpc<{ user: { id: string } }>(cookie, "system.whoami");
  return { cookie, userId: user.id };
};

type Tab = { ws: WebSocket; closed: Promise<number>; presence(): SessionWatcher[] | null; until(names: string[]): Promise<void> };

/** Opens the events socket as a browser would, keeping the newest presence it was sent. */
const openTab = async (cookie: string, options: { autoPong?: boolean } = {}): Promise<Tab> => {
  const ws = new WebSocket(`${app.base.replace("http", "ws")}/ws/sessions/${sessionId}/events`, { headers: { cookie, origin: app.base }, autoPong: options.autoPong ?? true });
  let latest: SessionWatcher[] | null = null;
  const listeners = new Set<() => void>();
  ws.on("message", (data) => {
    const message = JSON.parse(String(data)) as LiveMessage;
    if (message.kind !== "presence") return;
    latest = message.watchers;
    for (const listener of listeners) listener();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  const names = () => latest?.map((watcher) => watcher.name) ?? null;
  const until = (expected: string[]) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (JSON.stringify(names()) !== JSON.stringify(expected)) return;
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
    });
  return { ws, closed, presence: () => latest, until };
};

const watching = () => app.services.fanOut.watchers(sessionId).map((watcher) => watcher.name);

describe("session presence over the events socket", () => {
  it("shows each person once with their role, and tells everyone when someone comes or goes", async () => {
    const bob = await invited("Bob Viewer", "viewer");
    const adaTab = await openTab(owner);
    await adaTab.until(["Ada Lovelace"]);
    expect(adaTab.presence()).toEqual([{ userId: ownerId, name: "Ada Lovelace", role: "owner" }]);

    // A second tab of the same person is not a second watcher; it still learns who is here.
    const adaSecond = await openTab(owner);
    await adaSecond.until(["Ada Lovelace"]);
    expect(watching()).toEqual(["Ada Lovelace"]);

    const bobTab = await openTab(bob.cookie);
    await Promise.all([adaTab.until(["Ada Lovelace", "Bob Viewer"]), adaSecond.until(["Ada Lovelace", "Bob Viewer"]), bobTab.until(["Ada Lovelace", "Bob Viewer"])]);
    expect(bobTab.presence()?.[1]).toEqual({ userId: bob.userId, name: "Bob Viewer", role: "viewer" });

    // Closing one of Ada's two tabs: she is still watching.
    adaSecond.ws.close();
    await adaSecond.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watching()).toEqual(["Ada Lovelace", "Bob Viewer"]);

    bobTab.ws.close();
    await adaTab.until(["Ada Lovelace"]);
    adaTab.ws.close();
    await adaTab.closed;
  });

  it("drops a watcher whose connection is cut without a close handshake", async () => {
    const carol = await invited("Carol Member", "member");
    const adaTab = await openTab(owner);
    const carolTab = await openTab(carol.cookie);
    await adaTab.until(["Ada Lovelace", "Carol Member"]);
    carolTab.ws.terminate();
    await adaTab.until(["Ada Lovelace"]);
    adaTab.ws.close();
  });

  it("cuts off a watcher that stops answering pings, and it leaves presence", async () => {
    const dan = await invited("Dan Silent", "member");
    const adaTab = await openTab(owner);
    const danTab = await openTab(dan.cookie, { autoPong: false });
    await adaTab.until(["Ada Lovelace", "Dan Silent"]);
    expect(await danTab.closed).toBe(1006);
    await adaTab.until(["Ada Lovelace"]);
    adaTab.ws.close();
  });

  it("shows a watcher's new role when an admin changes it, without dropping them", async () => {
    const finn = await invited("Finn Member", "member");
    const adaTab = await openTab(owner);
    const finnTab = await openTab(finn.cookie);
    await adaTab.until(["Ada Lovelace", "Finn Member"]);
    await app.trpc(owner, "workspaces.setRole", { userId: finn.userId, role: "viewer" }, "POST");
    await expect.poll(() => adaTab.presence()?.find((watcher) => watcher.name === "Finn Member")?.role).toBe("viewer");
    expect(app.services.fanOut.watchers(sessionId).find((watcher) => watcher.name === "Finn Member")?.role).toBe("viewer");
    expect(finnTab.ws.readyState).toBe(WebSocket.OPEN);
    finnTab.ws.close();
    await adaTab.until(["Ada Lovelace"]);
    adaTab.ws.close();
  });

  it("drops a watcher removed from the workspace", async () => {
    const erin = await invited("Erin Member", "member");
    const adaTab = await openTab(owner);
    const erinTab = await openTab(erin.cookie);
    await adaTab.until(["Ada Lovelace", "Erin Member"]);
    await app.trpc(owner, "workspaces.removeMember", { userId: erin.userId }, "POST");
    await erinTab.closed;
    await adaTab.until(["Ada Lovelace"]);
    expect(watching()).toEqual(["Ada Lovelace"]);
    adaTab.ws.close();
  });
});
