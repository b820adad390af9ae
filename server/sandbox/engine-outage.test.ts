// The Docker driver through an engine outage, with the real engine behind a TCP proxy that the
// test cuts and restores (the machine's dockerd keeps running for everyone else).
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDockerProxy, type DockerProxy } from "../../test-support/docker-proxy";
import { createDockerDriver, type DockerSandboxDriver } from "./docker";
import { SandboxError, type SandboxSpec } from "./sandbox";
import { TEST_LABEL_PREFIX } from "./test-sandbox";

const spec = { image: "pincer-sandbox:latest", network: "none" as const, memoryBytes: 512 * 1024 * 1024, nanoCpus: 1e9, pidsLimit: 256 };
// Quick beats, so the test does not sit through the production intervals.
const health = { okIntervalMs: 500, retryMs: 100, maxRetryMs: 500, log: { warn: () => {}, log: () => {} } };
const direct = new Dockerode();

describe("docker driver through an engine outage", { timeout: 120_000 }, () => {
  let proxy: DockerProxy;
  let root: string;
  const drivers: DockerSandboxDriver[] = [];
  const sessions: string[] = [];

  const proxiedDriver = (options: Parameters<typeof createDockerDriver>[0] = {}) => {
    const driver = createDockerDriver({ docker: new Dockerode({ host: "127.0.0.1", port: proxy.port }), labelPrefix: `${TEST_LABEL_PREFIX}-outage`, health, ...options });
    drivers.push(driver);
    return driver;
  };

  const newSpec = async (): Promise<SandboxSpec> => {
    const sessionId = `o${randomBytes(5).toString("hex")}`;
    sessions.push(sessionId);
    const workspaceDir = path.join(root, "workspaces", sessionId);
    await mkdir(workspaceDir, { recursive: true });
    return { ...spec, sessionId, ownerId: "owner", workspaceDir };
  };

  beforeAll(async () => {
    proxy = await startDockerProxy();
    root = await mkdtemp(path.join(tmpdir(), "pincer-outage-"));
  });

  // A failed test must not leave the engine cut for the next one.
  afterEach(async () => {
    await proxy.restore();
  });

  afterAll(async () => {
    for (const sessionId of sessions) await direct.getContainer(`${TEST_LABEL_PREFIX}-outage-${sessionId}`).remove({ force: true }).catch(() => undefined);
    for (const driver of drivers) await driver.dispose();
    await proxy.close();
    await rm(root, { recursive: true, force: true });
  });

  it("a command during the outage fails clearly, the state goes unreachable -> ok, and the next command works", async () => {
    const driver = proxiedDriver();
    const sessionSpec = await newSpec();
    const sandbox = await driver.create(sessionSpec);
    await writeFile(path.join(sessionSpec.workspaceDir, "keep.txt"), "precious\n");
    expect((await sandbox.exec({ cmd: ["cat", "keep.txt"] })).stdout.toString()).toBe("precious\n");
    await expect.poll(() => driver.health.current().state).toBe("ok");

    await proxy.cut();
    const failure = await sandbox.exec({ cmd: ["cat", "keep.txt"] }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SandboxError);
    expect((failure as SandboxError).code).toBe("engine_unreachable");
    // Refused for a new connection, reset for one that was open when the engine went.
    expect((failure as SandboxError).message).toMatch(new RegExp(`^Cannot reach the Docker engine at 127\\.0\\.0\\.1:${proxy.port} \\((ECONNREFUSED|ECONNRESET)\\)`));
    await expect.poll(() => driver.health.current()).toMatchObject({
      state: "unreachable",
      address: `127.0.0.1:${proxy.port}`,
      reason: "connection refused (ECONNREFUSED)",
    });

    await proxy.restore();
    await expect.poll(() => driver.health.current().state).toBe("ok");
    // The container lived through it (the engine did not restart): same one, same workspace.
    const again = await sandbox.exec({ cmd: ["sh", "-c", "cat keep.txt && echo more > more.txt"] });
    expect(again.exitCode).toBe(0);
    expect(again.stdout.toString()).toBe("precious\n");
    expect(await readFile(path.join(sessionSpec.workspaceDir, "more.txt"), "utf8")).toBe("more\n");
    expect((await driver.ensure(sessionSpec)).recreated).toBe(false);
  });

  it("the warm pool waits out the outage, drops containers the engine lost, and refills when it is back", async () => {
    const driver = proxiedDriver({ pool: { size: 1, dir: path.join(root, "workspaces", ".pool"), spec } });
    await driver.pool?.full();
    const warmIds = async () =>
      (await direct.listContainers({ all: true, filters: { label: [`${TEST_LABEL_PREFIX}-outage.pool`] } })).filter((c) => c.State === "running").map((c) => c.Id);
    const [before] = await warmIds();
    expect(before).toBeDefined();

    await proxy.cut();
    await expect.poll(() => driver.health.current().state).toBe("unreachable");
    // What an engine restart does to running containers.
    await direct.getContainer(before!).kill();

    await proxy.restore();
    await expect.poll(() => driver.health.current().state).toBe("ok");
    await expect.poll(warmIds, { timeout: 60_000 }).toEqual([expect.not.stringMatching(before!)]);
    const sessionSpec = await newSpec();
    const sandbox = await driver.create(sessionSpec);
    expect((await sandbox.exec({ cmd: ["echo", "warm"] })).stdout.toString()).toBe("warm\n");
  });

  it("sessions get the runtime `docker info` offers, and a named runtime the engine lacks is a clear error", async () => {
    const info = (await direct.info()) as { Runtimes: Record<string, unknown>; DefaultRuntime: string };
    const expected = "runsc" in info.Runtimes ? "runsc" : info.DefaultRuntime;
    const driver = proxiedDriver();
    expect(await driver.runtime()).toBe(expected);
    const sessionSpec = await newSpec();
    const sandbox = await driver.create(sessionSpec);
    expect(sandbox.runtime).toBe(expected);
    expect((await direct.getContainer(sandbox.id).inspect()).HostConfig.Runtime).toBe(expected);
    expect((await driver.ensure(sessionSpec)).sandbox.runtime).toBe(expected);

    const missing = "runsc" in info.Runtimes ? "pincer-no-such-runtime" : "runsc";
    const strict = proxiedDriver({ runtime: missing });
    const error = await strict.runtime().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).code).toBe("runtime_unavailable");
    expect((error as SandboxError).message).toContain(`PINCER_SANDBOX_RUNTIME=${missing}, but the Docker engine at 127.0.0.1:${proxy.port} has no runtime of that name (it has: `);
    await expect(strict.create(await newSpec())).rejects.toThrow(`PINCER_SANDBOX_RUNTIME=${missing}`);
  });
});
