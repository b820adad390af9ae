// Accounts and sign-in: better-auth (email + password, cookie sessions) on our Prisma client,
// mounted by http-server.ts under /api/auth/*. Sign-up is gated here; a new account is settled
// into a workspace right after (workspaces.ts).
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { fromNodeHeaders } from "better-auth/node";
import type http from "node:http";
import { recordAudit, recordSignIn } from "../audit/audit-log";
import type { Db } from "../db";
import { accountCount, currentMembership, settleNewAccount, validInvitation, type Membership } from "./workspaces";

/** The sign-up form sends the invitation token in this header. */
export const inviteHeader = "x-pincer-invite";

export type AuthConfig = {
  db: Db;
  secret: string;
  newId: () => string;
  /** PINCER_ALLOW_SIGNUP: keep sign-up open after the first account (default: closed; invitations still work). */
  allowSignup: boolean;
  /** PINCER_BASE_URL, when Pincer sits behind a proxy or on another host name; else taken from each request. */
  baseUrl?: string;
  provider: "sqlite" | "postgresql";
  /** Brute-force protection on sign-in and sign-up (on by default; tests may turn it off). */
  rateLimit?: boolean;
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
    rateLimit: {
      enabled: config.rateLimit ?? true,
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: 60, max: 10 }, "/sign-up/email": { window: 60, max: 10 } },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-up/email") return;
        if ((await accountCount(db)) === 0 || config.allowSignup) return;
        const token = ctx.headers?.get(inviteHeader);
        if (token && (await validInvitation(db, token))) return;
        throw new APIError("FORBIDDEN", { message: "Sign-up is closed on this server. Ask a workspace admin for an invitation link." });
      }),
      after: createAuthMiddleware(async (ctx) => {
        const signedIn = ctx.context.newSession?.user;
        if (!signedIn) return;
        const detail = { userAgent: ctx.headers?.get("user-agent") ?? null };
        if (ctx.path === "/sign-in/email") return recordSignIn(db, config.newId, signedIn, detail);
        if (ctx.path !== "/sign-up/email") return;
        const settled = await settleNewAccount(db, config.newId, signedIn, ctx.headers?.get(inviteHeader) ?? null);
        if (settled) await recordAudit(db, config.newId, { workspaceId: settled.workspaceId, actorId: signedIn.id, actorName: signedIn.name, action: "auth.sign_up", detail });
      }),
    },
  });

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
