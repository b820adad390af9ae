import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerDriver } from "./docker";
import { expectHardened, FORK_BOMB, lookInside, memoryHog } from "./hardening.test-helpers";
import { SandboxError, type Sandbox } from "./sandbox";
import { startTestSandbox, useSandboxPerSuite } from "./test-sandbox";

const baseSpec = {
  image: "pincer-sandbox:latest",
  network: "none" as const,
  memoryBytes: 512 * 1024 * 1024,
  nanoCpus: 1_000_000_000,
  pidsLimit: 256,
};

const sh = (sandbox: Sandbox, script: string, extra: Parameters<Sandbox["exec"]>[0] extends infer R ? Partial<R> : never = {}) =>
  sandbox.exec({ cmd: ["sh", "-c", script], ...extra });

// Every behaviour holds on every exec path: the in-container exec server over its direct socket
// and over its docker exec stream, and plain docker exec.
describe.each([
  { execPath: "auto" as const, socket: true, expected: "exec-server", transport: "socket" },
  { execPath: "auto" as const, socket: false, expected: "exec-server", transport: "stream" },
  { execPath: "docker-exec" as const, socket: false, expected: "docker-exec", transport: null },
])("docker driver via $expected ($transport)", { timeout: 60_000 }, ({ execPath, socket, expected, transport }) => {
  let env: Awaited<ReturnType<typeof startTestSandbox>>;
  beforeAll(async () => {
    env = await startTestSandbox({}, { execPath, ...(socket ? {} : { execSocketDir: undefined }) });
  }, 60_000);
  afterAll(async () => {
    await env?.cleanup();
  });

  it(`runs commands through ${expected} (${transport ?? "no channel"})`, async () => {
    expect(await env.driver.execPathOf(env.sandbox.id)).toBe(expected);
    expect(await env.driver.execTransportOf(env.sandbox.id)).toBe(transport);
  });

  it("runs commands in /workspace with exit codes and separate streams", async () => {
    const result = await sh(env.sandbox, "pwd; echo oops >&2; exit 7");
    expect(result.exitCode).toBe(7);
    expect(result.stdout.toString()).toBe("/workspace\n");
    expect(result.stderr.toString()).toBe("oops\n");
    expect(result.timedOut).toBe(false);
    const inSub = await env.sandbox.exec({ cmd: ["pwd"], cwd: "/tmp" });
    expect(inSub.stdout.toString()).toBe("/tmp\n");
  });

  it("passes env, feeds stdin then closes it, and closes stdin at once without it", async () => {
    const withInput = await env.sandbox.exec({ cmd: ["sh", "-c", "cat; echo \"[$GREETING]\""], stdin: "piped\n", env: { GREETING: "hi" } });
    expect(withInput.stdout.toString()).toBe("piped\n[hi]\n");
    const started = Date.now();
    const withoutInput = await env.sandbox.exec({ cmd: ["cat"], timeoutMs: 10_000 });
    expect(withoutInput.timedOut).toBe(false);
    expect(withoutInput.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("streams output to the callbacks", async () => {
    const chunks: string[] = [];
    await sh(env.sandbox, "for i in 1 2 3; do echo line$i; done", { onStdout: (chunk) => chunks.push(chunk.toString()) });
    expect(chunks.join("")).toBe("line1\nline2\nline3\n");
  });

  it("kills the whole process group on timeout, even children ignoring SIGTERM", async () => {
    const script = "trap '' TERM; (trap '' TERM; exec sleep 300) & sleep 300 & echo started; wait";
    const started = Date.now();
    const result = await env.sandbox.exec({ cmd: ["bash", "-c", script], timeoutMs: 700 });
    expect(result.timedOut).toBe(true);
    expect(result.stdout.toString()).toBe("started\n");
    expect(Date.now() - started).toBeLessThan(8_000);
    const ps = await sh(env.sandbox, "ps -eo args= | grep -c '^sleep 300' || true");
    expect(ps.stdout.toString().trim()).toBe("0");
  });

  it("stops a command when the abort signal fires", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await sh(env.sandbox, "sleep 300", { signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect(result.timedOut).toBe(false);
  });

  it("keeps 100 MB of output bounded in the result while callbacks see every byte", async () => {
    let seen = 0;
    const result = await sh(env.sandbox, "head -c 100000000 /dev/zero | tr '\\0' x", { onStdout: (chunk) => (seen += chunk.length) });
    expect(seen).toBe(100_000_000);
    expect(result.stdout.length).toBeLessThan(2.1 * 1024 * 1024);
    expect(result.stdout.toString()).toMatch(/\[\.\.\. \d+ bytes cut \.\.\.\]/);
  });

  it("is hardened: non-root, no capabilities, no-new-privileges, no network, read-only root, cgroup limits", async () => {
    const view = await lookInside(env.sandbox, {
      memoryLimit: "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max",
      pidsLimit: "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max",
      cpuQuota: "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max",
    });
    expectHardened(view);
    expect(view.memoryLimit).toBe(String(512 * 1024 * 1024));
    expect(view.pidsLimit).toBe("256");
    // 1 CPU: 100 ms of CPU time per 100 ms period.
    expect(view.cpuQuota).toBe("100000");
  });

  it("OOM-kills a memory hog, reports it, and stays usable", async () => {
    const result = await env.sandbox.exec({ cmd: memoryHog(700), timeoutMs: 30_000 });
    expect(result.exitCode).toBe(137);
    expect(result.limitHit).toBe("memory");
    expect(result.stderr.toString()).toMatch(/\[sandbox\] The command was killed: it ran out of memory \(the sandbox's limit is 512 MiB\)/);
    expect((await sh(env.sandbox, "echo still-here")).stdout.toString()).toBe("still-here\n");
  });

  it("runs many commands at once on one container", async () => {
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => sh(env.sandbox, `sleep 0.2; echo ${i}; echo e${i} >&2`)));
    expect(results.map((result) => result.stdout.toString())).toEqual(Array.from({ length: 16 }, (_, i) => `${i}\n`));
    expect(results.map((result) => result.stderr.toString())).toEqual(Array.from({ length: 16 }, (_, i) => `e${i}\n`));
  });

  it("feeds large stdin to a command that reads it, and one that ignores it does not hang", async () => {
    const input = Buffer.alloc(3 * 1024 * 1024, "y");
    const counted = await env.sandbox.exec({ cmd: ["wc", "-c"], stdin: input });
    expect(counted.stdout.toString().trim()).toBe(String(input.length));
    const ignored = await env.sandbox.exec({ cmd: ["true"], stdin: input, timeoutMs: 10_000 });
    expect(ignored).toMatchObject({ exitCode: 0, timedOut: false });
  });

  it("returns when the command exits even if a background job keeps its output open", async () => {
    const result = await sh(env.sandbox, "sleep 30 & echo started", { timeoutMs: 20_000 });
    expect(result.stdout.toString()).toBe("started\n");
    expect(result.timedOut).toBe(false);
    await sh(env.sandbox, "pkill -f 'sleep 30' || true");
  });

  it("enforces the pids limit, and a timeout still cleans up a container full of processes", async () => {
    const forkUntilRefused = [
      "import os, time",
      "n = 0",
      "try:",
      "    while n < 400:",
      "        if os.fork() == 0:",
      "            time.sleep(300); os._exit(0)",
      "        n += 1",
      "except OSError: pass",
      "print(n, flush=True)",
      "time.sleep(300)",
    ].join("\n");
    const result = await env.sandbox.exec({ cmd: ["python3", "-c", forkUntilRefused], timeoutMs: 3_000 });
    expect(result.timedOut).toBe(true);
    const started = Number(result.stdout.toString().trim());
    expect(started).toBeGreaterThan(100);
    expect(started).toBeLessThan(256);
    const after = await sh(env.sandbox, "ps -e --no-headers | wc -l");
    expect(Number(after.stdout.toString().trim())).toBeLessThan(10);
  });

  it("shares the workspace with the host", async () => {
    await writeFile(path.join(env.workspaceDir, "from-host.txt"), "hello from host\n");
    const result = await sh(env.sandbox, "cat from-host.txt && echo made-inside > inside.txt");
    expect(result.stderr.toString()).toBe("");
    expect(result.stdout.toString()).toBe("hello from host\n");
    expect(await readFile(path.join(env.workspaceDir, "inside.txt"), "utf8")).toBe("made-inside\n");
  });

  it("opens a TTY with a login shell that echoes and resizes", async () => {
    const tty = await env.sandbox.openTty({ cols: 100, rows: 30 });
    let output = "";
    tty.onData((chunk) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => tty.onExit(resolve));
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 100 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(pattern);
    };
    await tty.resize(120, 40);
    tty.write("stty size; whoami; pwd\n");
    await waitFor(/40 120/);
    await waitFor(/pincer/);
    await waitFor(/\/workspace/);
    tty.write("exit\n");
    await exited;
  });

  it("lists and inspects its sandboxes by label", async () => {
    const info = await env.driver.inspect(env.spec.sessionId);
    expect(info).toMatchObject({ sessionId: env.spec.sessionId, ownerId: "test-owner", state: "running" });
    const all = await env.driver.list();
    expect(all.map((entry) => entry.sessionId)).toContain(env.spec.sessionId);
    expect(await env.driver.inspect("does-not-exist")).toBeNull();
  });
});

describe("docker driver recovery", { timeout: 90_000 }, () => {
  it("reports a container killed mid-command, then ensure() recreates it with the workspace intact", async () => {
    const env = await startTestSandbox();
    try {
      await sh(env.sandbox, "echo keep > kept.txt");
      const docker = new Dockerode();
      // Caught at once: the command may fail before kill() returns.
      const running = sh(env.sandbox, "sleep 60").catch((caught: unknown) => caught);
      await new Promise((r) => setTimeout(r, 500));
      await docker.getContainer(env.sandbox.id).kill();
      const error = await running;
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).code).toBe("died");
      expect((error as SandboxError).message).toMatch(/stopped while the command was running \(exit code 137/);

      const next = await sh(env.sandbox, "true").catch((caught: unknown) => caught);
      expect(next).toBeInstanceOf(SandboxError);

      const stopped = await env.driver.ensure(env.spec);
      expect(stopped.recreated).toBe(true);
      expect(stopped.reason).toMatch(/had stopped \(exit code 137/);
      expect((await sh(stopped.sandbox, "cat kept.txt")).stdout.toString()).toBe("keep\n");

      await env.driver.destroy(env.spec.sessionId);
      const removed = await env.driver.ensure(env.spec);
      expect(removed).toMatchObject({ recreated: true, reason: "the sandbox container was removed" });
      expect((await sh(removed.sandbox, "cat kept.txt")).stdout.toString()).toBe("keep\n");

      const again = await env.driver.ensure(env.spec);
      expect(again.recreated).toBe(false);
    } finally {
      await env.cleanup();
    }
  });

  it("gives a clear error when the engine is unreachable", async () => {
    const driver = createDockerDriver({ docker: new Dockerode({ socketPath: "/nonexistent/docker.sock" }) });
    const error = await driver.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).code).toBe("engine_unreachable");
    expect((error as SandboxError).message).toMatch(/Cannot reach the Docker engine at \/nonexistent\/docker.sock/);
  });

  it("reads DOCKER_HOST and names it when the engine there is unreachable", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "unix:///nonexistent/engine.sock";
    try {
      const driver = createDockerDriver();
      const error = await driver.ensure({ ...baseSpec, sessionId: "unreachable", ownerId: "o", workspaceDir: "/nonexistent" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).code).toBe("engine_unreachable");
      expect((error as SandboxError).message).toMatch(/Cannot reach the Docker engine at \/nonexistent\/engine.sock \(ENOENT\)/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it("falls back to docker exec for an image without the exec server", async () => {
    const env = await startTestSandbox({}, { execServerPath: "/opt/pincer/not-there.py" });
    try {
      expect((await sh(env.sandbox, "echo fallback")).stdout.toString()).toBe("fallback\n");
      expect(await env.driver.execPathOf(env.sandbox.id)).toBe("docker-exec");
    } finally {
      await env.cleanup();
    }
  });

  it("reports a killed exec server without losing the container, and the next call starts a new one", async () => {
    const env = await startTestSandbox();
    try {
      const running = sh(env.sandbox, "sleep 30");
      await new Promise((r) => setTimeout(r, 300));
      // Kill the exec server from outside its process group (a docker exec of its own).
      const docker = new Dockerode();
      const exec = await docker.getContainer(env.sandbox.id).exec({ Cmd: ["pkill", "-KILL", "-f", "exec-server.py"], User: "1000:1000" });
      await exec.start({ Detach: true });
      const error = await running.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).message).toMatch(/exec server stopped while the command was running/);
      expect((await sh(env.sandbox, "echo back")).stdout.toString()).toBe("back\n");
      expect(await env.driver.execPathOf(env.sandbox.id)).toBe("exec-server");
    } finally {
      await env.cleanup();
    }
  });

  it("chowns the workspace for the sandbox user when running as root", async () => {
    const env = await startTestSandbox();
    try {
      expect(existsSync(env.workspaceDir)).toBe(true);
      const result = await sh(env.sandbox, "stat -c %u /workspace");
      if (process.getuid?.() === 0) expect(result.stdout.toString().trim()).toBe("1000");
    } finally {
      await env.cleanup();
    }
  });
});

// The exec server kills from a process that already exists; docker exec needs a free pid to even
// start its kill helper, so on that path a fork bomb ends with the container killed (and recreated
// by ensure()). The fork bomb runs against the exec server, in a container of its own.
describe("docker driver via exec-server: fork bomb", { timeout: 60_000 }, () => {
  const env = useSandboxPerSuite();

  it("contains a fork bomb, reports it, and stays usable", async () => {
    // Generous timeout: on a loaded machine the bomb needs a while to reach 256 processes.
    const result = await env().sandbox.exec({ cmd: FORK_BOMB, timeoutMs: 8_000 });
    expect(result.limitHit).toBe("pids");
    expect(result.stderr.toString()).toMatch(/\[sandbox\] The command hit the sandbox's process limit \(256 processes\)/);
    // The killed group may take a moment to be reaped.
    await expect
      .poll(async () => Number((await sh(env().sandbox, "ps -e --no-headers | wc -l", { timeoutMs: 10_000 })).stdout.toString().trim()), { timeout: 15_000 })
      .toBeLessThan(10);
    expect((await sh(env().sandbox, "echo still-here")).stdout.toString()).toBe("still-here\n");
  });
});

describe("docker driver: resource use", { timeout: 60_000 }, () => {
  const env = useSandboxPerSuite();

  it("reports CPU, memory and processes from the engine, against the sandbox's limits", async () => {
    // 64 MiB on the /tmp tmpfs is memory the sandbox holds; six sleepers and a busy loop outlive the exec.
    await sh(env().sandbox, "head -c 67108864 /dev/zero > /tmp/ballast");
    await sh(env().sandbox, "for i in 1 2 3 4 5 6; do (sleep 61 >/dev/null 2>&1 &); done; (timeout 30 sh -c 'while :; do :; done' >/dev/null 2>&1 &)");
    const usage = await env().driver.stats(env().spec.sessionId);
    expect(usage).toMatchObject({ state: "running", cpuLimit: 1, memoryLimitBytes: 512 * 1024 * 1024, pidsLimit: 256 });
    expect(usage!.memoryBytes).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(usage!.memoryBytes).toBeLessThan(512 * 1024 * 1024);
    expect(usage!.pids).toBeGreaterThanOrEqual(7);
    expect(usage!.cpuPercent).toBeGreaterThan(0);

    // Not the container's own `sleep infinity`; [:] so that pkill's shell does not match itself.
    await sh(env().sandbox, "rm /tmp/ballast; pkill -f '^sleep 61$'; pkill -f 'while [:]'; true");
    const after = await env().driver.stats(env().spec.sessionId);
    expect(after!.memoryBytes).toBeLessThan(usage!.memoryBytes - 32 * 1024 * 1024);
    expect(after!.pids).toBeLessThan(usage!.pids);
  });

  it("has nothing to report for a stopped sandbox or an unknown session", async () => {
    expect(await env().driver.stats("no-such-session")).toBeNull();
    await env().driver.stop(env().spec.sessionId);
    expect(await env().driver.stats(env().spec.sessionId)).toBeNull();
  });
});

describe("docker driver: the exec server's direct socket", { timeout: 60_000 }, () => {
  it("mounts the socket directory read-only, carries frames over it, and removes it with the sandbox", async () => {
    const env = await startTestSandbox();
    try {
      const info = await new Dockerode().getContainer(env.sandbox.id).inspect();
      const mount = info.Mounts.find((entry) => entry.Destination === "/run/pincer");
      expect(mount).toMatchObject({ RW: false });
      expect(existsSync(mount!.Source)).toBe(true);
      expect(await env.driver.execTransportOf(env.sandbox.id)).toBe("socket");
      // Nothing inside can plant a socket (or anything) there; the listener's file is gone once taken.
      const inside = await sh(env.sandbox, "touch /run/pincer/x 2>&1; ls -A /run/pincer; env | grep -c PINCER_EXEC");
      expect(inside.stdout.toString()).toMatch(/Read-only file system\n0\n$/);
      await env.driver.destroy(env.spec.sessionId);
      expect(existsSync(mount!.Source)).toBe(false);
    } finally {
      await env.cleanup();
    }
  });

  it("keeps working on the exec stream when the socket cannot be reached", async () => {
    const env = await startTestSandbox();
    try {
      const info = await new Dockerode().getContainer(env.sandbox.id).inspect();
      const socketDir = info.Mounts.find((entry) => entry.Destination === "/run/pincer")!.Source;
      // Kill the exec server and take the directory away: the next one cannot listen there.
      await sh(env.sandbox, "pkill -f exec-server.py; true").catch(() => undefined);
      await rm(socketDir, { recursive: true, force: true });
      expect((await sh(env.sandbox, "echo via the stream")).stdout.toString()).toBe("via the stream\n");
      expect(await env.driver.execTransportOf(env.sandbox.id)).toBe("stream");
    } finally {
      await env.cleanup();
    }
  });
});
