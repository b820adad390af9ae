// Encodes a scripted reply as the OpenAI Responses API streaming wire format: named SSE events
// (`event: <type>` + `data: {json}` carrying a sequence_number), no [DONE] sentinel.
import { randomUUID } from "node:crypto";
import { type ScriptedReply, replyOutputTokens, replyStopReason, splitIntoChunks, toolArguments } from "./script";

const newId = (prefix: string): string => `${prefix}_${randomUUID().replaceAll("-", "")}`;

export function openaiResponsesUsage(reply: ScriptedReply, prompt: { totalTokens: number; cachedTokens: number }) {
  const cached = reply.usage?.cacheReadTokens ?? prompt.cachedTokens;
  const inputTokens = reply.usage?.inputTokens !== undefined ? reply.usage.inputTokens + cached : Math.max(prompt.totalTokens, cached);
  const outputTokens = reply.usage?.outputTokens ?? replyOutputTokens(reply);
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

export type ResponsesWireOptions = {
  /** The request asked for `include: ["reasoning.encrypted_content"]`. */
  includeEncryptedReasoning: boolean;
  /** Echoed back in the response object, as the real API does. */
  instructions: string | null;
};

/** A stand-in for the opaque blob OpenAI returns; the adapter must pass it back verbatim. */
export const scriptedEncryptedReasoning = (thinking: string): string => `gAAAAscripted${Buffer.from(thinking).toString("base64")}`;

export function openaiResponsesEvents(reply: ScriptedReply, model: string, prompt: { totalTokens: number; cachedTokens: number }, options: ResponsesWireOptions): string[] {
  const responseId = newId("resp");
  const createdAt = Math.floor(Date.now() / 1000);
  const events: string[] = [];
  const emit = (type: string, payload: object) => {
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: events.length, ...payload })}\n\n`);
  };
  const response = (status: string, output: object[], extra: object = {}) => ({
    id: responseId,
    object: "response",
    created_at: createdAt,
    status,
    error: null,
    incomplete_details: null,
    instructions: options.instructions,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: null,
    metadata: {},
    ...extra,
  });

  emit("response.created", { response: response("in_progress", []) });
  emit("response.in_progress", { response: response("in_progress", []) });
  if (reply.malformed) {
    events.push(`event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"oops\n\n`);
    return events;
  }

  const output: object[] = [];
  if (reply.thinking) {
    const output_index = output.length;
    const item_id = newId("rs");
    const encrypted = options.includeEncryptedReasoning ? { encrypted_content: scriptedEncryptedReasoning(reply.thinking) } : {};
    emit("response.output_item.added", { output_index, item: { id: item_id, type: "reasoning", summary: [], ...encrypted } });
    const part = { item_id, output_index, summary_index: 0 };
    emit("response.reasoning_summary_part.added", { ...part, part: { type: "summary_text", text: "" } });
    for (const delta of splitIntoChunks(reply.thinking)) emit("response.reasoning_summary_text.delta", { ...part, delta });
    emit("response.reasoning_summary_text.done", { ...part, text: reply.thinking });
    emit("response.reasoning_summary_part.done", { ...part, part: { type: "summary_text", text: reply.thinking } });
    const item = { id: item_id, type: "reasoning", summary: [{ type: "summary_text", text: reply.thinking }], ...encrypted };
    emit("response.output_item.done", { output_index, item });
    output.push(item);
  }
  if (reply.text) {
    const output_index = output.length;
    const item_id = newId("msg");
    emit("response.output_item.added", { output_index, item: { id: item_id, type: "message", status: "in_progress", content: [], role: "assistant" } });
    const part = { item_id, output_index, content_index: 0 };
    emit("response.content_part.added", { ...part, part: { type: "output_text", annotations: [], logprobs: [], text: "" } });
    for (const delta of splitIntoChunks(reply.text, reply.textChunks)) emit("response.output_text.delta", { ...part, delta, logprobs: [] });
    emit("response.output_text.done", { ...part, text: reply.text, logprobs: [] });
    const content = { type: "output_text", annotations: [], logprobs: [], text: reply.text };
    emit("response.content_part.done", { ...part, part: content });
    const item = { id: item_id, type: "message", status: "completed", content: [content], role: "assistant" };
    emit("response.output_item.done", { output_index, item });
    output.push(item);
  }
  for (const call of reply.toolCalls ?? []) {
    const output_index = output.length;
    const item_id = newId("fc");
    const callId = call.id ?? newId("call");
    const args = toolArguments(call);
    emit("response.output_item.added", { output_index, item: { id: item_id, type: "function_call", status: "in_progress", arguments: "", call_id: callId, name: call.name } });
    for (const delta of splitIntoChunks(args, 3)) emit("response.function_call_arguments.delta", { item_id, output_index, delta });
    emit("response.function_call_arguments.done", { item_id, output_index, arguments: args });
    const item = { id: item_id, type: "function_call", status: "completed", arguments: args, call_id: callId, name: call.name };
    emit("response.output_item.done", { output_index, item });
    output.push(item);
  }

  const usage = reply.omitUsage ? null : openaiResponsesUsage(reply, prompt);
  if (replyStopReason(reply) === "max_tokens") {
    emit("response.incomplete", { response: response("incomplete", output, { incomplete_details: { reason: "max_output_tokens" }, usage }) });
    return events;
  }
  emit("response.completed", { response: response("completed", output, { usage }) });
  return events;
}
