// Workspaces, memberships and invitations: the domain behind the workspaces/invitations routers,
// sign-up (server/auth/auth.ts) and every access check.
import { randomBytes } from "node:crypto";
import { recordAudit } from "../audit/audit-log";
import type { Db } from "../db";
import { asRole, hasRole, type Role } from "./roles";

export type Membership = { workspaceId: string; workspaceName: string; role: Role };

/** The id single-user installs' data moved into (prisma/migrations/*_teams). */
export const localWorkspaceId = "local";
const localUserId = "local";
export const invitationLifetimeMs = 7 * 24 * 60 * 60 * 1000;

export class MembershipError extends Error {}

const toMembership = (row: { workspaceId: string; role: string; workspace: { name: string } }): Membership => ({
  workspaceId: row.workspaceId,
  workspaceName: row.workspace.name,
  role: asRole(row.role),
});

/** The user's current workspace: the one they switched to, else their oldest membership. */
export const currentMembership = async (db: Db, userId: string, activeWorkspaceId: string | null): Promise<Membership | null> => {
  const active = activeWorkspaceId ? await membershipIn(db, userId, activeWorkspaceId) : null;
  if (active) return active;
  const first = await db.membership.findFirst({ where: { userId }, orderBy: { createdAt: "asc" }, include: { workspace: true } });
  return first ? toMembership(first) : null;
};

export const membershipIn = async (db: Db, userId: string, workspaceId: string): Promise<Membership | null> => {
  const row = await db.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, include: { workspace: true } });
  return row ? toMembership(row) : null;
};

export const createWorkspace = async (db: Db, newId: () => string, userId: string, name: string) => {
  const workspace = await db.workspace.create({ data: { id: newId(), name, memberships: { create: { id: newId(), userId, role: "owner" } } } });
  await db.user.update({ where: { id: userId }, data: { activeWorkspaceId: workspace.id } });
  return workspace;
};

/** Accounts that can sign in (the migrated single-user placeholder has none). */
export const accountCount = (db: Db) => db.account.count();

export const validInvitation = (db: Db, token: string) =>
  db.invitation.findFirst({ where: { token, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, include: { workspace: true } });

/** Joins the invitation's workspace; an invitation works once. */
export const acceptInvitation = async (db: Db, newId: () => string, userId: string, token: string): Promise<Membership> => {
  const invitation = await validInvitation(db, token);
  if (!invitation) throw new MembershipError("This invitation has expired, was revoked or was already used.");
  const claimed = await db.invitation.updateMany({ where: { id: invitation.id, acceptedAt: null }, data: { acceptedAt: new Date(), acceptedById: userId } });
  if (claimed.count === 0) throw new MembershipError("This invitation was already used.");
  const existing = await membershipIn(db, userId, invitation.workspaceId);
  if (!existing) await db.membership.create({ data: { id: newId(), workspaceId: invitation.workspaceId, userId, role: invitation.role } });
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { name: true } });
  await recordAudit(db, newId, { workspaceId: invitation.workspaceId, actorId: userId, actorName: user.name, action: "invitation.accepted", target: invitation.id, detail: { role: invitation.role, alreadyMember: Boolean(existing) } });
  await db.user.update({ where: { id: userId }, data: { activeWorkspaceId: invitation.workspaceId } });
  return (await membershipIn(db, userId, invitation.workspaceId))!;
};

export const createInvitation = async (db: Db, newId: () => string, input: { workspaceId: string; role: Role; createdById: string }) =>
  db.invitation.create({
    data: { id: newId(), token: randomBytes(24).toString("base64url"), ...input, expiresAt: new Date(Date.now() + invitationLifetimeMs) },
  });

/**
 * A new account gets a workspace: the invitation's, else the single-user data's (first account on
 * an upgraded install), else a fresh one it owns.
 */
export const settleNewAccount = async (db: Db, newId: () => string, user: { id: string; name: string }, inviteToken: string | null) => {
  if (inviteToken) {
    const joined = await acceptInvitation(db, newId, user.id, inviteToken).catch(() => null);
    if (joined) return joined;
  }
  const local = await db.workspace.findUnique({ where: { id: localWorkspaceId }, include: { _count: { select: { memberships: true } } } });
  if (local && local._count.memberships === 0) {
    await db.$transaction([
      db.membership.create({ data: { id: newId(), workspaceId: local.id, userId: user.id, role: "owner" } }),
      db.workspace.update({ where: { id: local.id }, data: { name: `${user.name}'s workspace` } }),
      db.session.updateMany({ where: { ownerId: localUserId }, data: { ownerId: user.id } }),
      db.provider.updateMany({ where: { ownerId: localUserId }, data: { ownerId: user.id } }),
      db.gitCredential.updateMany({ where: { ownerId: localUserId }, data: { ownerId: user.id } }),
      db.user.deleteMany({ where: { id: localUserId } }),
      db.user.update({ where: { id: user.id }, data: { activeWorkspaceId: local.id } }),
    ]);
    return membershipIn(db, user.id, local.id);
  }
  await createWorkspace(db, newId, user.id, `${user.name}'s workspace`);
  return currentMembership(db, user.id, null);
};

const ownerCount = (db: Db, workspaceId: string) => db.membership.count({ where: { workspaceId, role: "owner" } });

/**
 * Changes a member's role. Admins manage viewers, members and admins; only owners touch owners.
 * The last owner cannot step down.
 */
export const changeRole = async (db: Db, actor: Membership, targetUserId: string, role: Role) => {
  const target = await membershipIn(db, targetUserId, actor.workspaceId);
  if (!target) return null;
  if ((target.role === "owner" || role === "owner") && !hasRole(actor.role, "owner")) throw new MembershipError("Only an owner can grant or change the owner role.");
  if (target.role === "owner" && role !== "owner" && (await ownerCount(db, actor.workspaceId)) <= 1) {
    throw new MembershipError("A workspace needs an owner: make someone else owner first.");
  }
  await db.membership.update({ where: { workspaceId_userId: { workspaceId: actor.workspaceId, userId: targetUserId } }, data: { role } });
  return { ...target, role };
};

/** Removes a member (or the actor themself, when leaving). The last owner cannot go. */
export const removeMember = async (db: Db, actor: Membership, actorUserId: string, targetUserId: string) => {
  const target = await membershipIn(db, targetUserId, actor.workspaceId);
  if (!target) return null;
  const leaving = targetUserId === actorUserId;
  if (!leaving && !hasRole(actor.role, "admin")) throw new MembershipError("Only admins can remove members.");
  if (!leaving && target.role === "owner" && !hasRole(actor.role, "owner")) throw new MembershipError("Only an owner can remove an owner.");
  if (target.role === "owner" && (await ownerCount(db, actor.workspaceId)) <= 1) {
    throw new MembershipError("The last owner cannot leave: make someone else owner first.");
  }
  await db.membership.delete({ where: { workspaceId_userId: { workspaceId: actor.workspaceId, userId: targetUserId } } });
  return target;
};
