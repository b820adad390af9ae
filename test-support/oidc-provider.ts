// A small real OpenID Connect provider over HTTP for tests: discovery, an authorize endpoint that
// signs in whichever user the test scripted (no login page), a token endpoint that checks the
// client secret, redirect URI and PKCE verifier and issues an RS256 id_token carrying the nonce,
// userinfo and JWKS. Under /github it speaks GitHub's OAuth app flow and REST user API instead,
// as GitHub Enterprise does under its own host. Control: POST /__user {sub,email,name}.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export type ScriptedUser = { sub: string; email: string; name: string; emailVerified?: boolean };

type Grant = { clientId: string; redirectUri: string; codeChallenge: string | null; nonce: string | null; user: ScriptedUser; flavor: "oidc" | "github" };

export type OidcProviderOptions = { port?: number; clients: Record<string, string> };

const keyPair = async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomBytes(6).toString("hex");
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } as JWK, kid };
};

const readBody = async (req: http.IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const sendJson = (res: http.ServerResponse, status: number, body: unknown) =>
  void res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

/** client_secret_basic or client_secret_post. */
const clientCredentials = (req: http.IncomingMessage, form: URLSearchParams) => {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!basic) return { id: form.get("client_id"), secret: form.get("client_secret") };
  const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":").map(decodeURIComponent);
  return { id: id ?? null, secret: secret ?? null };
};

export const startOidcProvider = async (options: OidcProviderOptions) => {
  const signing = await keyPair();
  // A key the provider does not publish: tests sign with it to prove that forged tokens are refused.
  const foreign = await keyPair();
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, ScriptedUser>();
  const state: { user: ScriptedUser | null; forgeNextIdToken: boolean } = { user: null, forgeNextIdToken: false };
  let issuer = "";

  const idToken = async (grant: Grant, key: { privateKey: CryptoKey; kid: string }) =>
    new SignJWT({ email: grant.user.email, email_verified: grant.user.emailVerified ?? true, name: grant.user.name, ...(grant.nonce ? { nonce: grant.nonce } : {}) })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .setIssuer(issuer)
      .setAudience(grant.clientId)
      .setSubject(grant.user.sub)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key.privateKey);

  const authorize = (url: URL, res: http.ServerResponse, flavor: Grant["flavor"]) => {
    const clientId = url.searchParams.get("client_id") ?? "";
    const redirectUri = url.searchParams.get("redirect_uri");
    if (!(clientId in options.clients) || !redirectUri) return sendJson(res, 400, { error: "invalid_request", error_description: "unknown client or no redirect_uri" });
    if (flavor === "oidc" && url.searchParams.get("response_type") !== "code") return sendJson(res, 400, { error: "unsupported_response_type" });
    const back = new URL(redirectUri);
    const stateParam = url.searchParams.get("state");
    if (stateParam) back.searchParams.set("state", stateParam);
    if (!state.user) {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "no user is scripted on the test provider");
      return void res.writeHead(302, { location: back.href }).end();
    }
    const challenge = url.searchParams.get("code_challenge");
    if (challenge && url.searchParams.get("code_challenge_method") !== "S256") return sendJson(res, 400, { error: "invalid_request", error_description: "only S256" });
    const code = randomBytes(16).toString("base64url");
    grants.set(code, { clientId, redirectUri, codeChallenge: challenge, nonce: url.searchParams.get("nonce"), user: state.user, flavor });
    back.searchParams.set("code", code);
    if (flavor === "oidc") back.searchParams.set("iss", issuer);
    res.writeHead(302, { location: back.href }).end();
  };

  const token = async (req: http.IncomingMessage, res: http.ServerResponse, flavor: Grant["flavor"]) => {
    const form = new URLSearchParams(await readBody(req));
    const client = clientCredentials(req, form);
    if (!client.id || options.clients[client.id] !== client.secret) return sendJson(res, 401, { error: "invalid_client" });
    const code = form.get("code") ?? "";
    const grant = grants.get(code);
    grants.delete(code);
    if (form.get("grant_type") !== "authorization_code" || !grant || grant.flavor !== flavor) return sendJson(res, 400, { error: "invalid_grant" });
    if (grant.clientId !== client.id || grant.redirectUri !== form.get("redirect_uri")) return sendJson(res, 400, { error: "invalid_grant", error_description: "redirect_uri or client mismatch" });
    const verifier = form.get("code_verifier");
    if (grant.codeChallenge && (!verifier || s256(verifier) !== grant.codeChallenge)) return sendJson(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
    const accessToken = randomBytes(24).toString("base64url");
    accessTokens.set(accessToken, grant.user);
    if (flavor === "github") return sendJson(res, 200, { access_token: accessToken, token_type: "bearer", scope: "read:user,user:email" });
    const key = state.forgeNextIdToken ? foreign : signing;
    state.forgeNextIdToken = false;
    sendJson(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: 300, scope: "openid email profile", id_token: await idToken(grant, key) });
  };

  const bearerUser = (req: http.IncomingMessage) => accessTokens.get(/^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "");

  const githubApi = (path: string, req: http.IncomingMessage, res: http.ServerResponse) => {
    const user = bearerUser(req);
    if (!user) return sendJson(res, 401, { message: "Bad credentials" });
    if (path === "/user") return sendJson(res, 200, { id: Number(user.sub.replace(/\D/g, "")) || 1, login: user.sub, name: user.name, email: null, avatar_url: null });
    if (path === "/user/emails") return sendJson(res, 200, [{ email: user.email, primary: true, verified: user.emailVerified ?? true }]);
    sendJson(res, 404, { message: "Not Found" });
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", issuer);
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /.well-known/openid-configuration") {
      return sendJson(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "email", "profile"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (route === "GET /jwks") return sendJson(res, 200, { keys: [signing.jwk] });
    if (route === "GET /authorize") return authorize(url, res, "oidc");
    if (route === "POST /token") return token(req, res, "oidc");
    if (route === "GET /userinfo") {
      const user = bearerUser(req);
      if (!user) return sendJson(res, 401, { error: "invalid_token" });
      return sendJson(res, 200, { sub: user.sub, email: user.email, email_verified: user.emailVerified ?? true, name: user.name });
    }
    if (route === "GET /github/login/oauth/authorize") return authorize(url, res, "github");
    if (route === "POST /github/login/oauth/access_token") return token(req, res, "github");
    if (req.method === "GET" && url.pathname.startsWith("/github/api/")) return githubApi(url.pathname.slice("/github/api".length), req, res);
    if (route === "POST /__user") {
      state.user = JSON.parse(await readBody(req)) as ScriptedUser;
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: "not_found" });
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: "server_error", error_description: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    /** GitHub's web and API base URLs on this server (PINCER_GITHUB_URL, PINCER_GITHUB_API_URL). */
    github: { url: `${issuer}/github`, apiUrl: `${issuer}/github/api` },
    /** Who the next authorization signs in (null: the provider answers access_denied). */
    signInAs: (user: ScriptedUser | null) => {
      state.user = user;
    },
    /** The next id_token is signed with a key the JWKS does not publish. */
    forgeNextIdToken: () => {
      state.forgeNextIdToken = true;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};

export type OidcProvider = Awaited<ReturnType<typeof startOidcProvider>>;
