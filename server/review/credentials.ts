// Git credentials per user and remote host, encrypted at rest with server/secrets.ts. The secret
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
  list: (ownerId: string) =>
    db.gitCredential.findMany({
      where: { ownerId },
      select: { id: true, host: true, username: true, forge: true, apiBaseUrl: true, updatedAt: true },
      orderBy: { host: "asc" },
    }),

  save: (ownerId: string, input: GitCredentialInput) => {
    const data = {
      username: input.username,
      secretEncrypted: encryptSecret(input.secret),
      forge: input.forge,
      apiBaseUrl: input.apiBaseUrl ?? null,
    };
    return db.gitCredential.upsert({
      where: { ownerId_host: { ownerId, host: input.host } },
      update: data,
      create: { id: newId(), ownerId, host: input.host, ...data },
      select: { id: true, host: true, username: true, forge: true, apiBaseUrl: true },
    });
  },

  remove: (ownerId: string, host: string) => db.gitCredential.deleteMany({ where: { ownerId, host } }),

  /** The decrypted credential for a host, or null. */
  async forHost(ownerId: string, host: string) {
    const row = await db.gitCredential.findUnique({ where: { ownerId_host: { ownerId, host } } });
    if (!row) return null;
    return { username: row.username, password: decryptSecret(row.secretEncrypted), forge: row.forge as ForgeKind | "none", apiBaseUrl: row.apiBaseUrl };
  },
});
