import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { recordAudit } from "../../audit/audit-log";
import { SessionBusyError } from "../../sessions/runner";
import { BypassNotPermittedError } from "../../sessions/service";
import { UnknownImageError } from "../../sandbox/images";
import { sessionInWorkspace } from "../access";
import { createRouter, protectedProcedure, workspaceProcedure } from "../init";

const sessionId = z.object({ sessionId: z.string().min(1).max(100) });

export const sessionsRouter = createRouter({
  list: workspaceProcedure("viewer").query(({ ctx }) =>
    ctx.services.db.session.findMany({
      where: { workspaceId: ctx.membership.workspaceId },
      orderBy: { updatedAt: "desc" },
      select: { id: true, title: true, status: true, source: true, repoUrl: true, image: true, createdAt: true, updatedAt: true },
    }),
  ),

  get: protectedProcedure.input(sessionId).query(async ({ ctx, input }) => {
    const session = await sessionInWorkspace(ctx, input.sessionId, "viewer");
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
      /** The caller's role in the session's workspace: viewers watch, members act. */
      role: session.role,
      /** Whether the team policy lets this session use bypassPermissions (the mode select hides it otherwise). */
      bypassPermitted: await ctx.services.sessions.bypassPermitted(session.id),
    };
  }),

  create: workspaceProcedure("member")
    .input(
      z.object({
        title: z.string().max(200).optional(),
        source: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("empty") }),
          z.object({ kind: z.literal("git"), url: z.string().trim().min(1, "Enter a git URL").max(2000) }),
        ]),
        /** One of `sessions.images`; default: the server's default image. */
        image: z.string().min(1).max(300).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      try {
        const session = await ctx.services.sessions.create({ ownerId: ctx.user.id, workspaceId: ctx.membership.workspaceId, title: input.title, source: input.source, image: input.image });
        return { id: session.id };
      } catch (error) {
        if (error instanceof UnknownImageError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
        throw error;
      }
    }),

  /** The sandbox images a new session can pick (the default first): the server's setting, the same for everyone. */
  images: protectedProcedure.query(({ ctx }) => ctx.services.sessions.images()),

  /** The session's image and its sandbox's live resource use (null while no sandbox runs). */
  resources: protectedProcedure.input(sessionId).query(async ({ ctx, input }) => {
    const session = await sessionInWorkspace(ctx, input.sessionId, "viewer");
    return { image: session.image, usage: await ctx.services.driver.stats(session.id) };
  }),

  send: protectedProcedure
    .input(sessionId.extend({ text: z.string().trim().min(1, "Type a message").max(100_000) }))
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      try {
        await ctx.services.sessions.sendMessage(input.sessionId, input.text, ctx.user.name);
      } catch (error) {
        if (error instanceof SessionBusyError) throw new TRPCError({ code: "CONFLICT", message: error.message });
        throw error;
      }
      return { ok: true };
    }),

  stop: protectedProcedure.input(sessionId).mutation(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "member");
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
      const session = await sessionInWorkspace(ctx, input.sessionId, "member");
      const accepted = await ctx.services.sessions.answerPermission(input.sessionId, input.requestId, {
        choice: input.choice,
        message: input.message,
        by: ctx.user.name,
      });
      if (!accepted) throw new TRPCError({ code: "CONFLICT", message: "This request was already answered, or its turn has ended." });
      await recordAudit(ctx.services.db, ctx.services.newId, {
        workspaceId: session.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "permission.answered", target: session.id,
        detail: { session: session.title, requestId: input.requestId, choice: input.choice },
      });
      return { ok: true };
    }),

  answerQuestion: protectedProcedure
    .input(sessionId.extend({ requestId: z.string().min(1).max(100), answers: z.array(z.string().max(4000)).min(1).max(4) }))
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      const accepted = await ctx.services.sessions.answerQuestion(input.sessionId, input.requestId, input.answers, ctx.user.name);
      if (!accepted) throw new TRPCError({ code: "CONFLICT", message: "This question was already answered, or its turn has ended." });
      return { ok: true };
    }),

  rules: protectedProcedure.input(sessionId).query(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "viewer");
    return ctx.services.sessions.rules(input.sessionId);
  }),

  setMode: protectedProcedure
    .input(sessionId.extend({ mode: z.enum(["default", "acceptEdits", "plan", "bypassPermissions"]) }))
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      await ctx.services.sessions.setMode(input.sessionId, input.mode, ctx.user.name).catch((error: unknown) => {
        if (error instanceof BypassNotPermittedError) throw new TRPCError({ code: "FORBIDDEN", message: error.message, cause: error });
        throw error;
      });
      return { ok: true };
    }),

  diff: protectedProcedure.input(sessionId).query(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "viewer");
    return ctx.services.sessions.diff(input.sessionId);
  }),

  /** `/compact [focus]`: summarise the conversation now (server/agent/compaction.ts). */
  compact: protectedProcedure
    .input(sessionId.extend({ focus: z.string().trim().max(2_000).optional() }))
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      try {
        return await ctx.services.sessions.compact(input.sessionId, input.focus || undefined);
      } catch (error) {
        if (error instanceof SessionBusyError) throw new TRPCError({ code: "CONFLICT", message: error.message });
        throw error;
      }
    }),
});
