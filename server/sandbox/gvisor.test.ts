// gVisor for real: sandboxes made by the Docker driver under the runtime scripts/setup.sh registers
// for the suite (runsc with --network=none), checked from inside the way docker.test.ts checks runc.
import { mkdtemp, rm } from "node:fs/promises";
import { release, tmpdir } from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { bashTool } from "../tools/bash";
import { readTool } from "../tools/read";
import { makeToolContext } from "../tools/test-context";
import { writeTool } from "../tools/write";
import { createDockerDriver } from "./docker";
import { expectHardened, FORK_BOMB, lookInside, memoryHog } from "./hardening.test-helpers";
import { SandboxError } from "./sandbox";
import { startTestSandbox, TEST_LABEL_PREFIX, useSandboxPerSuite } from "./test-sandbox";

/** Registered by scripts/setup.sh (setup_test_gvisor); not "runsc", so `auto` keeps runc for other tests. */
const GVISOR_TEST_RUNTIME = "pincer-runsc-test";
const docker = new Dockerode();

/** Fails (never skips) with the way out when the engine lacks the test runtime. */
const requireTestRuntime = async () => {
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  if (info.Runtimes?.[GVISOR_TEST_RUNTIME]) return;
  throw new Error(
    `The Docker engine has no "${GVISOR_TEST_RUNTIME}" runtime (it has: ${Object.keys(info.Runtimes ?? {}).join(", ")}), so gVisor cannot be tested. ` +
      "`./pincer test` run as root sets it up (scripts/setup.sh setup_test_gvisor: apt-get install runsc, a runtimes entry in /etc/docker/daemon.json, dockerd reloaded); see the README's gVisor section to do it by hand.",
  );
};

const startGvisorSandbox = async () => {
  await requireTestRuntime();
  return startTestSandbox({}, { runtime: GVISOR_TEST_RUNTIME });
};

/** Waits for the engine to see the container stopped (gVisor's sandbox ends a moment after the command). */
const waitUntilStopped = async (containerId: string) => {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { State } = await docker.getContainer(containerId).inspect();
    if (!State.Running) return State;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("The sandbox is still running");
};

describe("gVisor sandbox", { timeout: 60_000 }, () => {
  const env = useSandboxPerSuite(startGvisorSandbox);

  it("runs under gVisor's kernel, not the host's", async () => {
    expect(env().sandbox.runtime).toBe(GVISOR_TEST_RUNTIME);
    expect((await docker.getContainer(env().sandbox.id).inspect()).HostConfig.Runtime).toBe(GVISOR_TEST_RUNTIME);
    const view = await lookInside(env().sandbox, { dmesg: "dmesg | head -n 1", kernel: "uname -r", memTotal: "grep MemTotal /proc/meminfo" });
    expect(view.dmesg).toMatch(/Starting gVisor/);
    expect(view.kernel).not.toBe(release());
    // gVisor shows the container's memory limit as all the memory there is.
    expect(view.memTotal).toMatch(/^MemTotal:\s+524288 kB$/);
  });

  it("is hardened as under runc: non-root, no capabilities, no-new-privileges, no network, read-only root", async () => {
    expectHardened(await lookInside(env().sandbox));
    const { HostConfig } = await docker.getContainer(env().sandbox.id).inspect();
    expect(HostConfig).toMatchObject({ NetworkMode: "none", Memory: 512 * 1024 * 1024, PidsLimit: 256, ReadonlyRootfs: true });
  });

  it("runs the Bash tool through the exec server, and host-side file tools share its workspace", async () => {
    expect(await env().driver.execPathOf(env().sandbox.id)).toBe("exec-server");
    // gVisor reaches host Unix sockets only with --host-uds: the frames stay on the exec stream.
    expect(await env().driver.execTransportOf(env().sandbox.id)).toBe("stream");
    const context = makeToolContext(env().sandbox);
    await writeTool.run({ file_path: "/workspace/from-host.txt", content: "written on the host\n" }, context);
    const bash = await bashTool.run({ command: "cat from-host.txt && mkdir -p src && printf 'one\\ntwo\\n' > src/made-inside.txt" }, context);
    expect(bash).toMatchObject({ isError: false, output: "written on the host" });
    const read = await readTool.run({ file_path: "src/made-inside.txt" }, context);
    expect(read.output).toBe("     1\tone\n     2\ttwo");
    // The exec server kills a command's whole process group at its timeout under gVisor too.
    const timedOut = await bashTool.run({ command: "echo start; sleep 60 & sleep 60", timeout: 500 }, context);
    expect(timedOut.output).toBe("start\n[command timed out after 500 ms and was killed]");
    expect((await bashTool.run({ command: "pgrep -c -x sleep || true" }, context)).output).toBe("1");
  });
});

// Docker's memory and pids limits bound the whole gVisor sandbox (its kernel and the processes it
// runs for the container), so a command over them does not fail alone as under runc: the sandbox
// stops, and ensure() starts a fresh one on the same workspace.
describe("gVisor sandbox over its limits", { timeout: 90_000 }, () => {
  it("a memory hog stops the sandbox (OOM killed, said so), and ensure() brings it back with the workspace", async () => {
    const env = await startGvisorSandbox();
    try {
      await env.sandbox.exec({ cmd: ["sh", "-c", "echo keep > kept.txt"] });
      const error = await env.sandbox.exec({ cmd: memoryHog(700), timeoutMs: 30_000 }).catch((caught: unknown) => caught);
      // The command's own exec stream may never end under gVisor; the engine's word that the container stopped ends it.
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).code).toBe("died");
      expect((error as SandboxError).message).toMatch(/stopped while the command was running \(exit code 137, OOM killed, under gVisor the whole sandbox stops/);
      expect((await waitUntilStopped(env.sandbox.id)).OOMKilled).toBe(true);
      const back = await env.driver.ensure(env.spec);
      expect(back.recreated).toBe(true);
      expect(back.reason).toMatch(/had stopped \(exit code 137, OOM killed, under gVisor the whole sandbox stops when its commands run past the memory or process limit\)/);
      expect((await back.sandbox.exec({ cmd: ["cat", "kept.txt"] })).stdout.toString()).toBe("keep\n");
    } finally {
      await env.cleanup();
    }
  });

  it("a fork bomb runs into the pids limit, which stops the sandbox, and ensure() brings it back", async () => {
    const env = await startGvisorSandbox();
    try {
      await env.sandbox.exec({ cmd: FORK_BOMB, timeoutMs: 2_000 }).catch((caught: unknown) => caught);
      const state = await waitUntilStopped(env.sandbox.id);
      expect(state.OOMKilled).toBe(false);
      const back = await env.driver.ensure(env.spec);
      expect(back.recreated).toBe(true);
      expect(back.reason).toMatch(/had stopped \(exit code \d+, under gVisor the whole sandbox stops when its commands run past the memory or process limit\)/);
      const after = await back.sandbox.exec({ cmd: ["sh", "-c", "ps -e --no-headers | wc -l"] });
      expect(Number(after.stdout.toString().trim())).toBeLessThan(10);
    } finally {
      await env.cleanup();
    }
  });
});

describe("gVisor without network", () => {
  it("refuses a sandbox with network egress rather than starting it without network or under runc", async () => {
    await requireTestRuntime();
    const workspaceDir = await mkdtemp(path.join(tmpdir(), "pincer-ws-"));
    const driver = createDockerDriver({ labelPrefix: TEST_LABEL_PREFIX, runtime: GVISOR_TEST_RUNTIME });
    const spec = {
      sessionId: "gvisor-egress",
      ownerId: "test-owner",
      workspaceDir,
      image: "pincer-sandbox:latest",
      network: "bridge" as const,
      memoryBytes: 512 * 1024 * 1024,
      nanoCpus: 1_000_000_000,
      pidsLimit: 256,
    };
    try {
      const error = await driver.create(spec).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).code).toBe("runtime_unavailable");
      expect((error as SandboxError).message).toMatch(/needs network egress, but its runtime pincer-runsc-test is gVisor registered with --network=none/);
      expect(await driver.inspect(spec.sessionId)).toBeNull();
    } finally {
      await driver.dispose();
      await rm(workspaceDir, { recursive: true, force: true });
    }
  });
});
