// The account's own permission rules on the User row: read them as the engine's "user" source for
// a session (its owner's), and store validated ones (server/permissions/user-rules.ts holds the format).
import type { PrismaClient } from "../generated/prisma/client";
import type { RuleSource } from "../permissions/policy";
import { readStoredUserRules, userRulesSource, type UserRules } from "../permissions/user-rules";

export const loadUserRules = async (db: PrismaClient, userId: string) => {
  const user = await db.user.findUnique({ where: { id: userId }, select: { permissionRules: true } });
  return readStoredUserRules(user?.permissionRules ?? null);
};

export const saveUserRules = async (db: PrismaClient, userId: string, rules: UserRules) => {
  await db.user.update({ where: { id: userId }, data: { permissionRules: JSON.stringify(rules) } });
};

/** The user source of a session: its owner's rules. A session that does not exist gets none. */
export const userSourcesForSession = async (db: PrismaClient, sessionId: string): Promise<RuleSource[]> => {
  const session = await db.session.findUnique({ where: { id: sessionId }, select: { ownerId: true, owner: { select: { name: true } } } });
  if (!session) return [];
  const { rules, errors } = await loadUserRules(db, session.ownerId);
  const origin = `rules of ${session.owner.name || session.ownerId}`;
  return [userRulesSource(rules, errors.length ? `${origin} (${errors.join("; ")})` : origin)];
};
