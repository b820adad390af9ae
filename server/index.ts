// Pincer's process: Next pages, tRPC and the WebSocket streams on one port; the agent loops run here.
import path from "node:path";
import next from "next";
import { env } from "./env";
import { db, dbProvider } from "./db";
import { createDockerDriver } from "./sandbox/docker";
import { defaultPoolSize } from "./sandbox/pool";
import { SandboxError } from "./sandbox/sandbox";
import { GVISOR_RUNTIME } from "./sandbox/runtime";
import { sandboxImageOptions } from "./sandbox/images";
import { createModelClient } from "./llm/create-model-client";
import { loadPrices } from "./llm/pricing";
import { builtinTools, toolSchemas } from "./tools/registry";
import { createServices, newId } from "./services";
import { createPincerServer } from "./http-server";
import { createAuth } from "./auth/auth";
import { externalProvidersFromEnv } from "./auth/external-providers";
import { createSmtpMailer } from "./mail/mailer";
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
  // It keeps warm containers of the default image only; sessions on other images start cold.
  const driver = createDockerDriver({
    idlePauseMs: env.PINCER_IDLE_PAUSE_MS,
    runtime: env.PINCER_SANDBOX_RUNTIME,
    pool: { size: env.PINCER_POOL_SIZE ?? defaultPoolSize(), dir: path.join(env.DATA_DIR, "workspaces", ".pool"), spec: sandboxDefaults },
    // Beside the workspaces, so a Pincer in a container (docker-compose.yml) shares it with the engine.
    execSocketDir: path.join(env.DATA_DIR, "exec"),
  });
  const externalProviders = externalProvidersFromEnv(env);
  const mailer = env.PINCER_SMTP_URL && env.PINCER_MAIL_FROM ? createSmtpMailer({ url: env.PINCER_SMTP_URL, from: env.PINCER_MAIL_FROM }) : null;
  const services = createServices({
    db,
    accounts: { signInProviders: externalProviders, mailer, publicUrl: env.PINCER_BASE_URL },
    driver,
    createModelClient,
    tools: builtinTools,
    toolSchemas: toolSchemas(builtinTools),
    dataDir: env.DATA_DIR,
    prices: loadPrices(env.PINCER_PRICES_FILE),
    sandboxDefaults,
    sandboxImages: sandboxImageOptions(env.SANDBOX_IMAGE, env.SANDBOX_IMAGES),
    extensions: { mcpConfigPath: env.PINCER_MCP_CONFIG },
  });
  await checkRuntime(driver);
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
    externalProviders,
    provider: dbProvider(env.DATABASE_URL),
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

/** A runtime asked for by name that the engine lacks stops the start; an engine not answering yet does not. */
const checkRuntime = async (driver: ReturnType<typeof createDockerDriver>) => {
  const runtime = await driver.runtime().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  if (runtime instanceof SandboxError && runtime.code === "runtime_unavailable") {
    console.error(`Pincer failed to start: ${runtime.message}`);
    process.exit(1);
  }
  if (runtime instanceof Error) console.warn(`Could not ask the Docker engine which runtimes it has (${runtime.message}); sandboxes start once it answers.`);
  else console.log(`Sandboxes run under the ${runtime} runtime${runtime === GVISOR_RUNTIME ? " (gVisor)" : ""}.`);
};

main().catch((error: unknown) => {
  console.error("Pincer failed to start:", error);
  process.exit(1);
});
