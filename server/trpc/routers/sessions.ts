import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { SessionBusyError } from "../../sessions/runner";
import { createRouter, protectedProcedure } from "../init";
import type { TrpcContext, User } from "../init";

const sessionId = z.object({ sessionId: z.string().min(1).max(100) });

/** A session of another user is reported as missing, never as forbidden. */
export const ownedSession = async (ctx: TrpcContext & { user: User }, id: string) => {
  const session = await ctx.services.db.session.findFirst({ where: { id, ownerId: ctx.user.id } });
  if (!session) throw new TRPCError({ code: "NOT_FOUND", message: "Session not found." });
  return session;
};

export const sessionsRouter = createRouter({
  list: protectedProcedure.query(({ ctx }) =>
    ctx.services.db.session.findMany({
      where: { ownerId: ctx.user.id },
      orderBy: { updatedAt: "desc" },
      select: { id: true, title: true, status: true, source: true, repoUrl: true, image: true, createdAt: true, updatedAt: true },
    }),
  ),

  get: protectedProcedure.input(sessionId).query(async ({ ctx, input }) => {
    const session = await ownedSession(ctx, input.sessionId);
    return {
      id: session.id,
      title: session.title,
      status: session.status,
      source: session.source,
      repoUrl: session.repoUrl,
      image: session.image,
      baseCommit: session.baseCommit,
      lastSeq: session.lastSeq,
      createdAt: session.createdAt,
    };
  }),

  create: protectedProcedure
    .input(
      z.object({
        title: z.string().max(200).optional(),
        source: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("empty") }),
          z.object({ kind: z.literal("git"), url: z.string().trim().min(1, "Enter a git URL").max(2000) }),
        ]),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const session = await ctx.services.sessions.create({ ownerId: ctx.user.id, title: input.title, source: input.source });
      return { id: session.id };
    }),

  send: protectedProcedure
    .input(sessionId.extend({ text: z.string().trim().min(1, "Type a message").max(100_000) }))
    .mutation(async ({ ctx, input }) => {
      await ownedSession(ctx, input.sessionId);
      try {
        await ctx.services.sessions.sendMessage(input.sessionId, input.text, ctx.user.name);
      } catch (error) {
        if (error instanceof SessionBusyError) throw new TRPCError({ code: "CONFLICT", message: error.message });
        throw error;
      }
      return { ok: true };
    }),

  stop: protectedProcedure.input(sessionId).mutation(async ({ ctx, input }) => {
    await ownedSession(ctx, input.sessionId);
    await ctx.services.sessions.stop(input.sessionId);
    return { ok: true };
  }),

  answerPermission: protectedProcedure
    .input(
      sessionId.extend({
        requestId: z.string().min(1).max(100),
        choice: z.enum(["allow_once", "allow_session", "allow_project", "deny"]),
        message: z.string().max(4000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ownedSession(ctx, input.sessionId);
      const accepted = await ctx.services.sessions.answerPermission(input.sessionId, input.requestId, {
        choice: input.choice,
        message: input.message,
        by: ctx.user.name,
      });
      if (!accepted) throw new TRPCError({ code: "CONFLICT", message: "This request was already answered, or its turn has ended." });
      return { ok: true };
    }),

  setMode: protectedProcedure
    .input(sessionId.extend({ mode: z.enum(["default", "acceptEdits", "plan", "bypassPermissions"]) }))
    .mutation(async ({ ctx, input }) => {
      await ownedSession(ctx, input.sessionId);
      await ctx.services.sessions.setMode(input.sessionId, input.mode, ctx.user.name);
      return { ok: true };
    }),

  diff: protectedProcedure.input(sessionId).query(async ({ ctx, input }) => {
    await ownedSession(ctx, input.sessionId);
    return ctx.services.sessions.diff(input.sessionId);
  }),
});
