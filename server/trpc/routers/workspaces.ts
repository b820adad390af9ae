// Workspaces and their members: list and switch (any signed-in user), members (anyone in the
// workspace), roles and removal (admins; owners for owners), leaving (anyone but the last owner),
// and the team permission policy (anyone in the workspace reads it, admins change it).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { recordAudit } from "../../audit/audit-log";
import { hasRole, roleSchema } from "../../auth/roles";
import { changeRole, createWorkspace, membershipIn, MembershipError, removeMember } from "../../auth/workspaces";
import { teamPolicySchema, validateTeamPolicy } from "../../permissions/team-policy";
import { loadTeamPolicy, saveTeamPolicy } from "../../sessions/team-policy-store";
import { createRouter, protectedProcedure, workspaceProcedure } from "../init";

const refusal = (error: unknown): never => {
  if (error instanceof MembershipError) throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
  throw error;
};
const memberNotFound = () => new TRPCError({ code: "NOT_FOUND", message: "Member not found." });

export const workspacesRouter = createRouter({
  list: protectedProcedure.query(async ({ ctx }) => {
    const rows = await ctx.services.db.membership.findMany({ where: { userId: ctx.user.id }, include: { workspace: true }, orderBy: { createdAt: "asc" } });
    return rows.map((row) => ({ id: row.workspaceId, name: row.workspace.name, role: row.role, current: row.workspaceId === ctx.membership?.workspaceId }));
  }),

  switch: protectedProcedure.input(z.object({ workspaceId: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    const membership = await membershipIn(ctx.services.db, ctx.user.id, input.workspaceId);
    if (!membership) throw new TRPCError({ code: "NOT_FOUND", message: "Workspace not found." });
    await ctx.services.db.user.update({ where: { id: ctx.user.id }, data: { activeWorkspaceId: input.workspaceId } });
    return membership;
  }),

  create: protectedProcedure.input(z.object({ name: z.string().trim().min(1, "Name the workspace").max(100) })).mutation(async ({ ctx, input }) => {
    const workspace = await createWorkspace(ctx.services.db, ctx.services.newId, ctx.user.id, input.name);
    return { id: workspace.id };
  }),

  members: workspaceProcedure("viewer").query(async ({ ctx }) => {
    const rows = await ctx.services.db.membership.findMany({
      where: { workspaceId: ctx.membership.workspaceId },
      include: { user: { select: { id: true, name: true, email: true } } },
      orderBy: { createdAt: "asc" },
    });
    return rows.map((row) => ({ userId: row.userId, name: row.user.name, email: row.user.email, role: row.role, joinedAt: row.createdAt }));
  }),

  setRole: workspaceProcedure("admin")
    .input(z.object({ userId: z.string().min(1).max(100), role: roleSchema }))
    .mutation(async ({ ctx, input }) => {
      const before = await membershipIn(ctx.services.db, input.userId, ctx.membership.workspaceId);
      const changed = await changeRole(ctx.services.db, ctx.membership, input.userId, input.role).catch(refusal);
      if (!changed || !before) throw memberNotFound();
      ctx.services.sockets.membershipChanged(input.userId, ctx.membership.workspaceId, input.role);
      await recordAudit(ctx.services.db, ctx.services.newId, {
        workspaceId: ctx.membership.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "member.role_changed", target: input.userId,
        detail: { from: before.role, to: input.role },
      });
      return { ok: true };
    }),

  removeMember: workspaceProcedure("admin").input(z.object({ userId: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    const removed = await removeMember(ctx.services.db, ctx.membership, ctx.user.id, input.userId).catch(refusal);
    if (!removed) throw memberNotFound();
    ctx.services.sockets.membershipChanged(input.userId, ctx.membership.workspaceId, null);
    await recordAudit(ctx.services.db, ctx.services.newId, {
      workspaceId: ctx.membership.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: input.userId === ctx.user.id ? "member.left" : "member.removed", target: input.userId,
      detail: { role: removed.role },
    });
    return { ok: true };
  }),

  policy: workspaceProcedure("viewer").query(async ({ ctx }) => {
    const { policy, errors } = await loadTeamPolicy(ctx.services.db, ctx.membership.workspaceId);
    return { policy, errors, canEdit: hasRole(ctx.membership.role, "admin") };
  }),

  setPolicy: workspaceProcedure("admin")
    .input(teamPolicySchema)
    .mutation(async ({ ctx, input }) => {
      const checked = validateTeamPolicy(input);
      // One message naming every rule that does not parse, so the form can show them all at once.
      if (!checked.ok) throw new TRPCError({ code: "BAD_REQUEST", message: `The policy was not saved:\n${checked.errors.join("\n")}` });
      await saveTeamPolicy(ctx.services.db, ctx.membership.workspaceId, checked.policy);
      return { policy: checked.policy };
    }),

  leave: workspaceProcedure("viewer").mutation(async ({ ctx }) => {
    await removeMember(ctx.services.db, ctx.membership, ctx.user.id, ctx.user.id).catch(refusal);
    ctx.services.sockets.membershipChanged(ctx.user.id, ctx.membership.workspaceId, null);
    await recordAudit(ctx.services.db, ctx.services.newId, {
      workspaceId: ctx.membership.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "member.left", target: ctx.user.id, detail: { role: ctx.membership.role },
    });
    await ctx.services.db.user.update({ where: { id: ctx.user.id }, data: { activeWorkspaceId: null } });
    return { ok: true };
  }),
});
