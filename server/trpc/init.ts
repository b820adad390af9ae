// tRPC context and procedure builders. Every procedure but the public ones requires a user,
// and routers check that what is asked for belongs to that user.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Services } from "../services";

export type User = { id: string; name: string };

export type TrpcContext = { user: User | null; services: Services };

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  // Input errors read as sentences in the UI, not as a JSON dump of zod issues.
  errorFormatter: ({ shape, error }) =>
    error.cause instanceof ZodError ? { ...shape, message: error.cause.issues.map((issue) => issue.message).join("; ") } : shape,
});

export const createRouter = t.router;
export const publicProcedure = t.procedure;

export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
