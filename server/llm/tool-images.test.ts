// Images a tool returns (Read of a PNG) reach each provider in the shape it accepts.
import { describe, expect, it } from "vitest";
import { toAnthropicParams } from "./anthropic";
import type { ModelRequest } from "./model-client";
import { toChatCompletionParams } from "./openai";

const request: ModelRequest = {
  model: "m",
  system: "s",
  tools: [],
  maxTokens: 100,
  messages: [
    { role: "user", content: [{ type: "text", text: "look at the logo" }] },
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: { file_path: "/workspace/logo.png" } }] },
    { role: "user", content: [{ type: "tool_result", toolUseId: "t1", content: "Image: logo.png", isError: false, images: [{ mediaType: "image/png", base64: "iVBORw0K" }] }] },
  ],
};

describe("tool result images", () => {
  it("go inside the tool_result for Anthropic", () => {
    const last = toAnthropicParams(request).messages.at(-1)!;
    expect(last.content).toMatchObject([
      {
        type: "tool_result",
        tool_use_id: "t1",
        content: [
          { type: "text", text: "Image: logo.png" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0K" } },
        ],
      },
    ]);
  });

  it("follow the tool messages as a user message for OpenAI", () => {
    const messages = toChatCompletionParams(request).messages;
    expect(messages.at(-2)).toMatchObject({ role: "tool", tool_call_id: "t1", content: "Image: logo.png" });
    expect(messages.at(-1)).toMatchObject({
      role: "user",
      content: [{ type: "text" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0K" } }],
    });
  });
});
