import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { baseRequest, describeAdapterContract, useAdapterHarness } from "../../test-support/scripted-model/adapter-contract";
import { scriptedEncryptedReasoning } from "../../test-support/scripted-model/openai-responses-wire";
import { createModelClient } from "./create-model-client";
import { ModelError, type ProviderConfig } from "./model-client";
import { isReasoningModel, toResponsesParams } from "./openai-responses";

const config = (url: string): ProviderConfig => ({ kind: "openai-responses", baseUrl: `${url}/v1`, apiKey: "sk-test", model: "gpt-test" });

describeAdapterContract("openai-responses", config, /^OpenAI /);

type Json = Record<string, any>;

describe("openai-responses specifics", () => {
  const h = useAdapterHarness(config);

  it("sends a stateless request: instructions, input items, function tools and store: false", async () => {
    h.server.setScript([{ text: "ok" }]);
    await h.run();
    const request = h.server.requests[0];
    expect(request?.path).toBe("/v1/responses");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    const body = request?.body as Json;
    expect(body).toMatchObject({ model: "scripted-1", instructions: "You are a careful coding agent.", stream: true, store: false, max_output_tokens: 1024 });
    expect(body.input).toEqual([{ role: "user", content: [{ type: "input_text", text: "List the files, please." }] }]);
    expect(body.tools[0]).toEqual({ type: "function", name: "bash", description: "Run a shell command", parameters: expect.objectContaining({ type: "object" }), strict: false });
    // Not a reasoning model: reasoning options would be rejected.
    expect(body.reasoning).toBeUndefined();
    expect(body.include).toBeUndefined();
  });

  it("sends tool calls as function_call items and results as function_call_output, images in a following user message", () => {
    const params = toResponsesParams(
      baseRequest({
        messages: [
          { role: "user", content: [{ type: "text", text: "go" }] },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "from another provider", signature: "anthropic-sig" },
              { type: "text", text: "Looking." },
              { type: "tool_use", id: "c1", name: "bash", input: { command: "ls" } },
              { type: "tool_use", id: "c2", name: "bash", input: {}, invalidJson: "{oops" },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", toolUseId: "c1", content: "a b", isError: false, images: [{ mediaType: "image/png", base64: "iVBOR" }] },
              { type: "tool_result", toolUseId: "c2", content: "invalid JSON", isError: true },
              { type: "text", text: "also note this" },
            ],
          },
        ],
      }),
    );
    expect(params.input).toEqual([
      { role: "user", content: [{ type: "input_text", text: "go" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "Looking.", annotations: [] }] },
      { type: "function_call", call_id: "c1", name: "bash", arguments: '{"command":"ls"}' },
      { type: "function_call", call_id: "c2", name: "bash", arguments: "{}" },
      { type: "function_call_output", call_id: "c1", output: "a b" },
      { type: "function_call_output", call_id: "c2", output: "invalid JSON" },
      {
        role: "user",
        content: [
          { type: "input_text", text: "Images returned by the tool calls above:" },
          { type: "input_image", detail: "auto", image_url: "data:image/png;base64,iVBOR" },
        ],
      },
      { role: "user", content: [{ type: "input_text", text: "also note this" }] },
    ]);
  });

  it("takes cached_tokens out of input_tokens", async () => {
    h.server.setScript([{ text: "ok", usage: { inputTokens: 100, cacheReadTokens: 900, outputTokens: 7 } }]);
    const { response } = await h.run();
    expect(response.usage).toEqual({ inputTokens: 100, cacheReadTokens: 900, cacheWriteTokens: 0, outputTokens: 7 });
  });

  it("maps an incomplete response (max_output_tokens) to max_tokens", async () => {
    h.server.setScript([{ text: "cut", stopReason: "max_tokens" }]);
    const { response } = await h.run();
    expect(response.stopReason).toBe("max_tokens");
    expect(response.content).toEqual([{ type: "text", text: "cut" }]);
  });

  it("streams reasoning summaries as thinking and passes the encrypted reasoning back on the next request", async () => {
    expect(["gpt-5-codex", "o4-mini", "openai/gpt-5.1"].every(isReasoningModel)).toBe(true);
    expect(["gpt-4.1", "gpt-5-chat-latest", "scripted-1"].some(isReasoningModel)).toBe(false);
    const thinking = "The user wants a listing; ls is enough.";
    h.server.setScript([{ thinking, toolCalls: [{ id: "call_1", name: "bash", input: { command: "ls" } }] }, { text: "done", expect: { toolResultIncludes: "README.md" } }]);
    const first = await h.run(undefined, baseRequest({ model: "gpt-5" }));
    const firstBody = h.server.requests[0]?.body as Json;
    expect(firstBody.reasoning).toEqual({ summary: "auto" });
    expect(firstBody.include).toEqual(["reasoning.encrypted_content"]);
    expect(first.deltas.filter((delta) => delta.type === "thinking").map((delta) => delta.text).join("")).toBe(thinking);
    expect(first.response.content).toEqual([
      { type: "thinking", thinking, encryptedReasoning: scriptedEncryptedReasoning(thinking) },
      { type: "tool_use", id: "call_1", name: "bash", input: { command: "ls" } },
    ]);

    await h.run(
      undefined,
      baseRequest({
        model: "gpt-5",
        messages: [
          ...baseRequest().messages,
          { role: "assistant", content: first.response.content },
          { role: "user", content: [{ type: "tool_result", toolUseId: "call_1", content: "README.md package.json", isError: false }] },
        ],
      }),
    );
    const secondBody = h.server.requests[1]?.body as Json;
    expect(secondBody.input.slice(1, 3)).toEqual([
      { type: "reasoning", summary: [{ type: "summary_text", text: thinking }], encrypted_content: scriptedEncryptedReasoning(thinking) },
      { type: "function_call", call_id: "call_1", name: "bash", arguments: '{"command":"ls"}' },
    ]);
    expect(h.server.failures).toEqual([]);
  });

  it("keeps a reasoning summary that came without encrypted content as thinking, and does not send it back", async () => {
    h.server.setScript([{ thinking: "short thought", text: "hi" }]);
    const { response } = await h.run();
    expect(response.content).toEqual([
      { type: "thinking", thinking: "short thought" },
      { type: "text", text: "hi" },
    ]);
    const params = toResponsesParams(baseRequest({ messages: [...baseRequest().messages, { role: "assistant", content: response.content }] }));
    expect(params.input).toEqual([...(toResponsesParams(baseRequest()).input as unknown[]), { type: "message", role: "assistant", content: [{ type: "output_text", text: "hi", annotations: [] }] }]);
  });

  it("reports a rejected request with the provider's message", async () => {
    h.server.setScript([{ error: { status: 400, body: { error: { message: "Invalid 'input[2].call_id'", type: "invalid_request_error", param: "input", code: null } } } }]);
    const error = await h.failure(h.run(h.client(false)));
    expect(error.kind).toBe("bad_request");
    expect(error.message).toMatch(/OpenAI rejected the request \(400\): Invalid 'input\[2\].call_id'/);
  });
});

/** Serves one fixed SSE body for every request: failure events the scripted steps do not model. */
async function streamOnce(events: { type: string; [key: string]: unknown }[]): Promise<ModelError> {
  const body = events.map((event, index) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`).join("");
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const client = createModelClient(config(`http://127.0.0.1:${port}`), { retry: false });
    const error = await client.stream(baseRequest(), { signal: new AbortController().signal }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("openai-responses failures inside the stream", () => {
  it("maps response.failed to a ModelError by its error code", async () => {
    const failed = (code: string) => [{ type: "response.failed", response: { id: "resp_1", status: "failed", output: [], error: { code, message: `scripted ${code}` } } }];
    const rateLimited = await streamOnce(failed("rate_limit_exceeded"));
    expect(rateLimited.kind).toBe("rate_limit");
    expect(rateLimited.message).toMatch(/OpenAI could not complete the response \(rate_limit_exceeded\): scripted rate_limit_exceeded/);
    expect((await streamOnce(failed("server_error"))).kind).toBe("server");
    expect((await streamOnce(failed("invalid_image"))).retryable).toBe(false);
  });

  it("maps an error event to a retryable server error", async () => {
    const error = await streamOnce([{ type: "error", code: "server_error", message: "The server had an error", param: null }]);
    expect(error.kind).toBe("server");
    expect(error.message).toMatch(/The server had an error/);
  });

  it("treats a stream that ends without response.completed as a dropped connection", async () => {
    const error = await streamOnce([{ type: "response.output_text.delta", output_index: 0, content_index: 0, item_id: "msg_1", delta: "half" }]);
    expect(error.kind).toBe("connection");
  });
});
