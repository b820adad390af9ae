// Invitation links: admins create and revoke them; anyone holding a valid one can see where it
// leads and, once signed in, join (a link works once and expires after invitationLifetimeMs).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { recordAudit } from "../../audit/audit-log";
import { roleSchema } from "../../auth/roles";
import { acceptInvitation, createInvitation, MembershipError, validInvitation } from "../../auth/workspaces";
import { createRouter, protectedProcedure, publicProcedure, workspaceProcedure } from "../init";

const token = z.object({ token: z.string().min(1).max(200) });

export const invitationsRouter = createRouter({
  list: workspaceProcedure("admin").query(({ ctx }) =>
    ctx.services.db.invitation.findMany({
      where: { workspaceId: ctx.membership.workspaceId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, token: true, role: true, expiresAt: true, createdAt: true },
      orderBy: { createdAt: "desc" },
    }),
  ),

  /** Owners are made by promotion, not by invitation. */
  create: workspaceProcedure("admin")
    .input(z.object({ role: roleSchema.exclude(["owner"]) }))
    .mutation(async ({ ctx, input }) => {
      const invitation = await createInvitation(ctx.services.db, ctx.services.newId, { workspaceId: ctx.membership.workspaceId, role: input.role, createdById: ctx.user.id });
      await recordAudit(ctx.services.db, ctx.services.newId, {
        workspaceId: ctx.membership.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "invitation.created", target: invitation.id,
        detail: { role: input.role, expiresAt: invitation.expiresAt.toISOString() },
      });
      return { id: invitation.id, token: invitation.token, path: `/invite/${invitation.token}`, expiresAt: invitation.expiresAt };
    }),

  revoke: workspaceProcedure("admin").input(z.object({ id: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    const revoked = await ctx.services.db.invitation.updateMany({
      where: { id: input.id, workspaceId: ctx.membership.workspaceId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "Invitation not found." });
    await recordAudit(ctx.services.db, ctx.services.newId, {
      workspaceId: ctx.membership.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "invitation.revoked", target: input.id,
    });
    return { ok: true };
  }),

  /** What the invitation page shows before sign-up: the workspace and role, or that it is no longer valid. */
  preview: publicProcedure.input(token).query(async ({ ctx, input }) => {
    const invitation = await validInvitation(ctx.services.db, input.token);
    return invitation ? { valid: true as const, workspaceName: invitation.workspace.name, role: invitation.role } : { valid: false as const };
  }),

  accept: protectedProcedure.input(token).mutation(async ({ ctx, input }) => {
    try {
      return await acceptInvitation(ctx.services.db, ctx.services.newId, ctx.user.id, input.token);
    } catch (error) {
      if (error instanceof MembershipError) throw new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
      throw error;
    }
  }),
});
