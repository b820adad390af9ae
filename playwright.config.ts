// End-to-end: a real Chromium against the real server, real Docker, a real SQLite file, and the
// scripted model server speaking the providers' wire formats.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./test-support/chromium";

// Ports can be moved (PINCER_E2E_PORT, PINCER_E2E_MODEL_PORT) so two runs on one machine do not collide.
export const e2ePorts = { pincer: Number(process.env.PINCER_E2E_PORT ?? 3210), model: Number(process.env.PINCER_E2E_MODEL_PORT ?? 3299) };
process.env.PINCER_E2E_MODEL_PORT = String(e2ePorts.model);
// The server reaches the engine through a proxy that e2e/engine.spec.ts cuts and restores, so an
// outage is shown without stopping the machine's dockerd (test-support/docker-proxy-cli.ts).
// Its engine port and control port come after the identity servers' (below).
const dockerProxyPort = Number(process.env.PINCER_E2E_DOCKER_PROXY_PORT ?? e2ePorts.pincer + 5);
process.env.PINCER_E2E_DOCKER_PROXY_PORT = String(dockerProxyPort);
// A data dir made here is removed with its sandboxes after the run (e2e/global-teardown.ts).
if (!process.env.PINCER_E2E_DATA_DIR) {
  process.env.PINCER_E2E_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "pincer-e2e-"));
  process.env.PINCER_E2E_TEMP_DATA_DIR = "1";
}
const dataDir = process.env.PINCER_E2E_DATA_DIR;
/** OIDC provider, SMTP server and its inbox (test-support/identity-cli.ts), on the ports after Pincer's. */
export const e2eIdentity = {
  oidcPort: Number(process.env.PINCER_E2E_OIDC_PORT ?? e2ePorts.pincer + 2),
  smtpPort: Number(process.env.PINCER_E2E_SMTP_PORT ?? e2ePorts.pincer + 3),
  inboxPort: Number(process.env.PINCER_E2E_INBOX_PORT ?? e2ePorts.pincer + 4),
  client: { id: "pincer-e2e", secret: "pincer-e2e-oidc-secret", name: "Test IdP" },
  smtpLogin: { user: "pincer", pass: "pincer-e2e-mail-secret" },
};
/** The first account, signed up once by e2e/auth.setup.ts; every spec starts signed in as it. */
export const ownerStorageState = path.join(dataDir, "owner.storage.json");

export default defineConfig({
  testDir: "e2e",
  globalTeardown: "./e2e/global-teardown.ts",
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "chromium", dependencies: ["setup"], use: { storageState: ownerStorageState } },
  ],
  use: {
    baseURL: `http://localhost:${e2ePorts.pincer}`,
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  webServer: [
    {
      command: `npx tsx test-support/docker-proxy-cli.ts --port ${dockerProxyPort} --control-port ${dockerProxyPort + 1}`,
      url: `http://127.0.0.1:${dockerProxyPort + 1}/state`,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      command: `npx tsx test-support/scripted-model/cli.ts --port ${e2ePorts.model}`,
      url: `http://127.0.0.1:${e2ePorts.model}/__requests`,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      command:
        `npx tsx test-support/identity-cli.ts --oidc-port ${e2eIdentity.oidcPort} --smtp-port ${e2eIdentity.smtpPort} --inbox-port ${e2eIdentity.inboxPort}` +
        ` --client ${e2eIdentity.client.id}:${e2eIdentity.client.secret} --smtp-login ${e2eIdentity.smtpLogin.user}:${e2eIdentity.smtpLogin.pass}`,
      url: `http://127.0.0.1:${e2eIdentity.oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      command: "npx prisma migrate deploy && npx tsx server/index.ts",
      url: `http://127.0.0.1:${e2ePorts.pincer}/healthz`,
      reuseExistingServer: false,
      timeout: 180_000,
      // SIGTERM lets the server remove its warm containers (the default is SIGKILL).
      gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
      stdout: "pipe",
      env: {
        NODE_ENV: "production",
        PORT: String(e2ePorts.pincer),
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        DATABASE_URL: `file:${path.join(dataDir, "pincer.db")}`,
        PINCER_SECRET_KEY: "ZTJlLXRlc3Qta2V5LXRoaXJ0eS10d28tYnl0ZXMtISE=",
        DOCKER_HOST: `tcp://127.0.0.1:${dockerProxyPort}`,
        PINCER_OIDC_ISSUER: `http://127.0.0.1:${e2eIdentity.oidcPort}`,
        PINCER_OIDC_CLIENT_ID: e2eIdentity.client.id,
        PINCER_OIDC_CLIENT_SECRET: e2eIdentity.client.secret,
        PINCER_OIDC_NAME: e2eIdentity.client.name,
        PINCER_SMTP_URL: `smtp://${e2eIdentity.smtpLogin.user}:${e2eIdentity.smtpLogin.pass}@127.0.0.1:${e2eIdentity.smtpPort}`,
        PINCER_MAIL_FROM: "Pincer <pincer@e2e.test>",
      },
    },
  ],
});
