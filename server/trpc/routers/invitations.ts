// Invitation links: admins create and revoke them (and, with SMTP configured, mail them); anyone
// holding a valid one can see where it leads and, once signed in, join (a link works once and
// expires after invitationLifetimeMs).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { recordAudit } from "../../audit/audit-log";
import { roleSchema } from "../../auth/roles";
import { acceptInvitation, createInvitation, MembershipError, validInvitation } from "../../auth/workspaces";
import { invitationMail } from "../../mail/invitation-mail";
import { mailErrorMessage, type Mailer } from "../../mail/mailer";
import { createRouter, protectedProcedure, publicProcedure, workspaceProcedure, type TrpcContext } from "../init";

const token = z.object({ token: z.string().min(1).max(200) });

/** Mailed links must open from the recipient's machine: PINCER_BASE_URL, else the admin's own origin. */
const linkBase = (ctx: TrpcContext) => {
  const base = ctx.services.accounts.publicUrl ?? ctx.origin;
  if (!base) throw new TRPCError({ code: "BAD_REQUEST", message: "Cannot tell this server's URL: set PINCER_BASE_URL." });
  return base.replace(/\/+$/, "");
};

type MailOutcome = { to: string; sent: true } | { to: string; sent: false; error: string };

const mailInvitation = (mailer: Mailer, mail: Parameters<typeof invitationMail>[0]): Promise<MailOutcome> =>
  mailer.send(invitationMail(mail)).then(
    () => ({ to: mail.to, sent: true }),
    (error: unknown) => ({ to: mail.to, sent: false, error: mailErrorMessage(error) }),
  );

export const invitationsRouter = createRouter({
  list: workspaceProcedure("admin").query(({ ctx }) =>
    ctx.services.db.invitation.findMany({
      where: { workspaceId: ctx.membership.workspaceId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, token: true, role: true, expiresAt: true, createdAt: true },
      orderBy: { createdAt: "desc" },
    }),
  ),

  /** Whether invitations can go out by email (SMTP configured), for the members page. */
  options: workspaceProcedure("admin").query(({ ctx }) => ({ email: ctx.services.accounts.mailer !== null })),

  /**
   * Owners are made by promotion, not by invitation. With an email, the link is also mailed; a
   * failed send is reported, not thrown: the link exists either way and can be passed on by hand.
   */
  create: workspaceProcedure("admin")
    .input(z.object({ role: roleSchema.exclude(["owner"]), email: z.email("Enter a valid email address.").max(254).optional() }))
    .mutation(async ({ ctx, input }) => {
      const { mailer } = ctx.services.accounts;
      if (input.email && !mailer) throw new TRPCError({ code: "BAD_REQUEST", message: "Email invitations need SMTP: set PINCER_SMTP_URL and PINCER_MAIL_FROM." });
      const base = input.email ? linkBase(ctx) : null;
      const invitation = await createInvitation(ctx.services.db, ctx.services.newId, { workspaceId: ctx.membership.workspaceId, role: input.role, createdById: ctx.user.id });
      const mail = mailer && input.email
        ? await mailInvitation(mailer, { to: input.email, link: `${base}/invite/${invitation.token}`, workspaceName: ctx.membership.workspaceName, role: input.role, inviterName: ctx.user.name, expiresAt: invitation.expiresAt })
        : null;
      await recordAudit(ctx.services.db, ctx.services.newId, {
        workspaceId: ctx.membership.workspaceId, actorId: ctx.user.id, actorName: ctx.user.name, action: "invitation.created", target: invitation.id,
        detail: { role: input.role, expiresAt: invitation.expiresAt.toISOString(), ...(mail ? { email: mail.to, mailed: mail.sent } : {}) },
      });
      return { id: invitation.id, token: invitation.token, path: `/invite/${invitation.token}`, expiresAt: invitation.expiresAt, mail };
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
