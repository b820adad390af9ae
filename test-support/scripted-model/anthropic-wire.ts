// Encodes a scripted reply as Anthropic Messages streaming SSE events, shaped as the API sends them.
import { randomUUID } from "node:crypto";
import { type ScriptedReply, replyOutputTokens, replyStopReason, splitIntoChunks, toolArguments } from "./script";

export type PromptUsage = { totalTokens: number; cachedTokens: number; usesCacheControl: boolean };

const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export function anthropicUsage(reply: ScriptedReply, prompt: PromptUsage) {
  const cacheRead = reply.usage?.cacheReadTokens ?? prompt.cachedTokens;
  const cacheWrite = reply.usage?.cacheWriteTokens ?? (prompt.usesCacheControl ? Math.max(0, prompt.totalTokens - cacheRead) : 0);
  const input = reply.usage?.inputTokens ?? Math.max(1, prompt.totalTokens - cacheRead - cacheWrite);
  return {
    input_tokens: input,
    cache_read_input_tokens: cacheRead,
    cache_creation_input_tokens: cacheWrite,
    output_tokens: reply.usage?.outputTokens ?? replyOutputTokens(reply),
  };
}

export function anthropicEvents(reply: ScriptedReply, model: string, prompt: PromptUsage): string[] {
  const usage = anthropicUsage(reply, prompt);
  const events: string[] = [
    sse("message_start", {
      type: "message_start",
      message: {
        id: `msg_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
        type: "message",
        role: "assistant",
        model,
        content: [],
        container: null,
        stop_reason: null,
        stop_sequence: null,
        stop_details: null,
        usage: { ...usage, output_tokens: 1, cache_creation: null, server_tool_use: null, service_tier: "standard" },
      },
    }),
    sse("ping", { type: "ping" }),
  ];
  if (reply.malformed) {
    events.push(`event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text"\n\n`);
    return events;
  }
  let index = 0;
  if (reply.thinking !== undefined) {
    events.push(sse("content_block_start", { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }));
    for (const piece of splitIntoChunks(reply.thinking)) {
      events.push(sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: piece } }));
    }
    const signature = Buffer.from(`scripted-signature:${reply.thinking.length}`).toString("base64");
    events.push(sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "signature_delta", signature } }));
    events.push(sse("content_block_stop", { type: "content_block_stop", index }));
    index++;
  }
  if (reply.text !== undefined && reply.text !== "") {
    events.push(sse("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }));
    for (const piece of splitIntoChunks(reply.text, reply.textChunks)) {
      events.push(sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }));
    }
    events.push(sse("content_block_stop", { type: "content_block_stop", index }));
    index++;
  }
  for (const [callIndex, call] of (reply.toolCalls ?? []).entries()) {
    const id = call.id ?? `toolu_scripted_${callIndex}_${randomUUID().slice(0, 8)}`;
    events.push(sse("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id, name: call.name, input: {} } }));
    for (const piece of ["", ...splitIntoChunks(toolArguments(call), 3)]) {
      events.push(sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } }));
    }
    events.push(sse("content_block_stop", { type: "content_block_stop", index }));
    index++;
  }
  events.push(
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason: replyStopReason(reply), stop_sequence: null, stop_details: null, container: null },
      usage,
    }),
  );
  events.push(sse("message_stop", { type: "message_stop" }));
  return events;
}

const anthropicErrorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

export function anthropicErrorBody(status: number, message: string): object {
  return { type: "error", error: { type: anthropicErrorTypes[status] ?? "api_error", message } };
}
