import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDockerDriver, type DockerSandboxDriver } from "./docker";
import { createWarmPool, type PoolSpec } from "./pool";
import type { SandboxSpec } from "./sandbox";
import { TEST_LABEL_PREFIX } from "./test-sandbox";

const poolSpec: PoolSpec = {
  image: "pincer-sandbox:latest",
  network: "none",
  memoryBytes: 512 * 1024 * 1024,
  nanoCpus: 1_000_000_000,
  pidsLimit: 256,
};
const prefix = `${TEST_LABEL_PREFIX}-pool`;

describe("warm pool (docker)", { timeout: 60_000 }, () => {
  let root: string;
  let driver: DockerSandboxDriver;
  const docker = new Dockerode();
  const sessions: string[] = [];

  /** A session workspace the way the session service leaves it before asking for a sandbox. */
  const newSession = async (overrides: Partial<SandboxSpec> = {}): Promise<SandboxSpec> => {
    const sessionId = `p${randomBytes(5).toString("hex")}`;
    sessions.push(sessionId);
    const workspaceDir = path.join(root, "workspaces", sessionId);
    await mkdir(path.join(workspaceDir, ".git"), { recursive: true });
    await writeFile(path.join(workspaceDir, "README.md"), `session ${sessionId}\n`);
    return { ...poolSpec, sessionId, ownerId: "owner", workspaceDir, ...overrides };
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "pincer-pool-"));
    driver = createDockerDriver({ labelPrefix: prefix, idlePauseMs: 300, pool: { size: 2, dir: path.join(root, "workspaces", ".pool"), spec: poolSpec } });
    await driver.pool?.full();
  }, 60_000);

  afterAll(async () => {
    for (const sessionId of sessions) await driver.destroy(sessionId);
    await driver.dispose();
    const left = await docker.listContainers({ all: true, filters: { label: [`${prefix}.managed=true`] } });
    expect(left).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });

  it("a second Pincer on the same engine clears only its own pool's leftovers", async () => {
    await driver.pool?.full();
    const poolContainers = async () => (await docker.listContainers({ all: true, filters: { label: [`${prefix}.pool`] } })).map((c) => c.Id).sort();
    const before = await poolContainers();
    expect(before.length).toBeGreaterThan(0);
    const otherRoot = await mkdtemp(path.join(tmpdir(), "pincer-pool-other-"));
    const other = createDockerDriver({ labelPrefix: prefix, pool: { size: 1, dir: path.join(otherRoot, ".pool"), spec: poolSpec } });
    try {
      await other.pool?.full();
      const withOther = await poolContainers();
      expect(withOther).toEqual(expect.arrayContaining(before));
    } finally {
      await other.dispose();
      await rm(otherRoot, { recursive: true, force: true });
    }
    expect(await poolContainers()).toEqual(before);
  });

  it("hands a warm container to a new session, with the session's files at its workspace path", async () => {
    const spec = await newSession();
    const { sandbox, recreated } = await driver.ensure(spec);
    expect(recreated).toBe(true);
    const result = await sandbox.exec({ cmd: ["sh", "-c", "cat README.md; ls -a; echo made-inside > inside.txt"] });
    expect(result.stdout.toString()).toBe(`session ${spec.sessionId}\n.\n..\n.git\nREADME.md\n`);
    expect(await readFile(path.join(spec.workspaceDir, "inside.txt"), "utf8")).toBe("made-inside\n");
    expect(await driver.execPathOf(sandbox.id)).toBe("exec-server");
    // Found again by session id, like after a server restart.
    expect(await driver.inspect(spec.sessionId)).toMatchObject({ id: sandbox.id, sessionId: spec.sessionId, state: "running" });
    expect((await driver.list()).map((info) => info.sessionId)).toContain(spec.sessionId);
    const again = await driver.ensure(spec);
    expect(again).toMatchObject({ recreated: false });
    expect(again.sandbox.id).toBe(sandbox.id);
  });

  it("refills in the background and keeps unclaimed containers out of list()", async () => {
    await driver.pool?.full();
    const warm = await docker.listContainers({ filters: { label: [`${prefix}.pool`], name: [`${prefix}-pool-`] } });
    expect(warm).toHaveLength(2);
    const listed = await driver.list();
    for (const container of warm) expect(listed.map((info) => info.id)).not.toContain(container.Id);
    // Only the slots' own directories remain in the pool directory.
    expect(await readdir(path.join(root, "workspaces", ".pool"))).toHaveLength(2);
  });

  it("starts a session cold when it asks for other limits than the pool's", async () => {
    await driver.pool?.full();
    const spec = await newSession({ memoryBytes: 256 * 1024 * 1024 });
    const { sandbox } = await driver.ensure(spec);
    const limit = await sandbox.exec({ cmd: ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] });
    expect(limit.stdout.toString().trim()).toBe(String(256 * 1024 * 1024));
    expect((await sandbox.exec({ cmd: ["cat", "README.md"] })).stdout.toString()).toBe(`session ${spec.sessionId}\n`);
  });

  it("pauses an idle session and thaws it on the next command", async () => {
    const spec = await newSession();
    const { sandbox } = await driver.ensure(spec);
    await sandbox.exec({ cmd: ["true"] });
    let state = "running";
    for (let i = 0; i < 40 && state !== "paused"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await driver.inspect(spec.sessionId))?.state ?? "missing";
    }
    expect(state).toBe("paused");
    const result = await sandbox.exec({ cmd: ["echo", "thawed"] });
    expect(result.stdout.toString()).toBe("thawed\n");
    expect((await driver.inspect(spec.sessionId))?.state).toBe("running");
  });

  it("recreates a pooled session's container that died, with the workspace intact", async () => {
    const spec = await newSession();
    const { sandbox } = await driver.ensure(spec);
    await sandbox.exec({ cmd: ["sh", "-c", "echo keep > kept.txt"] });
    await docker.getContainer(sandbox.id).kill();
    const { sandbox: next, recreated, reason } = await driver.ensure(spec);
    expect(recreated).toBe(true);
    expect(reason).toMatch(/had stopped/);
    expect((await next.exec({ cmd: ["cat", "kept.txt", "README.md"] })).stdout.toString()).toBe(`keep\nsession ${spec.sessionId}\n`);
  });
});

describe("warm pool (claims)", () => {
  const fakeBackend = () => {
    const discarded: string[] = [];
    const dead = new Set<string>();
    let created = 0;
    return {
      discarded,
      backend: {
        createWarm: async (slot: string) => {
          created += 1;
          return slot;
        },
        adopt: async (slot: string, spec: SandboxSpec) => ({
          id: slot,
          sessionId: spec.sessionId,
          workdir: "/workspace",
          hostWorkspaceDir: spec.workspaceDir,
          exec: async () => {
            throw new Error("not in this test");
          },
          openTty: async () => {
            throw new Error("not in this test");
          },
        }),
        discard: async (slot: string) => {
          discarded.push(slot);
        },
        removeStale: async () => {},
        alive: async (slot: string) => !dead.has(slot),
      },
      dead,
      get created() {
        return created;
      },
    };
  };

  it("puts a workspace back where it belongs when a claim was interrupted by a crash", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "pincer-pool-claim-"));
    try {
      const poolDir = path.join(root, ".pool");
      const target = path.join(root, "session-1");
      await mkdir(path.join(poolDir, "slot1"), { recursive: true });
      await writeFile(path.join(poolDir, "slot1", "work.txt"), "precious\n");
      await writeFile(path.join(poolDir, "slot1.claim"), target);
      const fake = fakeBackend();
      const pool = createWarmPool(fake.backend, { size: 1, dir: poolDir, spec: poolSpec });
      await pool.full();
      expect(await readFile(path.join(target, "work.txt"), "utf8")).toBe("precious\n");
      await pool.dispose();
      expect(fake.discarded).toHaveLength(1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("is off at size 0 and gives nothing for a spec it was not made for", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "pincer-pool-claim-"));
    try {
      const off = fakeBackend();
      const disabled = createWarmPool(off.backend, { size: 0, dir: path.join(root, "off"), spec: poolSpec });
      expect(await disabled.take({ ...poolSpec, sessionId: "s", ownerId: "o", workspaceDir: path.join(root, "s") })).toBeNull();
      expect(off.created).toBe(0);

      const on = fakeBackend();
      const pool = createWarmPool(on.backend, { size: 1, dir: path.join(root, "on"), spec: poolSpec });
      await pool.full();
      expect(await pool.take({ ...poolSpec, image: "other:latest", sessionId: "s", ownerId: "o", workspaceDir: path.join(root, "s") })).toBeNull();
      const taken = await pool.take({ ...poolSpec, sessionId: "s", ownerId: "o", workspaceDir: path.join(root, "s") });
      expect(taken?.hostWorkspaceDir).toBe(path.join(root, "s"));
      await pool.dispose();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("waits on afterError between failed starts, logs a repeated failure once, and refills", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "pincer-pool-claim-"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const fake = fakeBackend();
      let failuresLeft = 3;
      const waitedOn: unknown[] = [];
      const pool = createWarmPool(
        {
          ...fake.backend,
          createWarm: async (slot: string) => {
            if (failuresLeft-- > 0) throw new Error("Cannot reach the Docker engine");
            return fake.backend.createWarm(slot);
          },
        },
        { size: 1, dir: path.join(root, "pool"), spec: poolSpec, afterError: async (error) => void waitedOn.push(error) },
      );
      await pool.full();
      expect(waitedOn).toHaveLength(3);
      expect(warn.mock.calls.filter(([line]) => String(line).startsWith("Warm pool: could not start"))).toHaveLength(1);
      await pool.dispose();
    } finally {
      warn.mockRestore();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("revalidate drops warm containers that stopped running and starts new ones", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "pincer-pool-claim-"));
    try {
      const fake = fakeBackend();
      const pool = createWarmPool(fake.backend, { size: 2, dir: path.join(root, "pool"), spec: poolSpec });
      await pool.full();
      expect(fake.created).toBe(2);
      const [first] = await readdir(path.join(root, "pool"));
      fake.dead.add(first!);
      await pool.revalidate();
      await pool.full();
      expect(fake.discarded).toEqual([first]);
      expect(fake.created).toBe(3);
      await pool.dispose();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
