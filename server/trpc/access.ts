// Access to one session: it must belong to a workspace the caller is in (else NOT_FOUND, so ids of
// other workspaces reveal nothing), and the caller's role there must allow the action (else FORBIDDEN).
import { TRPCError } from "@trpc/server";
import { hasRole, type Role } from "../auth/roles";
import { membershipIn } from "../auth/workspaces";
import type { TrpcContext, User } from "./init";

export const sessionInWorkspace = async (ctx: TrpcContext & { user: User }, id: string, minimumRole: Role) => {
  const session = await ctx.services.db.session.findUnique({ where: { id } });
  const membership = session ? await membershipIn(ctx.services.db, ctx.user.id, session.workspaceId) : null;
  if (!session || !membership) throw new TRPCError({ code: "NOT_FOUND", message: "Session not found." });
  if (!hasRole(membership.role, minimumRole)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `Viewers can watch this session; acting in it needs the ${minimumRole} role.` });
  }
  return { ...session, role: membership.role };
};
