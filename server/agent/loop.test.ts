import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ModelError, type ModelClient, type ModelRequest, type ModelResponse } from "../llm/model-client";
import { defineTool, ToolError, type Tool } from "../tools/tool";
import type { Sandbox } from "../sandbox/sandbox";
import { widenEvent, type PersistedEventPayloads, type PersistedEventType, type SessionEvent } from "./events";
import { runTurn, type TurnOptions } from "./loop";
import { createMessageProjection } from "./messages";

const usage = { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 2 };

/** A model whose choices are scripted; each request is kept for assertions. */
const scriptedClient = (replies: Array<ModelResponse | Error | ((request: ModelRequest, signal: AbortSignal) => Promise<ModelResponse>)>) => {
  const requests: ModelRequest[] = [];
  const client: ModelClient = {
    provider: "anthropic",
    async stream(request, { signal, onDelta }) {
      requests.push(structuredClone(request));
      const next = replies.shift();
      if (!next) throw new Error("script ran out");
      if (next instanceof Error) throw next;
      if (typeof next === "function") return next(request, signal);
      for (const block of next.content) if (block.type === "text") onDelta?.({ type: "text", text: block.text });
      return next;
    },
  };
  return { client, requests };
};

const reply = (content: ModelResponse["content"], stopReason: ModelResponse["stopReason"] = "tool_use"): ModelResponse => ({ content, stopReason, usage });
const text = (t: string) => reply([{ type: "text", text: t }], "end_turn");
const call = (id: string, name: string, input: unknown, invalidJson?: string) => ({ type: "tool_use" as const, id, name, input, invalidJson });

const echo = defineTool({
  name: "Echo",
  description: "echo",
  inputSchema: z.object({ text: z.string() }),
  readOnly: true,
  permissionKey: (input) => input.text,
  run: async (input) => ({ output: `echo:${input.text}`, isError: false }),
});

const harness = (client: ModelClient, tools: Tool[] = [echo], extra: Partial<TurnOptions> = {}) => {
  const events: SessionEvent[] = [];
  const record = async <T extends PersistedEventType>(type: T, payload: PersistedEventPayloads[T]) => {
    const event = { seq: events.length + 1, type, payload, createdAt: new Date(0).toISOString() } as SessionEvent<T>;
    events.push(widenEvent(event));
    return event;
  };
  const projection = createMessageProjection([
    { seq: 0, type: "user_message", payload: { text: "do it", author: "u" }, createdAt: "" } as SessionEvent,
  ]);
  const options: TurnOptions = {
    client,
    model: "m",
    system: "sys",
    tools,
    toolSchemas: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: {} })),
    toolContext: { sandbox: {} as Sandbox, sessionId: "s", shell: { cwd: "/workspace" }, readFiles: new Map(), limits: { maxOutputChars: 1000 } },
    projection,
    record,
    live: { text: () => undefined, thinking: () => undefined, toolOutput: () => undefined, retrying: () => undefined },
    signal: new AbortController().signal,
    maxSteps: 10,
    maxTokens: 100,
    ...extra,
  };
  return { options, events, types: () => events.map((e) => e.type) };
};

describe("runTurn", () => {
  it("runs a tool and feeds its result back until the model ends its turn", async () => {
    const { client, requests } = scriptedClient([reply([call("t1", "Echo", { text: "hi" })]), text("done")]);
    const h = harness(client);
    const result = await runTurn(h.options);
    expect(result).toMatchObject({ reason: "end_turn", steps: 2 });
    expect(h.types()).toEqual(["assistant_message", "tool_call", "tool_started", "tool_result", "assistant_message"]);
    expect(requests[1].messages.at(-1)).toEqual({ role: "user", content: [{ type: "tool_result", toolUseId: "t1", content: "echo:hi", isError: false }] });
    expect(result.usage.inputTokens).toBe(20);
  });

  it("rebuilding the messages from the recorded events gives exactly what the model was sent", async () => {
    const { client, requests } = scriptedClient([reply([call("t1", "Echo", { text: "a" }), call("t2", "Echo", { text: "b" })]), text("ok")]);
    const h = harness(client);
    await runTurn(h.options);
    const first = { seq: 0, type: "user_message", payload: { text: "do it", author: "u" }, createdAt: "" } as SessionEvent;
    const rebuilt = createMessageProjection([first, ...h.events]).messages();
    expect(rebuilt.slice(0, -1)).toEqual(requests[1].messages);
  });

  it("turns an unknown tool, invalid JSON and a schema failure into error results the model sees", async () => {
    const { client, requests } = scriptedClient([
      reply([call("t1", "Nope", {}), call("t2", "Echo", {}, '{"text": "unterminated'), call("t3", "Echo", { text: 5 })]),
      text("recovered"),
    ]);
    const h = harness(client);
    const result = await runTurn(h.options);
    expect(result.reason).toBe("end_turn");
    const results = requests[1].messages.at(-1)!.content;
    expect(results).toHaveLength(3);
    expect(results.map((r) => (r.type === "tool_result" ? r.isError : null))).toEqual([true, true, true]);
    const texts = results.map((r) => (r.type === "tool_result" ? r.content : ""));
    expect(texts[0]).toContain('Unknown tool "Nope"');
    expect(texts[1]).toContain("not valid JSON");
    expect(texts[2]).toContain("Invalid input for Echo");
  });

  it("reports a tool that throws as an error result", async () => {
    const broken = defineTool({ ...echo, name: "Broken", run: async () => { throw new Error("kaboom"); } });
    const refusing = defineTool({ ...echo, name: "Refusing", run: async () => { throw new ToolError("not like that"); } });
    const { client, requests } = scriptedClient([reply([call("t1", "Broken", { text: "x" }), call("t2", "Refusing", { text: "x" })]), text("ok")]);
    await runTurn(harness(client, [broken, refusing]).options);
    const contents = requests[1].messages.at(-1)!.content.map((r) => (r.type === "tool_result" ? r.content : ""));
    expect(contents).toEqual(["Broken failed: kaboom", "not like that"]);
  });

  it("runs read-only calls in parallel and writing calls one after another", async () => {
    const log: string[] = [];
    const slow = (name: string, readOnly: boolean) =>
      defineTool({
        ...echo,
        name,
        readOnly,
        run: async (input) => {
          log.push(`start ${input.text}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          log.push(`end ${input.text}`);
          return { output: "", isError: false };
        },
      });
    const reader = slow("Reader", true);
    const writer = slow("Writer", false);
    const parallel = scriptedClient([reply([call("a", "Reader", { text: "1" }), call("b", "Reader", { text: "2" })]), text("ok")]);
    await runTurn(harness(parallel.client, [reader, writer]).options);
    expect(log.slice(0, 2)).toEqual(["start 1", "start 2"]);
    log.length = 0;
    const serial = scriptedClient([reply([call("a", "Reader", { text: "1" }), call("b", "Writer", { text: "2" })]), text("ok")]);
    await runTurn(harness(serial.client, [reader, writer]).options);
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("ends with a visible error event when the provider fails", async () => {
    const { client } = scriptedClient([new ModelError("rate_limit", "Rate limited (429) after 4 attempts")]);
    const h = harness(client);
    const result = await runTurn(h.options);
    expect(result.reason).toBe("error");
    expect(h.events.at(-1)).toMatchObject({ type: "error", payload: { kind: "rate_limit", message: "Rate limited (429) after 4 attempts" } });
  });

  it("stops after the same failing call repeats", async () => {
    const failing = reply([call("t", "Echo", { text: 1 })]);
    const { client } = scriptedClient([failing, failing, failing, failing]);
    const h = harness(client);
    const result = await runTurn(h.options);
    expect(result).toMatchObject({ reason: "repeated_failure", steps: 3 });
    expect(h.events.at(-1)).toMatchObject({ type: "error", payload: { kind: "repeated_failure" } });
  });

  it("stops at the step limit", async () => {
    const loop = () => reply([call(`t${Math.random()}`, "Echo", { text: "again" })]);
    const { client } = scriptedClient([loop(), loop(), loop()]);
    const result = await runTurn(harness(client, [echo], { maxSteps: 2 }).options);
    expect(result).toMatchObject({ reason: "max_steps", steps: 2 });
  });

  it("reports a reply cut at max_tokens", async () => {
    const { client } = scriptedClient([reply([{ type: "text", text: "partial" }], "max_tokens")]);
    const h = harness(client);
    expect((await runTurn(h.options)).reason).toBe("max_tokens");
    expect(h.events.at(-1)).toMatchObject({ type: "error", payload: { kind: "max_tokens" } });
  });

  it("an empty reply ends the turn without crashing", async () => {
    const { client } = scriptedClient([reply([], "end_turn")]);
    const h = harness(client);
    expect((await runTurn(h.options)).reason).toBe("end_turn");
  });

  it("abort during a tool run answers every call and ends as aborted", async () => {
    const controller = new AbortController();
    const hanging = defineTool({
      ...echo,
      name: "Hang",
      readOnly: false,
      run: (_input, context) =>
        new Promise((resolve) => {
          context.signal.addEventListener("abort", () => resolve({ output: "killed", isError: true }));
        }),
    });
    const { client } = scriptedClient([reply([call("t1", "Hang", { text: "" }), call("t2", "Echo", { text: "later" })])]);
    const h = harness(client, [hanging, echo], { signal: controller.signal });
    const running = runTurn(h.options);
    setTimeout(() => controller.abort(), 20);
    const result = await running;
    expect(result.reason).toBe("aborted");
    const results = h.events.filter((e) => e.type === "tool_result").map((e) => e.type === "tool_result" && e.payload);
    expect(results).toMatchObject([{ toolUseId: "t1", isError: true }, { toolUseId: "t2", isError: true, output: expect.stringContaining("Not run") }]);
  });

  it("abort during the model stream ends as aborted without an error event", async () => {
    const controller = new AbortController();
    const { client } = scriptedClient([
      (_request, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new ModelError("aborted", "aborted")))),
    ]);
    const h = harness(client, [echo], { signal: controller.signal });
    const running = runTurn(h.options);
    setTimeout(() => controller.abort(), 10);
    expect((await running).reason).toBe("aborted");
    expect(h.types()).toEqual([]);
  });
});

describe("runTurn resuming an interrupted turn", () => {
  it("runs the calls of the last reply that have no result, then asks the model again", async () => {
    const { client, requests } = scriptedClient([text("resumed")]);
    const h = harness(client);
    const pending = call("t9", "Echo", { text: "late" });
    h.options.projection.apply({ seq: 1, type: "assistant_message", payload: { content: [pending], stopReason: "tool_use", usage, model: "m" }, createdAt: "" } as SessionEvent);
    const result = await runTurn({ ...h.options, pendingCalls: { calls: [pending], announced: new Set(["t9"]) } });
    expect(result.reason).toBe("end_turn");
    expect(h.types()).toEqual(["tool_started", "tool_result", "assistant_message"]);
    expect(requests[0].messages.at(-1)?.content).toEqual([{ type: "tool_result", toolUseId: "t9", content: "echo:late", isError: false }]);
  });
});
