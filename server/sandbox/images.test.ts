// The sandbox image setting, and a session on the Node + Python variant with real parts: the
// tRPC router, a migrated SQLite file, real containers, the scripted model over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentMembership } from "../auth/workspaces";
import { appRouter } from "../trpc/root";
import type { SessionEvent } from "../agent/events";
import { startSessionHarness, type SessionHarness } from "../../test-support/session-harness";
import { imageListSchema, sandboxImageOptions } from "./images";

const NODE_PYTHON = "pincer-sandbox-node-python:latest";

describe("the sandbox image list", () => {
  it("offers the default first, then the built-in variants and the operator's images, each once", () => {
    const extra = imageListSchema.parse("Rust=registry.example.com:5000/rust-sandbox:1.80, my-go:latest,pincer-sandbox:latest");
    expect(sandboxImageOptions("pincer-sandbox:latest", extra).map((option) => [option.label, option.image])).toEqual([
      ["Base (Debian, git, Python 3)", "pincer-sandbox:latest"],
      ["Node.js + Python", NODE_PYTHON],
      ["Rust", "registry.example.com:5000/rust-sandbox:1.80"],
      ["my-go:latest", "my-go:latest"],
    ]);
    expect(sandboxImageOptions("team/custom:2").map((option) => option.image)).toEqual(["team/custom:2", "pincer-sandbox:latest", NODE_PYTHON]);
  });

  it("refuses an entry that is not an image reference, naming it", () => {
    for (const bad of ["Bad Image Name", "ok:latest,UPPER/case", "Label=", "a;rm -rf /"]) {
      const result = imageListSchema.safeParse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/is not an image reference/);
    }
  });
});

describe("a session on the Node + Python image", { timeout: 120_000 }, () => {
  let harness: SessionHarness;
  let caller: ReturnType<typeof appRouter.createCaller>;

  beforeAll(async () => {
    harness = await startSessionHarness({ services: { sandboxImages: sandboxImageOptions("pincer-sandbox:latest") } });
    const db = harness.services.db;
    caller = appRouter.createCaller({
      user: { id: "local", name: "You", email: "local@local.invalid" },
      membership: await currentMembership(db, "local", null),
      services: harness.services,
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it("lists the images, and refuses one the server does not offer", async () => {
    expect((await caller.sessions.images()).map((option) => option.image)).toEqual(["pincer-sandbox:latest", NODE_PYTHON]);
    await expect(caller.sessions.create({ source: { kind: "empty" }, image: "alpine:latest" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/"alpine:latest" is not one of this server's sandbox images/),
    });
  });

  it("runs node and python3 through the Bash tool, hardened like the base, and reports its resource use", async () => {
    const { id } = await caller.sessions.create({ source: { kind: "empty" }, image: NODE_PYTHON });
    harness.track(id);
    await harness.services.sessions.waitUntilReady(id);
    expect((await caller.sessions.get({ sessionId: id })).image).toBe(NODE_PYTHON);
    expect((await harness.driver.inspect(id))?.image).toBe(NODE_PYTHON);
    await caller.sessions.setMode({ sessionId: id, mode: "bypassPermissions" });

    harness.model.setScript([
      { toolCalls: [{ name: "Bash", input: { command: `node -e "console.log('node', process.version.split('.')[0], 6 * 7)" && npm --version` } }] },
      { toolCalls: [{ name: "Bash", input: { command: `python3 -c "import sys; print('python', sys.version_info[0], 6 * 7)" && python3 -m venv /tmp/venv && /tmp/venv/bin/pip --version` } }] },
      {
        toolCalls: [{
          name: "Bash",
          input: { command: "echo uid=$(id -u); touch /usr/x 2>/dev/null && echo rootfs-writable || echo rootfs-readonly; echo net=$(ls /sys/class/net | tr '\\n' ' ')" },
        }],
      },
      { text: "Both runtimes work." },
    ]);
    await harness.services.sessions.sendMessage(id, "check the runtimes", "You");
    await harness.services.sessions.idle(id);
    expect(harness.model.failures).toEqual([]);

    const results = (await harness.services.sessions.events(id, 0))
      .filter((event): event is Extract<SessionEvent, { type: "tool_result" }> => event.type === "tool_result")
      .map((event) => event.payload);
    expect(results.map((result) => result.isError)).toEqual([false, false, false]);
    expect(results[0]!.output).toMatch(/^node v\d+ 42\n\d+\.\d+\.\d+/);
    expect(results[1]!.output).toMatch(/^python 3 42\npip \d+.*\/tmp\/venv\//);
    // Non-root, read-only root, and no network interface but loopback: as on the base image.
    expect(results[2]!.output.trimEnd()).toBe("uid=1000\nrootfs-readonly\nnet=lo");

    const resources = await caller.sessions.resources({ sessionId: id });
    expect(resources.image).toBe(NODE_PYTHON);
    expect(resources.usage).toMatchObject({ memoryLimitBytes: 512 * 1024 * 1024, pidsLimit: 256, cpuLimit: 1 });
    expect(resources.usage!.memoryBytes).toBeGreaterThan(0);
    expect(resources.usage!.pids).toBeGreaterThan(0);
  });
});
