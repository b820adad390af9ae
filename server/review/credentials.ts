// Git credentials per workspace and remote host, encrypted at rest with server/secrets.ts. The secret
// leaves the database only to be handed to one host-side git push or one forge API call.
import type { PrismaClient } from "../generated/prisma/client";
import { decryptSecret, encryptSecret } from "../secrets";
import type { ForgeKind } from "./pull-request";

export type GitCredentialInput = {
  host: string;
  username: string;
  secret: string;
  forge: ForgeKind | "none";
  apiBaseUrl?: string;
};

export const createGitCredentials = (db: PrismaClient, newId: () => string) => ({
  /** What the UI may see: everything but the secret. */
  list: (workspaceId: string) =>
    db.gitCredential.findMany({
      where: { workspaceId },
      select: { id: true, host: true, username: true, forge: true, apiBaseUrl: true, updatedAt: true },
      orderBy: { host: "asc" },
    }),

  /** ownerId: who saved it. */
  save: (workspaceId: string, ownerId: string, input: GitCredentialInput) => {
    const data = {
      username: input.username,
      secretEncrypted: encryptSecret(input.secret),
      forge: input.forge,
      apiBaseUrl: input.apiBaseUrl ?? null,
    };
    return db.gitCredential.upsert({
      where: { workspaceId_host: { workspaceId, host: input.host } },
      update: { ...data, ownerId },
      create: { id: newId(), workspaceId, ownerId, host: input.host, ...data },
      select: { id: true, host: true, username: true, forge: true, apiBaseUrl: true },
    });
  },

  remove: (workspaceId: string, host: string) => db.gitCredential.deleteMany({ where: { workspaceId, host } }),

  /** The decrypted credential for a host, or null. */
  async forHost(workspaceId: string, host: string) {
    const row = await db.gitCredential.findUnique({ where: { workspaceId_host: { workspaceId, host } } });
    if (!row) return null;
    return { username: row.username, password: decryptSecret(row.secretEncrypted), forge: row.forge as ForgeKind | "none", apiBaseUrl: row.apiBaseUrl };
  },
});
