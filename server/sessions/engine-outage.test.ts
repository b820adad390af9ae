// Sessions through engine trouble, with real parts: the session service on a SQLite file, the
// scripted model over HTTP, and the real engine behind a proxy the test cuts and restores.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SessionEvent } from "../agent/events";
import { createDockerDriver, type DockerSandboxDriver } from "../sandbox/docker";
import { TEST_LABEL_PREFIX } from "../sandbox/test-sandbox";
import type { Services } from "../services";
import { startDockerProxy, type DockerProxy } from "../../test-support/docker-proxy";
import { startSessionHarness, type SessionHarness } from "../../test-support/session-harness";
import type { ScriptedModelServer } from "../../test-support/scripted-model";

let proxy: DockerProxy;
let driver: DockerSandboxDriver;
let harness: SessionHarness;
let model: ScriptedModelServer;
let services: Services;
const direct = new Dockerode();

beforeAll(async () => {
  proxy = await startDockerProxy();
  driver = createDockerDriver({
    docker: new Dockerode({ host: "127.0.0.1", port: proxy.port }),
    labelPrefix: TEST_LABEL_PREFIX,
    health: { okIntervalMs: 500, retryMs: 100, maxRetryMs: 500, log: { warn: () => {}, log: () => {} } },
  });
  harness = await startSessionHarness({ services: { driver } });
  ({ model, services } = harness);
});

// A failed test must not leave the engine cut for the next one.
afterEach(async () => {
  await proxy.restore();
});

afterAll(async () => {
  await harness?.close();
  await driver?.dispose();
  await proxy?.close();
});

const newSession = async () => {
  const session = await services.sessions.create({ ownerId: "local", workspaceId: "local", source: { kind: "empty" } });
  harness.track(session.id);
  await services.sessions.waitUntilReady(session.id);
  await services.sessions.setMode(session.id, "bypassPermissions", "test");
  await writeFile(path.join(harness.dataDir, "workspaces", session.id, "keep.txt"), "precious\n");
  return session.id;
};

const runTurn = async (sessionId: string, text: string) => {
  const before = (await services.sessions.events(sessionId, 0)).at(-1)?.seq ?? 0;
  await services.sessions.sendMessage(sessionId, text, "You");
  await services.sessions.idle(sessionId);
  return services.sessions.events(sessionId, before);
};

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

/** The session's container, found past the proxy (it may be cut). */
const containerOf = async (sessionId: string) => direct.getContainer((await harness.driver.inspect(sessionId))!.id);

describe("sessions and the engine", { timeout: 120_000 }, () => {
  it("an outage fails the tool call clearly and stops the turn; after an engine restart the next turn works in a new container", async () => {
    const id = await newSession();
    model.setScript([{ text: "Hello." }]);
    await runTurn(id, "hi");
    expect((await services.db.session.findUniqueOrThrow({ where: { id } })).status).toBe("idle");

    await proxy.cut();
    model.setScript([{ toolCalls: [{ name: "Bash", input: { command: "cat keep.txt" } }] }, { text: "not asked: the turn stops first" }]);
    let events = await runTurn(id, "show me keep.txt");
    const failed = ofType(events, "tool_result").at(-1)!.payload;
    expect(failed.isError).toBe(true);
    expect(failed.output).toMatch(new RegExp(`Cannot reach the Docker engine at 127\\.0\\.0\\.1:${proxy.port} \\((ECONNREFUSED|ECONNRESET)\\)`));
    // One clear notice, not a second one from the checkpoint that could not be taken.
    expect(ofType(events, "error").map((e) => e.payload.kind)).toEqual(["engine_unreachable"]);
    const notice = ofType(events, "error")[0]!.payload;
    expect(notice.message).toMatch(/^This turn stopped: Cannot reach the Docker engine .* The workspace is kept; once the engine answers again, send a message to continue\.$/);
    expect(ofType(events, "turn_finished").at(-1)!.payload.reason).toBe("error");
    expect(model.remaining).toBe(1);
    await expect.poll(() => driver.health.current().state).toBe("unreachable");

    // What a dockerd restart does to the session's container while the engine is away.
    await (await containerOf(id)).kill();
    await proxy.restore();
    await expect.poll(() => driver.health.current().state).toBe("ok");

    model.setScript([{ toolCalls: [{ name: "Bash", input: { command: "cat keep.txt" } }] }, { text: "It is there." }]);
    events = await runTurn(id, "again please");
    expect(model.failures).toEqual([]);
    const result = ofType(events, "tool_result").at(-1)!.payload;
    expect(result.isError).toBe(false);
    expect(result.output).toContain("precious");
    const recreated = ofType(events, "sandbox_status").at(-1)!.payload;
    expect(recreated).toMatchObject({ state: "recreated", runtime: await driver.runtime() });
    expect(recreated.message).toMatch(/^The sandbox container had stopped \(exit code 137\); a new container was started with the workspace intact\.$/);
    expect(ofType(events, "turn_finished").at(-1)!.payload.reason).toBe("end_turn");
  });

  it("a container that died while idle is recreated on its next use, the call succeeds and the user is told", async () => {
    const id = await newSession();
    model.setScript([{ text: "Hello." }]);
    await runTurn(id, "hi");
    await (await containerOf(id)).remove({ force: true });

    model.setScript([{ toolCalls: [{ name: "Bash", input: { command: "cat keep.txt" } }] }, { text: "Still there." }]);
    const events = await runTurn(id, "is my file there?");
    const result = ofType(events, "tool_result").at(-1)!.payload;
    expect(result.isError).toBe(false);
    expect(result.output).toContain("precious");
    expect(ofType(events, "sandbox_status").at(-1)!.payload.message).toBe(
      "The sandbox container was removed; a new container was started with the workspace intact.",
    );
  });

  it("the session records the runtime its container got", async () => {
    const id = await newSession();
    const ready = ofType(await services.sessions.events(id, 0), "sandbox_status").find((e) => e.payload.state === "ready")!;
    const runtime = await driver.runtime();
    expect(ready.payload.runtime).toBe(runtime);
    expect(ready.payload.message).toBe(`Sandbox ready (pincer-sandbox:latest, runtime ${runtime}).`);
  });
});
