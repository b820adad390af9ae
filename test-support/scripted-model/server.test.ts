import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "./server";

const anthropicBody = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "m",
  max_tokens: 10,
  stream: true,
  system: [{ type: "text", text: "system prompt" }],
  tools: [{ name: "bash", description: "d", input_schema: { type: "object" } }],
  messages: [{ role: "user", content: [{ type: "text", text }] }],
  ...extra,
});

const post = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Parses an SSE body into its data payloads. */
const sseData = (text: string) =>
  text
    .split("\n\n")
    .map((event) => event.split("\n").find((line) => line.startsWith("data: "))?.slice(6))
    .filter((data): data is string => data !== undefined);

describe("scripted model server", () => {
  let server: ScriptedModelServer;
  beforeAll(async () => {
    server = await startScriptedModelServer({ logFailures: false });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("fails loudly when the script runs out: HTTP 400 with an explanation, and a recorded failure", async () => {
    const response = await post(`${server.url}/v1/messages`, anthropicBody("hi"));
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/script ran out/);
    expect(server.failures).toHaveLength(1);
    expect(server.failures[0]).toMatchObject({ requestIndex: 0, path: "/v1/messages" });
  });

  it("records a failed expectation and says what was wrong", async () => {
    server.setScript([{ text: "x", expect: { lastUserTextIncludes: "deploy", toolNames: ["bash", "edit"], systemIncludes: "system" } }]);
    const response = await post(`${server.url}/v1/messages`, anthropicBody("list the files"));
    expect(response.status).toBe(400);
    const message = server.failures[0]?.message ?? "";
    expect(message).toMatch(/last user text to include "deploy"/);
    expect(message).toMatch(/tools \["edit"\]/);
    expect(message).not.toMatch(/system prompt/);
  });

  it("rejects non-streaming requests with 400", async () => {
    server.setScript([{ text: "x" }]);
    const response = await post(`${server.url}/v1/messages`, anthropicBody("hi", { stream: false }));
    expect(response.status).toBe(400);
  });

  it("records every request with path, headers and parsed body", async () => {
    server.setScript([{ text: "one" }]);
    await (await post(`${server.url}/v1/messages`, anthropicBody("hi"))).text();
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ path: "/v1/messages", method: "POST", stepIndex: 0, body: { model: "m" } });
    expect(server.requests[0]?.headers["content-type"]).toBe("application/json");
  });

  it("streams Anthropic events in the documented order", async () => {
    server.setScript([{ thinking: "think", text: "hello there", toolCalls: [{ id: "t1", name: "bash", input: { command: "ls" } }] }]);
    const events = sseData(await (await post(`${server.url}/v1/messages`, anthropicBody("hi"))).text()).map((data) => JSON.parse(data) as { type: string; delta?: { type: string } });
    const types = events.map((event) => (event.type === "content_block_delta" ? `delta:${event.delta?.type}` : event.type));
    expect(types[0]).toBe("message_start");
    expect(types.at(-2)).toBe("message_delta");
    expect(types.at(-1)).toBe("message_stop");
    expect(types).toContain("delta:signature_delta");
    expect(types.filter((type) => type === "delta:input_json_delta").length).toBeGreaterThan(2);
    expect(types.filter((type) => type === "content_block_stop")).toHaveLength(3);
  });

  it("streams OpenAI chunks ending with a usage chunk and [DONE]", async () => {
    server.setScript([{ text: "hello there", toolCalls: [{ name: "bash", input: { command: "ls" } }] }]);
    const response = await post(`${server.url}/v1/chat/completions`, { model: "m", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const usageChunk = JSON.parse(data.at(-2) ?? "{}");
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.prompt_tokens).toBeGreaterThan(0);
    expect(JSON.parse(data.at(-3) ?? "{}").choices[0].finish_reason).toBe("tool_calls");
  });

  it("streams OpenAI Responses events, each named and numbered, ending with response.completed", async () => {
    server.setScript([{ text: "hello there", toolCalls: [{ name: "bash", input: { command: "ls" } }], expect: { systemIncludes: "careful", lastUserTextIncludes: "hi", toolNames: ["bash"] } }]);
    const body = { model: "m", stream: true, store: false, instructions: "Be careful.", tools: [{ type: "function", name: "bash", parameters: {} }], input: [{ role: "user", content: [{ type: "input_text", text: "hi" }] }] };
    const text = await (await post(`${server.url}/v1/responses`, body)).text();
    expect(server.failures).toEqual([]);
    const names = text.split("\n\n").filter(Boolean).map((event) => event.split("\n")[0]);
    const events = sseData(text).map((data) => JSON.parse(data) as { type: string; sequence_number: number; response?: { usage: { input_tokens: number } } });
    expect(names).toEqual(events.map((event) => `event: ${event.type}`));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events[0]?.type).toBe("response.created");
    expect(events.at(-1)?.type).toBe("response.completed");
    expect(events.at(-1)?.response?.usage.input_tokens).toBeGreaterThan(0);
    expect(events.filter((event) => event.type === "response.function_call_arguments.delta").length).toBeGreaterThan(1);
  });

  it("can be driven over HTTP by another process", async () => {
    await post(`${server.url}/__script`, { steps: [{ text: "first" }] });
    await post(`${server.url}/__push`, { steps: [{ text: "second" }] });
    expect(server.remaining).toBe(2);
    await (await post(`${server.url}/v1/messages`, anthropicBody("hi"))).text();
    const { requests } = (await (await fetch(`${server.url}/__requests`)).json()) as { requests: unknown[] };
    expect(requests).toHaveLength(1);
    await post(`${server.url}/v1/messages`, { stream: true, messages: [] }).then((r) => r.text());
    await post(`${server.url}/v1/messages`, { stream: true, messages: [] }).then((r) => r.text());
    const { failures } = (await (await fetch(`${server.url}/__failures`)).json()) as { failures: unknown[] };
    expect(failures).toHaveLength(1);
    await post(`${server.url}/__reset`, {});
    expect(server.requests).toHaveLength(0);
    expect(server.failures).toHaveLength(0);
  });

  it("answers by content over HTTP (POST /__responders): matching requests take the responder's steps in order, the rest use the script", async () => {
    const bad = await post(`${server.url}/__responders`, { responders: [{ steps: [] }] });
    expect(bad.status).toBe(400);
    const ok = await post(`${server.url}/__responders`, {
      responders: [
        { match: { systemIncludes: "subagent", requestIncludes: "task-beta" }, steps: [{ text: "beta one" }, { text: "beta two" }] },
        { match: { systemIncludes: "subagent" }, steps: [{ text: "any child" }] },
      ],
    });
    expect(ok.status).toBe(200);
    server.setScript([{ text: "from the script" }]);
    const textOf = async (body: unknown) =>
      sseData(await (await post(`${server.url}/v1/messages`, body)).text())
        .map((data) => JSON.parse(data) as { delta?: { text?: string } })
        .map((event) => event.delta?.text ?? "")
        .join("");
    const child = (text: string) => anthropicBody(text, { system: [{ type: "text", text: "You are a subagent" }] });
    expect(await textOf(child("do task-beta"))).toBe("beta one");
    expect(await textOf(child("a tool result later in task-beta"))).toBe("beta two");
    expect(await textOf(child("task-alpha"))).toBe("any child");
    expect(await textOf(anthropicBody("the parent"))).toBe("from the script");
    expect(server.requests.map((request) => [request.responderIndex, request.stepIndex])).toEqual([[0, undefined], [0, undefined], [1, undefined], [undefined, 0]]);
    expect(server.failures).toEqual([]);
    // Used up: the next child request falls through to the (now empty) script and fails loudly.
    expect((await post(`${server.url}/v1/messages`, child("task-beta"))).status).toBe(400);
    await post(`${server.url}/__reset`, {});
    server.setScript([{ text: "script again" }]);
    expect(await textOf(child("task-beta"))).toBe("script again");
  });

  it("streams the text in textChunks deltas and reports each write as it happens", async () => {
    const written: string[] = [];
    const watched = await startScriptedModelServer({ logFailures: false, onWrite: (chunk) => written.push(chunk) });
    watched.setScript([{ text: "aaabbbccc", textChunks: 3 }]);
    const body = await (await post(`${watched.url}/v1/messages`, anthropicBody("hi"))).text();
    await watched.close();
    const deltas = sseData(body).map((data) => JSON.parse(data) as { delta?: { type: string; text?: string } }).filter((event) => event.delta?.type === "text_delta");
    expect(deltas.map((event) => event.delta?.text)).toEqual(["aaa", "bbb", "ccc"]);
    expect(written.join("")).toBe(body);
  });

  it("reports the prefix shared with earlier requests as cache reads", async () => {
    server.setScript([{ text: "a" }, { text: "b" }]);
    const usageOf = async (text: string) => {
      const events = sseData(await (await post(`${server.url}/v1/messages`, anthropicBody(text))).text()).map((data) => JSON.parse(data));
      return events[0].message.usage as { cache_read_input_tokens: number; input_tokens: number };
    };
    const first = await usageOf("hello");
    const second = await usageOf("hello, and more");
    expect(first.cache_read_input_tokens).toBe(0);
    expect(second.cache_read_input_tokens).toBeGreaterThan(20);
  });
});

describe("scripted model CLI", () => {
  it("prints its URL on the first line and serves the control endpoints", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test-support/scripted-model/cli.ts", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`cli exited with ${code}`)));
      });
      const match = /^SCRIPTED_MODEL_URL=(http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine);
      expect(match).not.toBeNull();
      const health = await (await fetch(`${match?.[1]}/__health`)).json();
      expect(health).toMatchObject({ ok: true });
    } finally {
      child.kill("SIGTERM");
    }
  }, 20_000);
});
