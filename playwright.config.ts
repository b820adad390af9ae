// End-to-end: a real Chromium against the real server, real Docker, a real SQLite file, and the
// scripted model server speaking the providers' wire formats.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// Ports can be moved (PINCER_E2E_PORT, PINCER_E2E_MODEL_PORT) so two runs on one machine do not collide.
export const e2ePorts = { pincer: Number(process.env.PINCER_E2E_PORT ?? 3210), model: Number(process.env.PINCER_E2E_MODEL_PORT ?? 3299) };
process.env.PINCER_E2E_MODEL_PORT = String(e2ePorts.model);
const dataDir = process.env.PINCER_E2E_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), "pincer-e2e-"));
process.env.PINCER_E2E_DATA_DIR = dataDir;
/** The first account, signed up once by e2e/auth.setup.ts; every spec starts signed in as it. */
export const ownerStorageState = path.join(dataDir, "owner.storage.json");

export default defineConfig({
  testDir: "e2e",
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
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      command: `npx tsx test-support/scripted-model/cli.ts --port ${e2ePorts.model}`,
      url: `http://127.0.0.1:${e2ePorts.model}/__requests`,
      reuseExistingServer: false,
      stdout: "pipe",
    },
    {
      command: "npx prisma migrate deploy && npx tsx server/index.ts",
      url: `http://127.0.0.1:${e2ePorts.pincer}/healthz`,
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: "pipe",
      env: {
        NODE_ENV: "production",
        PORT: String(e2ePorts.pincer),
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        DATABASE_URL: `file:${path.join(dataDir, "pincer.db")}`,
        PINCER_SECRET_KEY: "ZTJlLXRlc3Qta2V5LXRoaXJ0eS10d28tYnl0ZXMtISE=",
      },
    },
  ],
});
