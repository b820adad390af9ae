// Sign-up, sign-in and invitations over HTTP against the real server (better-auth + tRPC) on a
// migrated SQLite file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthServer, type AuthServer } from "../../test-support/auth-server";
import { inviteHeader } from "./auth";

let server: AuthServer;
let base = "";

beforeAll(async () => {
  server = await startAuthServer();
  base = server.base;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const signUp = (name: string, email: string, headers: Record<string, string> = {}) =>
  server.post("/api/auth/sign-up/email", { name, email, password: "correct horse battery" }, headers);
const cookieOf = (response: Response) => server.cookieOf(response);
const trpc = (cookie: string, path: string, input?: unknown, method: "GET" | "POST" = "GET") => server.trpcRaw(cookie, path, input, method);

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
