// The team permission policy on the Workspace row: read it as the engine's "team" source for a
// session, and store a validated one (server/permissions/team-policy.ts holds the format).
import type { PrismaClient } from "../generated/prisma/client";
import type { RuleSource } from "../permissions/policy";
import { readStoredTeamPolicy, teamPolicySource, type TeamPolicy } from "../permissions/team-policy";

export const TEAM_POLICY_ORIGIN = "workspace policy";

export const loadTeamPolicy = async (db: PrismaClient, workspaceId: string) => {
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { permissionPolicy: true } });
  return readStoredTeamPolicy(workspace?.permissionPolicy ?? null);
};

export const saveTeamPolicy = async (db: PrismaClient, workspaceId: string, policy: TeamPolicy) => {
  await db.workspace.update({ where: { id: workspaceId }, data: { permissionPolicy: JSON.stringify(policy) } });
};

/** The team source for a session's workspace; a session that does not exist gets none. */
export const teamSourcesForSession = async (db: PrismaClient, sessionId: string): Promise<RuleSource[]> => {
  const session = await db.session.findUnique({ where: { id: sessionId }, select: { workspaceId: true } });
  if (!session) return [];
  const { policy, errors } = await loadTeamPolicy(db, session.workspaceId);
  const origin = errors.length ? `${TEAM_POLICY_ORIGIN} (${errors.join("; ")})` : TEAM_POLICY_ORIGIN;
  return [teamPolicySource(policy, origin)];
};
