// Test helper: a real container from pincer-sandbox:latest with a temp workspace, for tests that
// need a Sandbox (docker driver, tools, diff). Build the image first: scripts/build-sandbox-image.sh.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createDockerDriver, type DockerDriverOptions } from "./docker";
import type { Sandbox, SandboxSpec } from "./sandbox";

export const TEST_LABEL_PREFIX = "pincer-test";
/** The exec servers' direct sockets, as the server has them (docker.test.ts also runs without). */
export const TEST_EXEC_SOCKET_DIR = path.join(tmpdir(), "pincer-test-exec");

export const startTestSandbox = async (overrides: Partial<SandboxSpec> = {}, driverOptions: DockerDriverOptions = {}) => {
  const workspaceDir = overrides.workspaceDir ?? (await mkdtemp(path.join(tmpdir(), "pincer-ws-")));
  const driver = createDockerDriver({ labelPrefix: TEST_LABEL_PREFIX, execSocketDir: TEST_EXEC_SOCKET_DIR, ...driverOptions });
  const spec: SandboxSpec = {
    sessionId: `t${randomBytes(6).toString("hex")}`,
    ownerId: "test-owner",
    workspaceDir,
    image: "pincer-sandbox:latest",
    network: "none",
    memoryBytes: 512 * 1024 * 1024,
    nanoCpus: 1_000_000_000,
    pidsLimit: 256,
    ...overrides,
  };
  const sandbox: Sandbox = await driver.create(spec);
  const cleanup = async () => {
    await driver.destroy(spec.sessionId);
    await driver.dispose();
    if (!overrides.workspaceDir) await rm(workspaceDir, { recursive: true, force: true });
  };
  return { driver, sandbox, spec, workspaceDir, cleanup };
};

export type TestSandbox = Awaited<ReturnType<typeof startTestSandbox>>;

/** One sandbox for the enclosing describe block: started before its tests, removed after them. */
export const useSandboxPerSuite = (start: () => Promise<TestSandbox> = () => startTestSandbox()) => {
  let env: TestSandbox | undefined;
  beforeAll(async () => {
    env = await start();
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });
  return () => {
    if (!env) throw new Error("The suite's sandbox did not start");
    return env;
  };
};
