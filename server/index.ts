// Pincer's process: Next pages, tRPC and the WebSocket streams on one port; the agent loops run here.
import path from "node:path";
import next from "next";
import { env } from "./env";
import { db } from "./db";
import { createDockerDriver } from "./sandbox/docker";
import { defaultPoolSize } from "./sandbox/pool";
import { createModelClient } from "./llm/create-model-client";
import { loadPrices } from "./llm/pricing";
import { builtinTools, toolSchemas } from "./tools/registry";
import { createServices, newId } from "./services";
import { createPincerServer } from "./http-server";
import { createAuth } from "./auth/auth";
import { accountCount } from "./auth/workspaces";
import { deriveSecret } from "./secrets";
import { toNodeHandler } from "better-auth/node";

const root = path.resolve(import.meta.dirname, "..");

const main = async () => {
  const dev = env.NODE_ENV !== "production";
  const sandboxDefaults = {
    image: env.SANDBOX_IMAGE,
    network: "none" as const,
    memoryBytes: env.SANDBOX_MEMORY_MB * 1024 * 1024,
    nanoCpus: Math.round(env.SANDBOX_CPUS * 1e9),
    pidsLimit: env.SANDBOX_PIDS_LIMIT,
  };
  // The pool's slots live beside the workspaces: a claim renames a slot into place (one filesystem).
  const driver = createDockerDriver({
    idlePauseMs: env.PINCER_IDLE_PAUSE_MS,
    pool: { size: env.PINCER_POOL_SIZE ?? defaultPoolSize(), dir: path.join(env.DATA_DIR, "workspaces", ".pool"), spec: sandboxDefaults },
  });
  const services = createServices({
    db,
    driver,
    createModelClient,
    tools: builtinTools,
    toolSchemas: toolSchemas(builtinTools),
    dataDir: env.DATA_DIR,
    prices: loadPrices(env.PINCER_PRICES_FILE),
    sandboxDefaults,
    extensions: { mcpConfigPath: env.PINCER_MCP_CONFIG },
  });
  const recovered = await services.sessions.recover();
  if (recovered > 0) console.log(`Recovered ${recovered} session(s) interrupted by the last shutdown.`);
  const orphans = await services.sessions.collectOrphans().catch((error: unknown) => {
    console.warn(`Could not look for orphaned sandboxes: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  });
  if (orphans.length > 0) console.log(`Removed ${orphans.length} sandbox(es) of sessions that no longer exist.`);

  const { auth, identify } = createAuth({
    db,
    secret: deriveSecret("better-auth"),
    newId,
    allowSignup: env.PINCER_ALLOW_SIGNUP,
    baseUrl: env.PINCER_BASE_URL,
    provider: env.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql",
  });

  const app = next({ dev, dir: root, hostname: "localhost", port: env.PORT });
  await app.prepare();
  const { server } = createPincerServer({
    services,
    identify,
    auth: { handler: toNodeHandler(auth), needsFirstAccount: async () => (await accountCount(db)) === 0 },
    next: { handle: app.getRequestHandler(), upgrade: app.getUpgradeHandler() },
  });

  server.listen(env.PORT, env.HOST, () => {
    console.log(`Pincer is running on http://localhost:${env.PORT}`);
  });

  const shutdown = async (signal: string) => {
    console.log(`${signal}: stopping running turns…`);
    server.close();
    await services.sessions.shutdown().catch(() => undefined);
    await driver.dispose().catch(() => undefined);
    await db.$disconnect().catch(() => undefined);
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
};

main().catch((error: unknown) => {
  console.error("Pincer failed to start:", error);
  process.exit(1);
});
