import { describe, expect, it } from "vitest";
import { describeAdapterContract, useAdapterHarness } from "../../test-support/scripted-model/adapter-contract";
import { toChatCompletionParams } from "./openai";
import { baseRequest } from "../../test-support/scripted-model/adapter-contract";

describeAdapterContract("openai", (url) => ({ kind: "openai", baseUrl: `${url}/v1`, apiKey: "sk-test", model: "gpt-test" }), /^OpenAI /);

describe("openai specifics", () => {
  const h = useAdapterHarness((url) => ({ kind: "openai", baseUrl: `${url}/v1`, apiKey: "sk-test", model: "gpt-test" }));

  it("asks for usage in the stream and sends the system prompt first", async () => {
    h.server.setScript([{ text: "ok" }]);
    await h.run();
    const body = h.server.requests[0]?.body as Record<string, any>;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.max_completion_tokens).toBe(1024);
    expect(body.messages[0]).toEqual({ role: "system", content: "You are a careful coding agent." });
    expect(body.tools[0]).toEqual({ type: "function", function: { name: "bash", description: "Run a shell command", parameters: expect.objectContaining({ type: "object" }) } });
    expect(h.server.requests[0]?.headers.authorization).toBe("Bearer sk-test");
  });

  it("takes cached_tokens out of prompt_tokens", async () => {
    h.server.setScript([{ text: "ok", usage: { inputTokens: 100, cacheReadTokens: 900, outputTokens: 7 } }]);
    const { response } = await h.run();
    expect(response.usage).toEqual({ inputTokens: 100, cacheReadTokens: 900, cacheWriteTokens: 0, outputTokens: 7 });
  });

  it("maps finish_reason length to max_tokens", async () => {
    h.server.setScript([{ text: "cut", stopReason: "max_tokens" }]);
    const { response } = await h.run();
    expect(response.stopReason).toBe("max_tokens");
  });

  it("sends tool calls as JSON strings and tool results as tool messages", () => {
    const params = toChatCompletionParams(
      baseRequest({
        messages: [
          { role: "user", content: [{ type: "text", text: "go" }] },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "internal" },
              { type: "tool_use", id: "c1", name: "bash", input: { command: "ls" } },
              { type: "tool_use", id: "c2", name: "bash", input: {}, invalidJson: "{oops" },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", toolUseId: "c1", content: "a b", isError: false },
              { type: "tool_result", toolUseId: "c2", content: "invalid JSON", isError: true },
              { type: "text", text: "also note this" },
            ],
          },
        ],
      }),
    );
    expect(params.messages.slice(2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c1", type: "function", function: { name: "bash", arguments: '{"command":"ls"}' } },
          { id: "c2", type: "function", function: { name: "bash", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "a b" },
      { role: "tool", tool_call_id: "c2", content: "invalid JSON" },
      { role: "user", content: "also note this" },
    ]);
  });
});
