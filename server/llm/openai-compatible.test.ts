import { describe, expect, it } from "vitest";
import { describeAdapterContract, useAdapterHarness } from "../../test-support/scripted-model/adapter-contract";
import { createModelClient } from "./create-model-client";
import { ModelError } from "./model-client";

describeAdapterContract("openai-compatible", (url) => ({ kind: "openai-compatible", baseUrl: `${url}/v1`, apiKey: "", model: "local-model" }), /The model server at 127\.0\.0\.1:\d+/);

describe("openai-compatible specifics", () => {
  const h = useAdapterHarness((url) => ({ kind: "openai-compatible", baseUrl: `${url}/v1`, apiKey: "", model: "local-model" }));

  it("sends max_tokens (not max_completion_tokens) and asks for usage in the stream", async () => {
    h.server.setScript([{ text: "ok" }]);
    await h.run();
    const body = h.server.requests[0]?.body;
    expect(body?.max_tokens).toBe(1024);
    expect(body?.max_completion_tokens).toBeUndefined();
    expect(body?.stream_options).toEqual({ include_usage: true });
  });

  it("reads reasoning_content as thinking", async () => {
    h.server.setScript([{ thinking: "Let me look at the files first.", text: "ok" }]);
    const { response, deltas } = await h.run();
    expect(response.content[0]).toEqual({ type: "thinking", thinking: "Let me look at the files first." });
    expect(deltas.filter((delta) => delta.type === "thinking").length).toBeGreaterThan(1);
  });

  it("needs a base URL", () => {
    expect(() => createModelClient({ kind: "openai-compatible", apiKey: "", model: "m" })).toThrow(ModelError);
  });

  it("tolerates a stream without usage", async () => {
    h.server.setScript([{ text: "no usage here", omitUsage: true }]);
    const { response } = await h.run();
    expect(response.content).toEqual([{ type: "text", text: "no usage here" }]);
    expect(response.usage).toEqual({ inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0 });
  });
});
