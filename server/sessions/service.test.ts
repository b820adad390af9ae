// The session service with real parts: a migrated SQLite file, real containers, the real
// Anthropic client against the scripted model server over HTTP.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toAnthropicParams } from "../llm/anthropic";
import { builtinTools, toolSchemas } from "../tools/registry";
import { createMessageProjection } from "../agent/messages";
import { systemPrompt } from "../agent/prompt";
import type { SessionEvent } from "../agent/events";
import type { PermissionMode } from "./approvals";
import type { Services } from "../services";
import { startSessionHarness, type SessionHarness } from "../../test-support/session-harness";
import type { ScriptedModelServer } from "../../test-support/scripted-model";

let harness: SessionHarness;
let model: ScriptedModelServer;
let services: Services;
let dataDir: string;
let driver: SessionHarness["driver"];

beforeAll(async () => {
  harness = await startSessionHarness();
  ({ model, services, dataDir, driver } = harness);
});

afterAll(async () => {
  await harness?.close();
});

// Most tests are not about approvals: their sessions bypass asks (deny rules and the engine still run).
const newSession = async (mode: PermissionMode = "bypassPermissions") => {
  const session = await services.sessions.create({ ownerId: "local", workspaceId: "local", source: { kind: "empty" } });
  harness.track(session.id);
  await services.sessions.waitUntilReady(session.id);
  if (mode !== "default") await services.sessions.setMode(session.id, mode, "test");
  return session.id;
};

const runTurn = async (sessionId: string, text: string) => {
  await services.sessions.sendMessage(sessionId, text, "You");
  await services.sessions.idle(sessionId);
  return services.sessions.events(sessionId, 0);
};

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

describe("session service", () => {
  it("runs a turn with tools in the container, and the log rebuilds exactly the request the model got", async () => {
    const id = await newSession();
    model.setScript([
      { toolCalls: [{ name: "Bash", input: { command: "mkdir -p src && cd src && echo 'x = 1' > a.py && pwd" } }] },
      { toolCalls: [{ name: "Bash", input: { command: "pwd && cat a.py" } }] },
      { text: "All done." },
    ]);
    const events = await runTurn(id, "create a python file");
    expect(model.failures).toEqual([]);
    expect(ofType(events, "sandbox_status").map((e) => e.payload.state)).toEqual(["starting", "ready"]);
    const results = ofType(events, "tool_result");
    expect(results.map((r) => r.payload.isError)).toEqual([false, false]);
    // cwd persisted between calls
    expect(results[1].payload.output).toContain("/workspace/src");
    expect(results[1].payload.output).toContain("x = 1");
    expect(ofType(events, "turn_finished")[0].payload.reason).toBe("end_turn");
    expect(await readFile(path.join(dataDir, "workspaces", id, "src/a.py"), "utf8")).toBe("x = 1\n");

    // The first prompt carried the environment note, and the rebuilt request matches byte for byte.
    const lastAssistant = events.findLastIndex((e) => e.type === "assistant_message");
    const messages = createMessageProjection(events.slice(0, lastAssistant)).messages();
    const rebuilt = toAnthropicParams({ model: "claude-scripted", system: systemPrompt, tools: toolSchemas(builtinTools), messages, maxTokens: 16_000 });
    const sent = model.requests.at(-1)!.body as Record<string, unknown>;
    expect(JSON.stringify(sent.messages)).toBe(JSON.stringify(rebuilt.messages));
    expect(JSON.stringify(sent.messages)).toContain("<environment>");
  });

  it("a tool call with invalid JSON arguments becomes an error result the model recovers from", async () => {
    const id = await newSession();
    model.setScript([
      { toolCalls: [{ name: "Bash", rawArguments: '{"command": "echo hi' }] },
      { expect: { toolResultIncludes: "not valid JSON" }, toolCalls: [{ name: "Bash", input: { command: "echo recovered" } }] },
      { text: "Recovered." },
    ]);
    const events = await runTurn(id, "go");
    expect(model.failures).toEqual([]);
    expect(ofType(events, "tool_result").map((r) => r.payload.isError)).toEqual([true, false]);
    expect(ofType(events, "turn_finished")[0].payload.reason).toBe("end_turn");
  });

  it("bounds huge output, describes binary output, and refuses paths outside the workspace", async () => {
    const id = await newSession();
    model.setScript([
      {
        toolCalls: [
          { name: "Bash", input: { command: "head -c 3000000 /dev/zero | tr '\\0' a; echo; echo THE-END" } },
        ],
      },
      { toolCalls: [{ name: "Bash", input: { command: "head -c 4000 /bin/ls" } }] },
      { toolCalls: [{ name: "Read", input: { file_path: "/etc/passwd" } }] },
      { text: "ok" },
    ]);
    const events = await runTurn(id, "stress the tools");
    const [huge, binary, outside] = ofType(events, "tool_result").map((r) => r.payload);
    expect(huge.output.length).toBeLessThan(40_000);
    expect(huge.output).toContain("THE-END");
    expect(huge.output).toMatch(/cut/);
    expect(binary.output).toMatch(/binary/i);
    expect(binary.output).not.toContain("\u0000");
    expect(outside.isError).toBe(true);
    expect(outside.output).toMatch(/outside the workspace/);
  });

  it("a provider that keeps failing ends the turn with a visible error; the next message works", async () => {
    const id = await newSession();
    model.setScript([
      { error: { status: 500 } },
      { error: { status: 500 } },
      { error: { status: 500 } },
      { error: { status: 500 } },
    ]);
    let events = await runTurn(id, "hello");
    const error = ofType(events, "error").at(-1)!;
    expect(error.payload.kind).toBe("server");
    expect(error.payload.message).toMatch(/500/);
    expect(ofType(events, "turn_finished").at(-1)!.payload.reason).toBe("error");

    model.setScript([{ text: "I'm back." }]);
    events = await runTurn(id, "again");
    expect(ofType(events, "assistant_message").at(-1)!.payload.content).toEqual([{ type: "text", text: "I'm back." }]);
    expect(ofType(events, "turn_finished").at(-1)!.payload.reason).toBe("end_turn");
  });

  it("a killed container is reported and recreated with the workspace intact", async () => {
    const id = await newSession();
    await writeFile(path.join(dataDir, "workspaces", id, "keep.txt"), "precious\n");
    const info = await driver.inspect(id);
    expect(info?.state).toBe("running");
    await driver.stop(id);

    model.setScript([{ toolCalls: [{ name: "Bash", input: { command: "cat keep.txt" } }] }, { text: "still here" }]);
    const events = await runTurn(id, "is my file there?");
    const status = ofType(events, "sandbox_status").at(-1)!;
    expect(status.payload.state).toBe("recreated");
    expect(ofType(events, "tool_result").at(-1)!.payload.output).toContain("precious");
  });

  it("after a restart mid-turn, the turn continues: a started call is answered as interrupted, an unstarted one runs", async () => {
    const id = await newSession();
    const db = services.db;
    await services.eventLog.append(id, "user_message", { text: "work", author: "You" });
    await services.eventLog.append(id, "turn_started", { turn: 1, model: "m", provider: "anthropic" });
    await services.eventLog.append(id, "assistant_message", {
      content: [
        { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "sleep 100" } },
        { type: "tool_use", id: "toolu_2", name: "Bash", input: { command: "echo second-call-ran" } },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1 },
      model: "m",
    });
    await services.eventLog.append(id, "tool_call", { toolUseId: "toolu_1", name: "Bash", input: { command: "sleep 100" } });
    await services.eventLog.append(id, "tool_call", { toolUseId: "toolu_2", name: "Bash", input: { command: "echo second-call-ran" } });
    await services.eventLog.append(id, "tool_started", { toolUseId: "toolu_1" });
    await db.session.update({ where: { id }, data: { status: "running" } });

    // A fresh service, as after a restart.
    model.setScript([{ expect: { toolResultIncludes: "second-call-ran" }, text: "Continuing after the restart." }]);
    expect(await services.sessions.recover()).toBeGreaterThanOrEqual(1);
    await services.sessions.idle(id);
    const events = await services.sessions.events(id, 0);
    expect(model.failures).toEqual([]);
    const results = ofType(events, "tool_result").map((r) => r.payload);
    expect(results).toMatchObject([
      { toolUseId: "toolu_1", isError: true, output: expect.stringContaining("Pincer restarted") },
      { toolUseId: "toolu_2", isError: false, output: expect.stringContaining("second-call-ran") },
    ]);
    expect(ofType(events, "tool_call")).toHaveLength(2); // not announced twice
    expect(ofType(events, "turn_finished").at(-1)!.payload.reason).toBe("end_turn");
    expect((await db.session.findUnique({ where: { id } }))?.status).toBe("idle");
  });

  describe("approvals", () => {
    const waitFor = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
      for (let i = 0; i < 200; i += 1) {
        const value = await probe();
        if (value !== undefined) return value;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const pendingRequest = (id: string) =>
      waitFor(async () => {
        const events = await services.sessions.events(id, 0);
        const answered = new Set(ofType(events, "permission_decision").map((e) => e.payload.requestId));
        return ofType(events, "permission_request").find((e) => !answered.has(e.payload.requestId));
      }, "a permission request");

    it("an ask pauses the call until someone allows it once; the session shows it is waiting", async () => {
      const id = await newSession("default");
      model.setScript([{ toolCalls: [{ name: "Bash", input: { command: "touch approved.txt" } }] }, { text: "done" }]);
      await services.sessions.sendMessage(id, "make a file", "You");
      const request = await pendingRequest(id);
      expect(request.payload).toMatchObject({ toolName: "Bash", input: { command: "touch approved.txt" }, dangerous: false });
      expect(request.payload.suggestedRules).toEqual(["Bash(touch approved.txt)"]);
      expect((await services.db.session.findUnique({ where: { id } }))?.status).toBe("waiting");
      expect(await services.sessions.answerPermission(id, request.payload.requestId, { choice: "allow_once", by: "Ada" })).toBe(true);
      await services.sessions.idle(id);
      const events = await services.sessions.events(id, 0);
      expect(ofType(events, "permission_decision")[0].payload).toMatchObject({ choice: "allow_once", by: "Ada" });
      expect(ofType(events, "tool_result")[0].payload.isError).toBe(false);
      await expect(readFile(path.join(dataDir, "workspaces", id, "approved.txt"), "utf8")).resolves.toBe("");
      // An answer to a request nobody waits on any more is refused.
      expect(await services.sessions.answerPermission(id, request.payload.requestId, { choice: "deny", by: "Ada" })).toBe(false);
    });

    it("a denial sends the person's message to the agent", async () => {
      const id = await newSession("default");
      model.setScript([
        { toolCalls: [{ name: "Bash", input: { command: "rm -rf build" } }] },
        { expect: { toolResultIncludes: "use make clean instead" }, text: "Understood." },
      ]);
      await services.sessions.sendMessage(id, "clean up", "You");
      const request = await pendingRequest(id);
      await services.sessions.answerPermission(id, request.payload.requestId, { choice: "deny", message: "use make clean instead", by: "Ada" });
      await services.sessions.idle(id);
      expect(model.failures).toEqual([]);
      const result = ofType(await services.sessions.events(id, 0), "tool_result")[0].payload;
      expect(result).toMatchObject({ isError: true, output: expect.stringContaining("denied") });
    });

    it("always-in-this-project writes the rule to .pincer/settings.json and the next call runs without asking", async () => {
      const id = await newSession("default");
      model.setScript([
        { toolCalls: [{ name: "Bash", input: { command: "npm run build --silent" } }] },
        { toolCalls: [{ name: "Bash", input: { command: "npm run build -- --watch=false" } }] },
        { text: "built" },
      ]);
      await services.sessions.sendMessage(id, "build", "You");
      const request = await pendingRequest(id);
      expect(request.payload.suggestedRules).toEqual(["Bash(npm run build:*)"]);
      await services.sessions.answerPermission(id, request.payload.requestId, { choice: "allow_project", by: "Ada" });
      await services.sessions.idle(id);
      const settings = JSON.parse(await readFile(path.join(dataDir, "workspaces", id, ".pincer/settings.json"), "utf8"));
      expect(settings.permissions.allow).toEqual(["Bash(npm run build:*)"]);
      const events = await services.sessions.events(id, 0);
      expect(ofType(events, "permission_request")).toHaveLength(1);
      expect(ofType(events, "tool_result")).toHaveLength(2);
    });

    it("plan mode refuses writing tools without asking", async () => {
      const id = await newSession("plan");
      model.setScript([{ toolCalls: [{ name: "Write", input: { file_path: "/workspace/x.txt", content: "x" } }] }, { text: "ok, planning only" }]);
      const events = await runTurn(id, "write x");
      expect(ofType(events, "permission_request")).toHaveLength(0);
      expect(ofType(events, "tool_result")[0].payload).toMatchObject({ isError: true, output: expect.stringContaining("Permission denied") });
    });

    it("AskUserQuestion waits for a person's answer, which becomes the tool result", async () => {
      const id = await newSession("default");
      model.setScript([
        { toolCalls: [{ name: "AskUserQuestion", input: { questions: [{ question: "Which database?", options: [{ label: "SQLite" }, { label: "PostgreSQL" }] }] } }] },
        { expect: { toolResultIncludes: "PostgreSQL" }, text: "PostgreSQL it is." },
      ]);
      await services.sessions.sendMessage(id, "set up a database", "You");
      const question = await waitFor(async () => ofType(await services.sessions.events(id, 0), "question")[0], "a question");
      expect(await services.sessions.answerQuestion(id, question.payload.requestId, ["PostgreSQL"], "Ada")).toBe(true);
      await services.sessions.idle(id);
      expect(model.failures).toEqual([]);
      expect(ofType(await services.sessions.events(id, 0), "permission_request")).toHaveLength(0);
    });

    it("in plan mode ExitPlanMode asks; approving it leaves plan mode", async () => {
      const id = await newSession("plan");
      model.setScript([
        { toolCalls: [{ name: "ExitPlanMode", input: { plan: "1. Add a test\n2. Fix the bug" } }] },
        { expect: { toolResultIncludes: "out of plan mode" }, toolCalls: [{ name: "Bash", input: { command: "touch fixed.txt" } }] },
        { text: "Done." },
      ]);
      await services.sessions.sendMessage(id, "fix it", "You");
      const request = await pendingRequest(id);
      expect(request.payload.toolName).toBe("ExitPlanMode");
      await services.sessions.answerPermission(id, request.payload.requestId, { choice: "allow_once", by: "Ada" });
      // Out of plan mode the next command is checked in default mode: it asks again (not refused).
      const next = await pendingRequest(id);
      expect(next.payload.toolName).toBe("Bash");
      await services.sessions.answerPermission(id, next.payload.requestId, { choice: "allow_once", by: "Ada" });
      await services.sessions.idle(id);
      expect(model.failures).toEqual([]);
      expect(await services.sessions.mode(id)).toBe("default");
    });

    it("an unanswered approval survives a restart, and answering it then continues the turn", async () => {
      const id = await newSession("default");
      await services.eventLog.append(id, "user_message", { text: "work", author: "You" });
      await services.eventLog.append(id, "turn_started", { turn: 1, model: "m", provider: "anthropic" });
      await services.eventLog.append(id, "assistant_message", {
        content: [{ type: "tool_use", id: "toolu_p", name: "Bash", input: { command: "touch after-restart.txt" } }],
        stopReason: "tool_use",
        usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1 },
        model: "m",
      });
      await services.eventLog.append(id, "tool_call", { toolUseId: "toolu_p", name: "Bash", input: { command: "touch after-restart.txt" } });
      await services.eventLog.append(id, "permission_request", {
        requestId: "req-restart", toolUseId: "toolu_p", toolName: "Bash", input: { command: "touch after-restart.txt" },
        reason: "needs approval", rule: null, dangerous: false, suggestedRules: [],
      });
      await services.db.session.update({ where: { id }, data: { status: "waiting" } });

      model.setScript([{ expect: { toolResultIncludes: "" }, text: "Continued." }]);
      await services.sessions.recover();
      // Answered at once, before the resumed turn has reached the call again: the answer waits for it.
      expect(await services.sessions.answerPermission(id, "req-restart", { choice: "allow_once", by: "Ada" })).toBe(true);
      await services.sessions.idle(id);
      const events = await services.sessions.events(id, 0);
      expect(ofType(events, "permission_request")).toHaveLength(1); // not asked twice
      expect(ofType(events, "tool_result").at(-1)!.payload).toMatchObject({ toolUseId: "toolu_p", isError: false });
      await expect(readFile(path.join(dataDir, "workspaces", id, "after-restart.txt"), "utf8")).resolves.toBe("");
      expect(ofType(events, "turn_finished").at(-1)!.payload.reason).toBe("end_turn");
    });
  });

  it("garbage-collects sandboxes of sessions it no longer has, and only its own", async () => {
    const spec = (sessionId: string, workspaceDir: string) => ({
      sessionId, ownerId: "local", workspaceDir, image: "pincer-sandbox:latest", network: "none" as const, memoryBytes: 256 * 1024 * 1024, nanoCpus: 5e8, pidsLimit: 64,
    });
    // Random ids: a run of this test elsewhere on the same engine must not collide with this one.
    const gone = `gone-${randomUUID().slice(0, 8)}`;
    const foreign = `foreign-${randomUUID().slice(0, 8)}`;
    const orphanDir = path.join(dataDir, "workspaces", gone);
    const foreignDir = await mkdtemp(path.join(tmpdir(), "other-install-"));
    await mkdir(orphanDir, { recursive: true });
    await driver.create(spec(gone, orphanDir));
    await driver.create(spec(foreign, foreignDir));
    harness.track(foreign);
    const live = await newSession();

    expect(await services.sessions.collectOrphans()).toEqual([gone]);
    expect(await driver.inspect(gone)).toBeNull();
    expect((await driver.inspect(foreign))?.state).toBe("running");
    expect((await driver.inspect(live))?.state).toBe("running");
  });

  it("without a provider the turn explains what to do", async () => {
    const id = await newSession();
    // A session whose workspace has no provider configured.
    const db = services.db;
    await db.workspace.upsert({ where: { id: "other" }, update: {}, create: { id: "other", name: "Other" } });
    await db.session.update({ where: { id }, data: { workspaceId: "other" } });
    const events = await runTurn(id, "hello");
    expect(ofType(events, "error").at(-1)!.payload).toMatchObject({ kind: "no_provider" });
  });
});
