// Accounts and sign-in: better-auth (email + password, and OIDC / GitHub when configured; cookie
// sessions) on our Prisma client, mounted by http-server.ts under /api/auth/*. Sign-up is gated
// here; a new account is settled into a workspace right after (workspaces.ts).
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { addOAuthServerContext, APIError, createAuthMiddleware, getOAuthState } from "better-auth/api";
import { fromNodeHeaders } from "better-auth/node";
import { genericOAuth } from "better-auth/plugins";
import type http from "node:http";
import { recordAudit, recordSignIn } from "../audit/audit-log";
import type { Db, DbProvider } from "../db";
import type { ExternalProvider } from "./external-providers";
import { acceptInvitation, accountCount, currentMembership, settleNewAccount, validInvitation, type Membership } from "./workspaces";

/** The sign-up form, and a provider sign-in started from an invitation, send its token in this header. */
export const inviteHeader = "x-pincer-invite";

const signUpClosedMessage = "Sign-up is closed on this server. Ask a workspace admin for an invitation link.";

/** The OAuth callback: better-auth's route for every provider, built-in or genericOAuth. */
const oauthCallbackPath = "/callback/:id";

export type AuthConfig = {
  db: Db;
  secret: string;
  newId: () => string;
  /** PINCER_ALLOW_SIGNUP: keep sign-up open after the first account (default: closed; invitations still work). */
  allowSignup: boolean;
  /** PINCER_BASE_URL, when Pincer sits behind a proxy or on another host name; else taken from each request. */
  baseUrl?: string;
  provider: DbProvider;
  /** Brute-force protection on sign-in and sign-up (on by default; tests may turn it off). */
  rateLimit?: boolean;
  /** OIDC / GitHub sign-in (external-providers.ts); none by default. */
  externalProviders?: ExternalProvider[];
};

export type Identity = { user: { id: string; name: string; email: string }; membership: Membership | null };

/** The origin a browser talking to this server sends: same-origin requests only. */
const ownOrigin = (request?: Request) => {
  const host = request?.headers.get("host");
  if (!host) return [];
  return [`http://${host}`, `https://${host}`];
};

export const createAuth = (config: AuthConfig) => {
  const { db } = config;
  /** The first account, anyone while sign-up is open, else only the holder of a valid invitation. */
  const mayCreateAccount = async (inviteToken: string | null) =>
    (await accountCount(db)) === 0 || config.allowSignup || Boolean(inviteToken && (await validInvitation(db, inviteToken)));
  /** The invitation a provider sign-in was started with, carried through the redirect in better-auth's state. */
  const oauthInvite = async () => {
    const invite = (await getOAuthState())?.serverContext?.invite;
    return typeof invite === "string" ? invite : null;
  };
  // Accounts created by a provider callback in flight; its after-hook settles them (not a sign-in).
  const registeredByProvider = new Set<string>();

  const auth = betterAuth({
    appName: "Pincer",
    secret: config.secret,
    baseURL: config.baseUrl,
    basePath: "/api/auth",
    database: prismaAdapter(db, { provider: config.provider }),
    session: { modelName: "authSession" },
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    trustedOrigins: async (request) => ownOrigin(request),
    telemetry: { enabled: false },
    advanced: { database: { generateId: () => config.newId() } },
    plugins: config.externalProviders?.length ? [genericOAuth({ config: config.externalProviders.map((provider) => provider.config) })] : [],
    user: {
      // A provider's new user is refused here, before the user row exists; the callback then
      // redirects to the error page with this code and description.
      validateUserInfo: async ({ source }) => {
        if (source.action !== "create-user" || source.method !== "oauth") return;
        if (await mayCreateAccount(await oauthInvite())) return;
        return { error: "signup_closed", errorDescription: signUpClosedMessage };
      },
    },
    databaseHooks: {
      user: {
        create: {
          after: async (user, ctx) => {
            if (ctx?.path === oauthCallbackPath) registeredByProvider.add(user.id);
          },
        },
      },
    },
    rateLimit: {
      enabled: config.rateLimit ?? true,
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: 60, max: 10 }, "/sign-up/email": { window: 60, max: 10 } },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        const token = ctx.headers?.get(inviteHeader) ?? null;
        if (ctx.path === "/sign-in/social" && token) return void (await addOAuthServerContext({ invite: token }));
        if (ctx.path !== "/sign-up/email") return;
        if (await mayCreateAccount(token)) return;
        throw new APIError("FORBIDDEN", { message: signUpClosedMessage });
      }),
      after: createAuthMiddleware(async (ctx) => {
        const signedIn = ctx.context.newSession?.user;
        if (!signedIn) return;
        const detail = { userAgent: ctx.headers?.get("user-agent") ?? null };
        if (ctx.path === "/sign-in/email") return recordSignIn(db, config.newId, signedIn, detail);
        if (ctx.path === oauthCallbackPath) return afterProviderSignIn(signedIn, { ...detail, provider: ctx.params?.id ?? null });
        if (ctx.path !== "/sign-up/email") return;
        const settled = await settleNewAccount(db, config.newId, signedIn, ctx.headers?.get(inviteHeader) ?? null);
        if (settled) await recordAudit(db, config.newId, { workspaceId: settled.workspaceId, actorId: signedIn.id, actorName: signedIn.name, action: "auth.sign_up", detail });
      }),
    },
  });

  /** A provider's new account is settled like a password sign-up; a returning user may also bring an invitation. */
  async function afterProviderSignIn(user: { id: string; name: string }, detail: Record<string, unknown>) {
    const invite = await oauthInvite();
    if (registeredByProvider.delete(user.id)) {
      const settled = await settleNewAccount(db, config.newId, user, invite);
      if (settled) await recordAudit(db, config.newId, { workspaceId: settled.workspaceId, actorId: user.id, actorName: user.name, action: "auth.sign_up", detail });
      return;
    }
    // An invitation that expired or was used meanwhile: the user still signs in, as before.
    if (invite) await acceptInvitation(db, config.newId, user.id, invite).catch(() => null);
    await recordSignIn(db, config.newId, user, detail);
  }

  /** Who is asking: the signed-in user and their current workspace, or null. */
  const identify = async (req: http.IncomingMessage): Promise<Identity | null> => {
    const found = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) }).catch(() => null);
    if (!found) return null;
    const user = await db.user.findUnique({ where: { id: found.user.id } });
    if (!user) return null;
    return { user: { id: user.id, name: user.name, email: user.email }, membership: await currentMembership(db, user.id, user.activeWorkspaceId) };
  };

  return { auth, identify };
};

export type Auth = ReturnType<typeof createAuth>;
