// Sign-in through OIDC and GitHub (Enterprise URLs) against a real local provider over HTTP,
// followed hop by hop as a browser would (cookies kept, redirects read): the first account
// becomes owner, closed sign-up lets a new external account in only with an invitation,
// returning users sign in, forged ID tokens are refused, and every sign-in is audit-logged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthServer, type AuthServer } from "../../test-support/auth-server";
import { startOidcProvider, type OidcProvider, type ScriptedUser } from "../../test-support/oidc-provider";
import { inviteHeader } from "./auth";
import { githubProvider, oidcProvider } from "./external-providers";

let idp: OidcProvider;
let server: AuthServer;

beforeAll(async () => {
  idp = await startOidcProvider({ clients: { pincer: "oidc-secret", "pincer-gh": "github-secret" } });
  server = await startAuthServer({
    externalProviders: [
      oidcProvider({ issuer: idp.issuer, clientId: "pincer", clientSecret: "oidc-secret", name: "Test IdP" }),
      githubProvider({ clientId: "pincer-gh", clientSecret: "github-secret", url: idp.github.url, apiUrl: idp.github.apiUrl }),
    ],
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await idp?.close();
});

/** Starts a provider sign-in, lets the provider answer, and returns where the callback lands with the cookies it set. */
const signInWith = async (provider: "oidc" | "github", user: ScriptedUser, invite?: string) => {
  idp.signInAs(user);
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line)) jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), value);
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const start = await server.post("/api/auth/sign-in/social", { provider, callbackURL: "/", errorCallbackURL: "/sign-in" }, invite ? { [inviteHeader]: invite } : {});
  expect(start.status).toBe(200);
  keep(start);
  const { url } = (await start.json()) as { url: string };
  expect(url.startsWith(idp.issuer)).toBe(true);
  const authorized = await fetch(url, { redirect: "manual" });
  expect(authorized.status).toBe(302);
  const callback = authorized.headers.get("location")!;
  expect(callback.startsWith(`${server.base}/api/auth/callback/${provider}`)).toBe(true);
  const landed = await fetch(callback, { redirect: "manual", headers: { cookie: cookie() } });
  keep(landed);
  return { status: landed.status, location: landed.headers.get("location") ?? "", cookie: cookie() };
};

const whoami = async (cookie: string) => (await server.trpcRaw<{ user: { email: string }; membership: { role: string; workspaceName: string } } | null>(cookie, "system.whoami")).body.result?.data.json;

const auditOf = async (email: string) => {
  const user = await server.db.user.findUniqueOrThrow({ where: { email } });
  const rows = await server.db.auditEntry.findMany({ where: { actorId: user.id, action: { startsWith: "auth." } }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => ({ action: row.action, detail: JSON.parse(row.detail) as Record<string, unknown> }));
};

const ada: ScriptedUser = { sub: "ada-001", email: "ada@example.com", name: "Ada" };

describe("sign-in with OIDC and GitHub", () => {
  let ownerCookie = "";

  it("the first account on a fresh install signs in with OIDC and owns the first workspace", async () => {
    const landed = await signInWith("oidc", ada);
    expect(landed).toMatchObject({ status: 302, location: "/" });
    ownerCookie = landed.cookie;
    expect(await whoami(ownerCookie)).toMatchObject({ user: { email: "ada@example.com" }, membership: { role: "owner", workspaceName: "Ada's workspace" } });
    expect(await auditOf("ada@example.com")).toEqual([{ action: "auth.sign_up", detail: expect.objectContaining({ provider: "oidc" }) }]);
  });

  it("then a new external account without an invitation is refused, and no user is created", async () => {
    const landed = await signInWith("oidc", { sub: "eve-001", email: "eve@example.com", name: "Eve" });
    expect(landed.status).toBe(302);
    const url = new URL(landed.location, server.base);
    expect(url.pathname).toBe("/sign-in");
    expect(url.searchParams.get("error")).toBe("signup_closed");
    expect(url.searchParams.get("error_description")).toMatch(/invitation/);
    expect(await whoami(landed.cookie)).toBeNull();
    expect(await server.db.user.count({ where: { email: "eve@example.com" } })).toBe(0);
  });

  it("an invitation link followed by OIDC sign-in joins the workspace with the invitation's role, once", async () => {
    const { token } = await server.trpc<{ token: string }>(ownerCookie, "invitations.create", { role: "viewer" }, "POST");
    const landed = await signInWith("oidc", { sub: "bob-001", email: "bob@example.com", name: "Bob" }, token);
    expect(landed).toMatchObject({ status: 302, location: "/" });
    expect(await whoami(landed.cookie)).toMatchObject({ membership: { role: "viewer", workspaceName: "Ada's workspace" } });
    expect(await server.trpc(ownerCookie, "invitations.preview", { token })).toEqual({ valid: false });
    const reused = await signInWith("oidc", { sub: "mallory-001", email: "mallory@example.com", name: "Mallory" }, token);
    expect(new URL(reused.location, server.base).searchParams.get("error")).toBe("signup_closed");
  });

  it("a returning user signs in again, audit-logged with the provider", async () => {
    const landed = await signInWith("oidc", ada);
    expect(landed).toMatchObject({ status: 302, location: "/" });
    expect(await whoami(landed.cookie)).toMatchObject({ membership: { role: "owner" } });
    expect((await auditOf("ada@example.com")).map((entry) => [entry.action, entry.detail.provider])).toEqual([["auth.sign_up", "oidc"], ["auth.sign_in", "oidc"]]);
  });

  it("an id_token signed with a key the provider does not publish is refused", async () => {
    idp.forgeNextIdToken();
    const landed = await signInWith("oidc", ada);
    expect(new URL(landed.location, server.base).pathname).toBe("/sign-in");
    expect(new URL(landed.location, server.base).searchParams.get("error")).toBeTruthy();
    expect(await whoami(landed.cookie)).toBeNull();
  });

  it("GitHub at a configured (Enterprise) URL signs in an invited user with their primary email", async () => {
    const { token } = await server.trpc<{ token: string }>(ownerCookie, "invitations.create", { role: "member" }, "POST");
    const grace = { sub: "4242", email: "grace@example.com", name: "Grace" };
    const joined = await signInWith("github", grace, token);
    expect(joined).toMatchObject({ status: 302, location: "/" });
    expect(await whoami(joined.cookie)).toMatchObject({ user: { email: "grace@example.com" }, membership: { role: "member", workspaceName: "Ada's workspace" } });
    const again = await signInWith("github", grace);
    expect(await whoami(again.cookie)).toMatchObject({ membership: { role: "member" } });
    expect((await auditOf("grace@example.com")).map((entry) => [entry.action, entry.detail.provider])).toEqual([["auth.sign_up", "github"], ["auth.sign_in", "github"]]);
  });
});
