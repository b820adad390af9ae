// tRPC context and procedure builders. Every procedure but the public ones requires a user;
// workspace procedures also require a role in the user's current workspace, and routers check
// that what is asked for belongs to a workspace the user is in (access.ts).
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { hasRole, type Role } from "../auth/roles";
import type { Membership } from "../auth/workspaces";
import type { Services } from "../services";

export type User = { id: string; name: string; email: string };

/** membership: the user's current workspace and role there (null: signed out, or in no workspace). */
export type TrpcContext = {
  user: User | null;
  membership: Membership | null;
  services: Services;
  /** The origin the browser sees (its Origin header, else http://<Host>), for links sent by mail. */
  origin?: string | null;
};

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  // Input errors read as sentences in the UI, not as a JSON dump of zod issues.
  errorFormatter: ({ shape, error }) =>
    error.cause instanceof ZodError ? { ...shape, message: error.cause.issues.map((issue) => issue.message).join("; ") } : shape,
});

/** Where in the input a string holds a NUL character ("name", "allow[0]"), or null. */
const nulCharacterAt = (value: unknown, where = "input", depth = 0): string | null => {
  if (typeof value === "string") return value.includes("\u0000") ? where : null;
  if (depth > 20 || value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value)) {
    const found = nulCharacterAt(item, Array.isArray(value) ? `${where}[${key}]` : where === "input" ? key : `${where}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
};

export const createRouter = t.router;
/**
 * Every procedure refuses text with a NUL character up front: no field has a use for one, and
 * PostgreSQL cannot store it in text (it would fail as an internal error deep in a mutation).
 */
export const publicProcedure = t.procedure.use(async ({ getRawInput, next }) => {
  const field = nulCharacterAt(await getRawInput());
  if (field) throw new TRPCError({ code: "BAD_REQUEST", message: `The text in ${field} contains a NUL character, which cannot be stored: remove it and try again.` });
  return next();
});

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Signed in and at least `minimum` in the current workspace. */
export const workspaceProcedure = (minimum: Role) =>
  protectedProcedure.use(({ ctx, next }) => {
    if (!ctx.membership) throw new TRPCError({ code: "FORBIDDEN", message: "You are not in a workspace: ask an admin for an invitation." });
    if (!hasRole(ctx.membership.role, minimum)) throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${minimum} role in ${ctx.membership.workspaceName}.` });
    return next({ ctx: { ...ctx, membership: ctx.membership } });
  });
