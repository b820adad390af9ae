// The behaviour every provider adapter must show against the scripted model server: one suite,
// run by anthropic.test.ts, openai.test.ts and openai-compatible.test.ts with the real SDK clients.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createModelClient } from "../../server/llm/create-model-client";
import { type ModelClient, type ModelDelta, ModelError, type ModelRequest, type ProviderConfig } from "../../server/llm/model-client";
import type { RetryOptions } from "../../server/llm/retry";
import { type ScriptedModelServer, startScriptedModelServer } from "./server";

export const baseRequest = (overrides: Partial<ModelRequest> = {}): ModelRequest => ({
  model: "scripted-1",
  system: "You are a careful coding agent.",
  tools: [
    { name: "bash", description: "Run a shell command", inputSchema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] } },
    { name: "read", description: "Read a file", inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
  ],
  messages: [{ role: "user", content: [{ type: "text", text: "List the files, please." }] }],
  maxTokens: 1024,
  ...overrides,
});

export type AdapterHarness = {
  server: ScriptedModelServer;
  sleeps: number[];
  client(retry?: RetryOptions | false): ModelClient;
  run(client?: ModelClient, request?: ModelRequest, signal?: AbortSignal): Promise<{ response: Awaited<ReturnType<ModelClient["stream"]>>; deltas: ModelDelta[] }>;
  failure(promise: Promise<unknown>): Promise<ModelError>;
};

/** Starts a scripted server for the suite and gives helpers to build clients against it. */
export function useAdapterHarness(config: (url: string) => ProviderConfig): AdapterHarness {
  const harness = { sleeps: [] as number[] } as AdapterHarness;
  beforeAll(async () => {
    harness.server = await startScriptedModelServer({ logFailures: false });
  });
  afterAll(async () => {
    await harness.server.close();
  });
  beforeEach(() => {
    harness.server.reset();
    harness.sleeps.length = 0;
  });
  harness.client = (retry = {}) =>
    createModelClient(config(harness.server.url), {
      retry:
        retry === false
          ? false
          : {
              stallTimeoutMs: 400,
              sleep: async (ms) => {
                harness.sleeps.push(ms);
              },
              ...retry,
            },
    });
  harness.run = async (client = harness.client(), request = baseRequest(), signal = new AbortController().signal) => {
    const deltas: ModelDelta[] = [];
    const response = await client.stream(request, { signal, onDelta: (delta) => deltas.push(delta) });
    return { response, deltas };
  };
  harness.failure = async (promise) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  };
  return harness;
}

export function describeAdapterContract(name: string, config: (url: string) => ProviderConfig, providerName: RegExp) {
  describe(`${name} adapter against the scripted model server`, () => {
    const h = useAdapterHarness(config);

    it("streams text as several deltas", async () => {
      h.server.setScript([{ text: "Here are the files in the workspace root." }]);
      const { response, deltas } = await h.run();
      const textDeltas = deltas.filter((delta) => delta.type === "text");
      expect(textDeltas.length).toBeGreaterThan(1);
      expect(textDeltas.map((delta) => delta.text).join("")).toBe("Here are the files in the workspace root.");
      expect(response.content).toEqual([{ type: "text", text: "Here are the files in the workspace root." }]);
      expect(response.stopReason).toBe("end_turn");
      expect(h.server.failures).toEqual([]);
    });

    it("assembles a tool call whose arguments arrive in fragments and reports it ready before the reply ends", async () => {
      const input = { command: "ls -la /workspace && git status --short" };
      h.server.setScript([{ text: "Listing.", toolCalls: [{ id: "call_1", name: "bash", input }] }]);
      const { response, deltas } = await h.run();
      expect(response.stopReason).toBe("tool_use");
      expect(response.content.at(-1)).toEqual({ type: "tool_use", id: "call_1", name: "bash", input });
      expect(deltas.filter((delta) => delta.type.startsWith("tool_call"))).toEqual([
        { type: "tool_call_started", id: "call_1", name: "bash" },
        { type: "tool_call_ready", block: { type: "tool_use", id: "call_1", name: "bash", input } },
      ]);
    });

    it("returns two tool calls in one reply, the first ready before the second starts", async () => {
      h.server.setScript([
        {
          toolCalls: [
            { id: "call_a", name: "read", input: { path: "README.md" } },
            { id: "call_b", name: "bash", input: { command: "npm test" } },
          ],
        },
      ]);
      const { response, deltas } = await h.run();
      expect(response.content).toEqual([
        { type: "tool_use", id: "call_a", name: "read", input: { path: "README.md" } },
        { type: "tool_use", id: "call_b", name: "bash", input: { command: "npm test" } },
      ]);
      const order = deltas.filter((delta) => delta.type.startsWith("tool_call")).map((delta) => `${delta.type}:${delta.type === "tool_call_ready" ? delta.block.id : (delta as { id: string }).id}`);
      expect(order).toEqual(["tool_call_started:call_a", "tool_call_ready:call_a", "tool_call_started:call_b", "tool_call_ready:call_b"]);
    });

    it("marks invalid JSON arguments with invalidJson and an empty input", async () => {
      h.server.setScript([{ toolCalls: [{ id: "call_x", name: "bash", rawArguments: '{"command": "ls' }] }]);
      const { response } = await h.run();
      expect(response.content).toEqual([{ type: "tool_use", id: "call_x", name: "bash", input: {}, invalidJson: '{"command": "ls' }]);
    });

    it("normalises usage, excluding cached tokens from input", async () => {
      h.server.setScript([{ text: "ok", usage: { inputTokens: 120, cacheReadTokens: 3000, outputTokens: 42 } }]);
      const { response } = await h.run();
      expect(response.usage).toMatchObject({ inputTokens: 120, cacheReadTokens: 3000, outputTokens: 42 });
    });

    it("reports the prefix shared with the previous request as cache reads", async () => {
      h.server.setScript([{ text: "first" }, { text: "second" }]);
      const first = await h.run();
      const request = baseRequest({
        messages: [
          ...baseRequest().messages,
          { role: "assistant", content: [{ type: "text", text: "first" }] },
          { role: "user", content: [{ type: "text", text: "And now the tests." }] },
        ],
      });
      const second = await h.run(undefined, request);
      expect(first.response.usage.cacheReadTokens).toBe(0);
      expect(second.response.usage.cacheReadTokens).toBeGreaterThan(50);
      const total = second.response.usage.inputTokens + second.response.usage.cacheReadTokens + second.response.usage.cacheWriteTokens;
      expect(second.response.usage.cacheReadTokens / total).toBeGreaterThan(0.7);
    });

    it("turns 401 into an auth error with a clear message and does not retry", async () => {
      h.server.setScript([{ error: { status: 401, body: undefined } }, { text: "never" }]);
      const error = await h.failure(h.run());
      expect(error.kind).toBe("auth");
      expect(error.status).toBe(401);
      expect(error.message).toMatch(providerName);
      expect(error.message).toMatch(/rejected the API key \(401\): scripted error 401/);
      expect(h.server.requests).toHaveLength(1);
    });

    it("retries a 429 after the retry-after delay, then succeeds", async () => {
      h.server.setScript([{ error: { status: 429, headers: { "retry-after": "2" } } }, { text: "after the wait" }]);
      const { response, deltas } = await h.run();
      expect(response.content).toEqual([{ type: "text", text: "after the wait" }]);
      expect(h.sleeps).toEqual([2000]);
      expect(deltas[0]).toMatchObject({ type: "retrying", attempt: 2, delayMs: 2000, kind: "rate_limit" });
    });

    it("honours retry-after-ms", async () => {
      h.server.setScript([{ error: { status: 429, headers: { "retry-after-ms": "250" } } }, { text: "ok" }]);
      await h.run();
      expect(h.sleeps).toEqual([250]);
    });

    it("retries a 500 and then succeeds", async () => {
      h.server.setScript([{ error: { status: 500 } }, { text: "recovered" }]);
      const { response } = await h.run();
      expect(response.content).toEqual([{ type: "text", text: "recovered" }]);
      expect(h.server.requests).toHaveLength(2);
      expect(h.sleeps).toHaveLength(1);
    });

    it("gives up after the last attempt with a clear error", async () => {
      h.server.setScript([{ error: { status: 500 } }, { error: { status: 502 } }, { error: { status: 503 } }]);
      const error = await h.failure(h.run(h.client({ maxAttempts: 3 })));
      expect(error.kind).toBe("server");
      expect(error.status).toBe(503);
      expect(error.message).toMatch(/server error \(503\).*gave up after 3 attempts/);
      expect(h.server.requests).toHaveLength(3);
      expect(h.sleeps).toHaveLength(2);
    });

    it("reports a malformed stream as bad_response without retrying", async () => {
      h.server.setScript([{ text: "x", malformed: true }, { text: "never" }]);
      const error = await h.failure(h.run());
      expect(error.kind).toBe("bad_response");
      expect(error.message).toMatch(/malformed/);
      expect(h.server.requests).toHaveLength(1);
    });

    it("reports a connection dropped mid-stream as a connection error", async () => {
      h.server.setScript([{ text: "this reply is cut short", dropAfterChunks: 3 }]);
      const error = await h.failure(h.run(h.client(false)));
      expect(error.kind).toBe("connection");
    });

    it("retries a connection dropped mid-stream and announces the retry", async () => {
      h.server.setScript([{ text: "this reply is cut short", dropAfterChunks: 3 }, { text: "complete reply" }]);
      const { response, deltas } = await h.run();
      expect(response.content).toEqual([{ type: "text", text: "complete reply" }]);
      expect(deltas.some((delta) => delta.type === "retrying" && delta.kind === "connection")).toBe(true);
    });

    it("reports a refused connection as a connection error", async () => {
      const closed = await startScriptedModelServer();
      await closed.close();
      const client = createModelClient(config(closed.url), { retry: false });
      const error = await h.failure(client.stream(baseRequest(), { signal: new AbortController().signal }));
      expect(error.kind).toBe("connection");
    });

    it("aborts a stalled stream after the stall timeout and retries", async () => {
      h.server.setScript([{ text: "stalls after a few events", stallAfterChunks: 3 }, { text: "fresh attempt" }]);
      const started = Date.now();
      const { response } = await h.run(h.client({ stallTimeoutMs: 300 }));
      const elapsed = Date.now() - started;
      expect(response.content).toEqual([{ type: "text", text: "fresh attempt" }]);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(3000);
      expect(h.server.requests).toHaveLength(2);
    });

    it("stops quickly when the caller aborts mid-stream", async () => {
      h.server.setScript([{ text: "a long answer that streams slowly, piece by piece", chunkDelayMs: 100 }]);
      const controller = new AbortController();
      const client = h.client({ stallTimeoutMs: 2000 });
      let abortedAt = 0;
      const promise = client.stream(baseRequest(), {
        signal: controller.signal,
        onDelta: (delta) => {
          if (delta.type !== "text" || abortedAt) return;
          abortedAt = Date.now();
          controller.abort();
        },
      });
      const error = await h.failure(promise);
      expect(error.kind).toBe("aborted");
      expect(Date.now() - abortedAt).toBeLessThan(150);
      expect(h.server.requests).toHaveLength(1);
    });

    it("stops during a retry wait when the caller aborts", async () => {
      h.server.setScript([{ error: { status: 500 } }, { text: "never" }]);
      const controller = new AbortController();
      const client = h.client({ sleep: undefined, initialDelayMs: 10_000 });
      const promise = client.stream(baseRequest(), { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const error = await h.failure(promise);
      expect(error.kind).toBe("aborted");
      expect(h.server.requests).toHaveLength(1);
    });

    it("sends history back: tool results after tool calls, invalid JSON as an empty input", async () => {
      h.server.setScript([{ text: "done", expect: { toolResultIncludes: "command not found", lastUserTextIncludes: "", toolNames: ["bash"], systemIncludes: "careful" } }]);
      const request = baseRequest({
        messages: [
          ...baseRequest().messages,
          {
            role: "assistant",
            content: [
              { type: "text", text: "Running it." },
              { type: "tool_use", id: "call_1", name: "bash", input: {}, invalidJson: '{"command": "ls' },
              { type: "tool_use", id: "call_2", name: "bash", input: { command: "lss" } },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", toolUseId: "call_1", content: "The arguments were not valid JSON", isError: true },
              { type: "tool_result", toolUseId: "call_2", content: "lss: command not found", isError: true },
            ],
          },
        ],
      });
      await h.run(undefined, request);
      expect(h.server.failures).toEqual([]);
    });
  });
}
