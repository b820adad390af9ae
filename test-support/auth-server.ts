// The real HTTP server (better-auth + tRPC + sockets) on a migrated temp database (temp-db.ts), with no
// sandbox engine and no model, and helpers to sign up and call tRPC over HTTP with the cookie.
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "better-auth/node";
import { createAuth } from "../server/auth/auth";
import type { ExternalProvider } from "../server/auth/external-providers";
import type { Mailer } from "../server/mail/mailer";
import { accountCount } from "../server/auth/workspaces";
import { createPincerServer } from "../server/http-server";
import type { SandboxDriver } from "../server/sandbox/sandbox";
import { createServices, newId } from "../server/services";
import { createHttpClient } from "./http-client";
import { createTempDb } from "./temp-db";

const idleDriver: SandboxDriver = {
  create: async () => Promise.reject(new Error("unused")),
  ensure: async () => Promise.reject(new Error("unused")),
  inspect: async () => null,
  list: async () => [],
  stop: async () => undefined,
  destroy: async () => undefined,
  stats: async () => null,
};

/** externalProviders: OIDC / GitHub sign-in (test-support/oidc-provider.ts); mailer: invitations by email (smtp-capture.ts). */
export const startAuthServer = async (options: { heartbeatMs?: number; externalProviders?: ExternalProvider[]; mailer?: Mailer } = {}) => {
  const temp = await createTempDb();
  const services = createServices({
    db: temp.db,
    driver: idleDriver,
    createModelClient: () => {
      throw new Error("unused");
    },
    tools: [],
    toolSchemas: [],
    dataDir: temp.dir,
    sandboxDefaults: { image: "x", network: "none", memoryBytes: 1, nanoCpus: 1, pidsLimit: 1 },
    accounts: { signInProviders: options.externalProviders, mailer: options.mailer },
  });
  const { auth, identify } = createAuth({ db: temp.db, secret: "test-secret-test-secret-test-secret!", newId, allowSignup: false, provider: temp.provider, rateLimit: false, externalProviders: options.externalProviders });
  const { server } = createPincerServer({
    services,
    identify,
    auth: { handler: toNodeHandler(auth), needsFirstAccount: async () => (await accountCount(temp.db)) === 0 },
    heartbeatMs: options.heartbeatMs,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const client = createHttpClient(base);

  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await services.sessions.shutdown().catch(() => undefined);
    await temp.cleanup();
  };

  return { ...client, db: temp.db, services, close };
};

export type AuthServer = Awaited<ReturnType<typeof startAuthServer>>;
