// Encodes a scripted reply as OpenAI Chat Completions streaming SSE chunks, ending with `data: [DONE]`.
import { randomUUID } from "node:crypto";
import { type ScriptedReply, replyOutputTokens, replyStopReason, splitIntoChunks, toolArguments } from "./script";

const data = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;

const finishReasons = { end_turn: "stop", tool_use: "tool_calls", max_tokens: "length" } as const;

export function openaiUsage(reply: ScriptedReply, prompt: { totalTokens: number; cachedTokens: number }) {
  const cached = reply.usage?.cacheReadTokens ?? prompt.cachedTokens;
  const promptTokens = reply.usage?.inputTokens !== undefined ? reply.usage.inputTokens + cached : Math.max(prompt.totalTokens, cached);
  const completion = reply.usage?.outputTokens ?? replyOutputTokens(reply);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function openaiChunks(
  reply: ScriptedReply,
  model: string,
  prompt: { totalTokens: number; cachedTokens: number },
  includeUsage: boolean,
): string[] {
  const id = `chatcmpl-${randomUUID().replaceAll("-", "").slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finishReason: string | null = null) =>
    data({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_scripted", choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });

  const chunks: string[] = [chunk({ role: "assistant", content: "", refusal: null })];
  if (reply.malformed) {
    chunks.push(`data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"oops\n\n`);
    return chunks;
  }
  // Reasoning as OpenAI-compatible servers (vLLM, DeepSeek, llama.cpp) stream it.
  for (const piece of splitIntoChunks(reply.thinking ?? "")) chunks.push(chunk({ reasoning_content: piece }));
  for (const piece of splitIntoChunks(reply.text ?? "", reply.textChunks)) chunks.push(chunk({ content: piece }));
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    const callId = call.id ?? `call_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
    chunks.push(chunk({ tool_calls: [{ index, id: callId, type: "function", function: { name: call.name, arguments: "" } }] }));
    for (const piece of splitIntoChunks(toolArguments(call), 3)) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  }
  chunks.push(chunk({}, finishReasons[replyStopReason(reply)]));
  if (includeUsage) {
    chunks.push(data({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_scripted", choices: [], usage: openaiUsage(reply, prompt) }));
  }
  chunks.push("data: [DONE]\n\n");
  return chunks;
}

const openaiErrorTypes: Record<number, [string, string | null]> = {
  400: ["invalid_request_error", null],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["invalid_request_error", "unsupported_country_region_territory"],
  404: ["invalid_request_error", "model_not_found"],
  429: ["requests", "rate_limit_exceeded"],
};

export function openaiErrorBody(status: number, message: string): object {
  const [type, code] = openaiErrorTypes[status] ?? ["server_error", null];
  return { error: { message, type, param: null, code } };
}
