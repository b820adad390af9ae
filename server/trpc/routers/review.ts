// Review: diffs by scope, checkpoints, line comments, revert, rewind, commit, patch, push, PR.
// Every procedure checks the session is in one of the caller's workspaces and the caller's role
// (sessionInWorkspace): viewers read, members change things; git credentials are the workspace's.
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { recordAudit } from "../../audit/audit-log";
import { hasRole } from "../../auth/roles";
import { env } from "../../env";
import type { Services } from "../../services";
import { SessionBusyError } from "../../sessions/runner";
import { NothingToCommitError } from "../../review/commit";
import { ForgeError } from "../../review/pull-request";
import { PushError, remoteHost } from "../../review/push";
import { ScopeError } from "../../review/review-diff";
import { RevertError } from "../../review/revert";
import { RewindError } from "../../review/rewind";
import { SandboxGitError } from "../../review/sandbox-git";
import { createReviewService, ReviewBusyError, ReviewInputError, type ReviewService } from "../../review/service";
import { sessionInWorkspace } from "../access";
import { createRouter, protectedProcedure, workspaceProcedure } from "../init";

const reviewServices = new WeakMap<Services, ReviewService>();
const reviewOf = (services: Services): ReviewService => {
  const existing = reviewServices.get(services);
  if (existing) return existing;
  const created = createReviewService({
    db: services.db,
    eventLog: services.eventLog,
    sessions: services.sessions,
    newId: services.newId,
    pushDir: path.join(path.resolve(env.DATA_DIR), "push"),
    resolveProvider: services.resolveProvider,
    createModelClient: services.createModelClient,
  });
  reviewServices.set(services, created);
  return created;
};

/** The audit log keeps where a push went, never a credential embedded in the URL. */
const withoutUserInfo = (remoteUrl: string) => {
  if (!URL.canParse(remoteUrl)) return remoteUrl;
  const url = new URL(remoteUrl);
  url.username = "";
  url.password = "";
  return url.toString();
};

/** Review failures become messages the panel shows, with the right status. */
const visible = async <T>(action: () => Promise<T>): Promise<T> => {
  try {
    return await action();
  } catch (error) {
    if (error instanceof TRPCError) throw error;
    if (error instanceof ReviewBusyError || error instanceof SessionBusyError) throw new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
    if (error instanceof PushError) throw new TRPCError({ code: error.kind === "invalid" ? "BAD_REQUEST" : "PRECONDITION_FAILED", message: error.message, cause: error });
    if (error instanceof RewindError || error instanceof RevertError || error instanceof NothingToCommitError) {
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
    }
    if (error instanceof ReviewInputError || error instanceof ScopeError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    if (error instanceof ForgeError || error instanceof SandboxGitError) throw new TRPCError({ code: "BAD_GATEWAY", message: error.message, cause: error });
    throw error;
  }
};

const sessionInput = z.object({ sessionId: z.string().min(1).max(100) });
const scope = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("turn") }),
  z.object({ kind: z.literal("start") }),
  z.object({ kind: z.literal("range"), from: z.number().int().min(0), to: z.number().int().min(0).nullable() }),
]);
const filePath = z.string().min(1).max(4096);

export const reviewRouter = createRouter({
  checkpoints: protectedProcedure.input(sessionInput).query(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "viewer");
    return visible(() => reviewOf(ctx.services).checkpoints(input.sessionId));
  }),

  diff: protectedProcedure
    .input(sessionInput.extend({ scope, page: z.number().int().min(0).default(0) }))
    .query(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "viewer");
      return visible(() => reviewOf(ctx.services).diffPage(input.sessionId, input.scope, input.page));
    }),

  diffFile: protectedProcedure
    .input(sessionInput.extend({ scope, path: filePath, oldPath: filePath.optional() }))
    .query(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "viewer");
      return visible(() => reviewOf(ctx.services).diffFile(input.sessionId, input.scope, input.path, input.oldPath));
    }),

  revertFile: protectedProcedure
    .input(sessionInput.extend({ scope, path: filePath, oldPath: filePath.optional() }))
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      await visible(() => reviewOf(ctx.services).revertFile(input.sessionId, input.scope, input.path, input.oldPath));
      return { ok: true };
    }),

  revertHunk: protectedProcedure
    .input(sessionInput.extend({ scope, path: filePath, oldPath: filePath.optional(), hunkIndex: z.number().int().min(0), hunkHeader: z.string().min(1).max(2000) }))
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      const { sessionId, scope: diffScope, ...hunk } = input;
      await visible(() => reviewOf(ctx.services).revertHunk(sessionId, diffScope, hunk));
      return { ok: true };
    }),

  rewind: protectedProcedure.input(sessionInput.extend({ toCheckpoint: z.number().int().min(0) })).mutation(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "member");
    const result = await visible(() => reviewOf(ctx.services).rewind(input.sessionId, input.toCheckpoint));
    return { message: result.message, savedCheckpoint: result.savedCheckpoint.number };
  }),

  comments: protectedProcedure.input(sessionInput).query(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "viewer");
    return reviewOf(ctx.services).comments.pending(input.sessionId);
  }),

  addComment: protectedProcedure
    .input(
      sessionInput.extend({
        path: filePath,
        side: z.enum(["old", "new"]).default("new"),
        line: z.number().int().min(1),
        endLine: z.number().int().min(1).optional(),
        excerpt: z.string().max(20_000).optional(),
        body: z.string().trim().min(1, "Write a comment").max(20_000),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      const { sessionId, ...comment } = input;
      return reviewOf(ctx.services).comments.add(sessionId, comment);
    }),

  deleteComment: protectedProcedure.input(sessionInput.extend({ id: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "member");
    await reviewOf(ctx.services).comments.remove(input.sessionId, input.id);
    return { ok: true };
  }),

  sendComments: protectedProcedure.input(sessionInput).mutation(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "member");
    return visible(() => reviewOf(ctx.services).sendComments(input.sessionId, ctx.user.name));
  }),

  /**
   * useModel: ask the session's model, cached per change (falls back to the file list with a note);
   * false: the file-list draft only. fresh: a new model draft even for a change already drafted.
   * Viewers cannot commit, so they never spend the workspace's model budget on a draft.
   */
  draftCommitMessage: protectedProcedure
    .input(sessionInput.extend({ useModel: z.boolean().default(true), fresh: z.boolean().default(false) }))
    .query(async ({ ctx, input }) => {
      const session = await sessionInWorkspace(ctx, input.sessionId, "viewer");
      const useModel = input.useModel && hasRole(session.role, "member");
      return visible(() => reviewOf(ctx.services).draftCommitMessage(input.sessionId, { useModel, fresh: input.fresh }));
    }),

  commit: protectedProcedure
    .input(sessionInput.extend({ message: z.string().trim().min(1, "Write a commit message").max(20_000) }))
    .mutation(async ({ ctx, input }) => {
      await sessionInWorkspace(ctx, input.sessionId, "member");
      return visible(() => reviewOf(ctx.services).commit(input.sessionId, input.message));
    }),

  patch: protectedProcedure.input(sessionInput).query(async ({ ctx, input }) => {
    await sessionInWorkspace(ctx, input.sessionId, "viewer");
    return visible(() => reviewOf(ctx.services).exportPatch(input.sessionId));
  }),

  remote: protectedProcedure.input(sessionInput).query(async ({ ctx, input }) => {
    const session = await sessionInWorkspace(ctx, input.sessionId, "viewer");
    return {
      remoteUrl: session.pushRemoteUrl ?? session.repoUrl,
      branch: session.pushBranch,
      pullRequestUrl: session.pullRequestUrl,
      pullRequestNumber: session.pullRequestNumber,
    };
  }),

  push: protectedProcedure
    .input(sessionInput.extend({ branch: z.string().trim().min(1, "Name the branch").max(200), remoteUrl: z.string().trim().max(2000).optional(), force: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const session = await sessionInWorkspace(ctx, input.sessionId, "member");
      const pushed = await visible(() => reviewOf(ctx.services).push(input.sessionId, session.workspaceId, input));
      await recordAudit(ctx.services.db, ctx.services.newId, {
        workspaceId: session.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "review.push", target: session.id,
        detail: { session: session.title, branch: pushed.branch, commit: pushed.commit, remoteUrl: withoutUserInfo(pushed.remoteUrl), force: input.force ?? false },
      });
      return pushed;
    }),

  openPullRequest: protectedProcedure
    .input(sessionInput.extend({ title: z.string().trim().min(1, "Give the pull request a title").max(500), body: z.string().max(60_000).default(""), base: z.string().trim().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      const session = await sessionInWorkspace(ctx, input.sessionId, "member");
      const pullRequest = await visible(() => reviewOf(ctx.services).openPullRequest(input.sessionId, session.workspaceId, input));
      await recordAudit(ctx.services.db, ctx.services.newId, {
        workspaceId: session.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "review.pull_request", target: session.id,
        detail: { session: session.title, url: pullRequest.url, number: pullRequest.number, created: pullRequest.created },
      });
      return pullRequest;
    }),

  credentials: workspaceProcedure("member").query(({ ctx }) => reviewOf(ctx.services).credentials.list(ctx.membership.workspaceId)),

  saveCredential: workspaceProcedure("admin")
    .input(
      z.object({
        remoteUrl: z.string().trim().min(1).max(2000),
        username: z.string().trim().min(1, "Enter the user name").max(200),
        secret: z.string().min(1, "Enter the token or password").max(10_000),
        forge: z.enum(["github", "gitlab", "none"]).default("none"),
        apiBaseUrl: z.url().max(2000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const host = await visible(async () => remoteHost(input.remoteUrl));
      return reviewOf(ctx.services).credentials.save(ctx.membership.workspaceId, ctx.user.id, { host, username: input.username, secret: input.secret, forge: input.forge, apiBaseUrl: input.apiBaseUrl });
    }),
});
