import { describe, expect, it } from "vitest";
import { baseRequest, describeAdapterContract, useAdapterHarness } from "../../test-support/scripted-model/adapter-contract";
import { toAnthropicParams } from "./anthropic";
import type { Message } from "./model-client";

describeAdapterContract("anthropic", (url) => ({ kind: "anthropic", baseUrl: url, apiKey: "sk-ant-test", model: "claude-test" }), /^Anthropic /);

const countBreakpoints = (body: unknown): number => JSON.stringify(body).split('"cache_control"').length - 1;

describe("anthropic specifics", () => {
  const h = useAdapterHarness((url) => ({ kind: "anthropic", baseUrl: url, apiKey: "sk-ant-test", model: "claude-test" }));

  it("streams thinking with its signature and passes it back unchanged", async () => {
    h.server.setScript([{ thinking: "The user wants a listing; bash is the tool.", text: "Listing now." }, { text: "ok" }]);
    const { response, deltas } = await h.run();
    const thinking = response.content[0];
    expect(thinking).toMatchObject({ type: "thinking", thinking: "The user wants a listing; bash is the tool." });
    expect(thinking?.type === "thinking" && thinking.signature).toBeTruthy();
    expect(deltas.filter((delta) => delta.type === "thinking").length).toBeGreaterThan(1);

    const history: Message[] = [...baseRequest().messages, { role: "assistant", content: response.content }, { role: "user", content: [{ type: "text", text: "next" }] }];
    await h.run(undefined, baseRequest({ messages: history }));
    const sent = (h.server.requests[1]?.body?.messages as { content: unknown[] }[])[1]?.content[0];
    expect(sent).toEqual({ type: "thinking", thinking: thinking?.type === "thinking" ? thinking.thinking : "", signature: thinking?.type === "thinking" ? thinking.signature : "" });
  });

  it("normalises all four usage figures", async () => {
    h.server.setScript([{ text: "ok", usage: { inputTokens: 12, cacheReadTokens: 4000, cacheWriteTokens: 300, outputTokens: 77 } }]);
    const { response } = await h.run();
    expect(response.usage).toEqual({ inputTokens: 12, cacheReadTokens: 4000, cacheWriteTokens: 300, outputTokens: 77 });
  });

  it("puts cache_control on the system prompt, the last tool and the newest user messages (at most 4)", async () => {
    h.server.setScript([{ text: "ok" }]);
    const messages: Message[] = [
      { role: "user", content: [{ type: "text", text: "one" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "bash", input: { command: "ls" } }] },
      { role: "user", content: [{ type: "tool_result", toolUseId: "t1", content: "a b c", isError: false }] },
      { role: "assistant", content: [{ type: "text", text: "two" }] },
      { role: "user", content: [{ type: "text", text: "three" }, { type: "text", text: "four" }] },
    ];
    await h.run(undefined, baseRequest({ messages }));
    const body = h.server.requests[0]?.body as Record<string, any>;
    expect(body.stream).toBe(true);
    expect(body.system).toEqual([{ type: "text", text: "You are a careful coding agent.", cache_control: { type: "ephemeral" } }]);
    expect(body.tools[0].cache_control).toBeUndefined();
    expect(body.tools[1].cache_control).toEqual({ type: "ephemeral" });
    expect(body.messages[4].content[1].cache_control).toEqual({ type: "ephemeral" });
    expect(body.messages[4].content[0].cache_control).toBeUndefined();
    expect(body.messages[2].content[0]).toEqual({ type: "tool_result", tool_use_id: "t1", content: "a b c", is_error: false, cache_control: { type: "ephemeral" } });
    expect(body.messages[0].content[0].cache_control).toBeUndefined();
    expect(countBreakpoints(body)).toBe(4);
    // SDK 1.x sends the key as a bearer token; older ones used x-api-key.
    const headers = h.server.requests[0]?.headers ?? {};
    expect(headers["x-api-key"] ?? headers.authorization).toMatch(/sk-ant-test/);
  });

  it("maps 529 and a mid-stream overloaded_error to overloaded", async () => {
    h.server.setScript([{ error: { status: 529 } }, { text: "ok" }]);
    const { deltas } = await h.run();
    expect(deltas[0]).toMatchObject({ type: "retrying", kind: "overloaded" });
  });

  it("leaves out empty text and unsigned thinking", () => {
    const params = toAnthropicParams(
      baseRequest({
        messages: [
          { role: "user", content: [{ type: "text", text: "hi" }] },
          { role: "assistant", content: [{ type: "thinking", thinking: "from another provider" }, { type: "text", text: "" }, { type: "text", text: "hello" }] },
        ],
      }),
    );
    expect(params.messages[1]?.content).toEqual([{ type: "text", text: "hello" }]);
  });
});
