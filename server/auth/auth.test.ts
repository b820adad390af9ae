// Sign-up, sign-in and invitations over HTTP against the real server (better-auth + tRPC) on a
// migrated SQLite file.
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "better-auth/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDb } from "../../test-support/temp-db";
import { createPincerServer } from "../http-server";
import type { SandboxDriver } from "../sandbox/sandbox";
import { createServices, newId } from "../services";
import { createAuth, inviteHeader } from "./auth";
import { accountCount } from "./workspaces";

let base = "";
let close: () => Promise<void>;

const idleDriver: SandboxDriver = {
  create: async () => Promise.reject(new Error("unused")),
  ensure: async () => Promise.reject(new Error("unused")),
  inspect: async () => null,
  list: async () => [],
  stop: async () => undefined,
  destroy: async () => undefined,
};

beforeAll(async () => {
  const temp = await createTempDb();
  const services = createServices({
    db: temp.db,
    driver: idleDriver,
    createModelClient: () => {
      throw new Error("unused");
    },
    tools: [],
    toolSchemas: [],
    dataDir: temp.dir,
    sandboxDefaults: { image: "x", network: "none", memoryBytes: 1, nanoCpus: 1, pidsLimit: 1 },
  });
  const { auth, identify } = createAuth({ db: temp.db, secret: "test-secret-test-secret-test-secret!", newId, allowSignup: false, provider: "sqlite", rateLimit: false });
  const { server } = createPincerServer({
    services,
    identify,
    auth: { handler: toNodeHandler(auth), needsFirstAccount: async () => (await accountCount(temp.db)) === 0 },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await temp.cleanup();
  };
}, 60_000);

afterAll(async () => {
  await close?.();
});

const signUp = (name: string, email: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, ...headers },
    body: JSON.stringify({ name, email, password: "correct horse battery" }),
  });

const cookieOf = (response: Response) => response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");

const trpc = async (cookie: string, path: string, input?: unknown, method: "GET" | "POST" = "GET") => {
  const encoded = encodeURIComponent(JSON.stringify({ json: input ?? null }));
  const response = await fetch(method === "GET" ? `${base}/api/trpc/${path}?input=${encoded}` : `${base}/api/trpc/${path}`, {
    method,
    headers: { cookie, "content-type": "application/json" },
    body: method === "POST" ? JSON.stringify({ json: input ?? null }) : undefined,
  });
  return { status: response.status, body: (await response.json()) as { result?: { data: { json: unknown } }; error?: unknown } };
};

describe("accounts", () => {
  let ownerCookie = "";

  it("the first account signs up and owns a first workspace", async () => {
    const response = await signUp("Ada", "ada@example.com");
    expect(response.status).toBe(200);
    ownerCookie = cookieOf(response);
    const me = await trpc(ownerCookie, "system.whoami");
    expect(me.body.result?.data.json).toMatchObject({ user: { name: "Ada", email: "ada@example.com" }, membership: { role: "owner", workspaceName: "Ada's workspace" } });
  });

  it("then sign-up is closed without an invitation", async () => {
    const response = await signUp("Eve", "eve@example.com");
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/invitation/);
  });

  it("an invitation link lets a second user sign up into the workspace with its role, once", async () => {
    const invitation = await trpc(ownerCookie, "invitations.create", { role: "viewer" }, "POST");
    const token = (invitation.body.result?.data.json as { token: string }).token;
    const response = await signUp("Bob", "bob@example.com", { [inviteHeader]: token });
    expect(response.status).toBe(200);
    const me = await trpc(cookieOf(response), "system.whoami");
    expect(me.body.result?.data.json).toMatchObject({ membership: { role: "viewer", workspaceName: "Ada's workspace" } });
    const again = await signUp("Mallory", "mallory@example.com", { [inviteHeader]: token });
    expect(again.status).toBe(403);
  });

  it("signs in with the password and refuses a wrong one", async () => {
    const signIn = (password: string) =>
      fetch(`${base}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ email: "ada@example.com", password }),
      });
    expect((await signIn("wrong password")).status).toBe(401);
    const ok = await signIn("correct horse battery");
    expect(ok.status).toBe(200);
    expect((await trpc(cookieOf(ok), "sessions.list")).status).toBe(200);
  });

  it("anonymous calls are unauthorized and cross-site mutations are refused", async () => {
    expect((await trpc("", "sessions.list")).status).toBe(401);
    const crossSite = await fetch(`${base}/api/trpc/workspaces.create`, {
      method: "POST",
      headers: { cookie: ownerCookie, "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ json: { name: "pwned" } }),
    });
    expect(crossSite.status).toBe(403);
  });
});
