// OpenAI Chat Completions adapter, for OpenAI itself and (through openai-compatible.ts) for any
// server speaking the same wire format: request translation, streaming deltas, usage and errors.
import OpenAI, { APIError, APIUserAbortError } from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import {
  type ContentBlock,
  emptyUsage,
  isConnectionFailure,
  type Message,
  type ModelClient,
  ModelError,
  modelErrorFromStatus,
  type ModelRequest,
  type ModelResponse,
  parseRetryAfterMs,
  type ProviderKind,
  type StopReason,
  type StreamOptions,
  type ToolUseBlock,
  type Usage,
} from "./model-client";
import { drainStream } from "./drain-stream";

export type OpenAIClientConfig = {
  apiKey: string;
  baseUrl?: string;
  /** Shown in error messages. */
  label?: string;
  provider?: ProviderKind;
  /** OpenAI wants max_completion_tokens; many compatible servers only know max_tokens. */
  maxTokensField?: "max_completion_tokens" | "max_tokens";
};

function toOpenAIMessages(system: string, messages: Message[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = system ? [{ role: "system", content: system }] : [];
  for (const message of messages) {
    const text = message.content
      .filter((block) => block.type === "text")
      .map((block) => block.text)
      .join("\n");
    if (message.role === "assistant") {
      const toolCalls: ChatCompletionMessageToolCall[] = message.content
        .filter((block) => block.type === "tool_use")
        .map((block) => ({
          id: block.id,
          type: "function",
          function: { name: block.name, arguments: block.invalidJson !== undefined ? "{}" : JSON.stringify(block.input ?? {}) },
        }));
      out.push({ role: "assistant", content: text || null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) });
      continue;
    }
    // Tool results must directly follow the assistant message that called the tools.
    for (const block of message.content) {
      if (block.type === "tool_result") out.push({ role: "tool", tool_call_id: block.toolUseId, content: block.content });
    }
    // Tool messages carry text only: images a tool returned follow as one user message.
    const images = message.content.flatMap((block) => (block.type === "tool_result" ? (block.images ?? []) : []));
    if (images.length > 0) {
      out.push({
        role: "user",
        content: [
          { type: "text", text: "Images returned by the tool calls above:" },
          ...images.map((image) => ({ type: "image_url" as const, image_url: { url: `data:${image.mediaType};base64,${image.base64}` } })),
        ],
      });
    }
    if (text) out.push({ role: "user", content: text });
  }
  return out;
}

/** The request body we send (exported for tests). */
export function toChatCompletionParams(request: ModelRequest, maxTokensField: OpenAIClientConfig["maxTokensField"] = "max_completion_tokens"): ChatCompletionCreateParamsStreaming {
  const tools: ChatCompletionTool[] = request.tools.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }));
  return {
    model: request.model,
    messages: toOpenAIMessages(request.system, request.messages),
    ...(tools.length > 0 ? { tools } : {}),
    [maxTokensField]: request.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  };
}

const finishReasons: Record<string, StopReason> = {
  stop: "end_turn",
  tool_calls: "tool_use",
  function_call: "tool_use",
  length: "max_tokens",
  content_filter: "refusal",
};

type ToolCallBuilder = { id: string; name: string; args: string; started: boolean; done?: ToolUseBlock };

function finishToolCall(builder: ToolCallBuilder): ToolUseBlock {
  if (builder.args.trim() === "") return { type: "tool_use", id: builder.id, name: builder.name, input: {} };
  try {
    return { type: "tool_use", id: builder.id, name: builder.name, input: JSON.parse(builder.args) };
  } catch {
    return { type: "tool_use", id: builder.id, name: builder.name, input: {}, invalidJson: builder.args };
  }
}

const providerMessage = (error: APIError): string => {
  const body = error.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const message = body?.message ?? body?.error?.message ?? error.message;
  return typeof message === "string" ? message : JSON.stringify(message);
};

/** Maps anything the openai SDK throws to a ModelError (shared with openai-responses.ts). */
export function toModelError(error: unknown, signal: AbortSignal, label: string): ModelError {
  if (error instanceof ModelError) return error;
  if (signal.aborted || error instanceof APIUserAbortError) return new ModelError("aborted", `The ${label} request was stopped`, { cause: error });
  if (error instanceof APIError && error.status !== undefined) {
    return modelErrorFromStatus(label, error.status, providerMessage(error), { retryAfterMs: parseRetryAfterMs(error.headers), cause: error });
  }
  if (error instanceof APIError && error.error !== undefined) {
    // An error object inside a 200 stream (common on compatible servers).
    return new ModelError("server", `${label} reported an error mid-stream: ${providerMessage(error)}`, { cause: error });
  }
  if (error instanceof SyntaxError) return new ModelError("bad_response", `${label} sent a malformed stream: ${error.message}`, { cause: error });
  if (isConnectionFailure(error)) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return new ModelError("connection", `Lost the connection to ${label}: ${reason}`, { cause: error });
  }
  if (error instanceof APIError) return new ModelError("connection", `Could not reach ${label}: ${error.message}`, { cause: error });
  throw error;
}

type ReasoningDelta = { reasoning_content?: string | null; reasoning?: string | null };

export function createOpenAIClient(config: OpenAIClientConfig): ModelClient {
  const label = config.label ?? "OpenAI";
  const provider = config.provider ?? "openai";
  const sdk = new OpenAI({
    // Local servers (Ollama, llama.cpp) need no key, but the SDK insists on one.
    apiKey: config.apiKey || "no-key",
    baseURL: config.baseUrl,
    maxRetries: 0, // retry.ts owns retries
    logLevel: "off",
  });

  async function stream(request: ModelRequest, options: StreamOptions): Promise<ModelResponse> {
    const { signal, onDelta, onActivity } = options;
    let text = "";
    let thinking = "";
    const toolCalls = new Map<number, ToolCallBuilder>();
    let usage: Usage = emptyUsage();
    let finishReason: string | undefined;

    const markReady = (builder: ToolCallBuilder) => {
      if (builder.done) return;
      builder.done = finishToolCall(builder);
      onDelta?.({ type: "tool_call_ready", block: builder.done });
    };

    const handle = (chunk: ChatCompletionChunk) => {
      if (chunk.usage) {
        const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
        usage = { inputTokens: Math.max(0, chunk.usage.prompt_tokens - cached), cacheReadTokens: cached, cacheWriteTokens: 0, outputTokens: chunk.usage.completion_tokens };
      }
      const choice = chunk.choices[0];
      if (!choice) return;
      const delta = choice.delta as ChatCompletionChunk.Choice.Delta & ReasoningDelta;
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) {
        thinking += reasoning;
        onDelta?.({ type: "thinking", text: reasoning });
      }
      if (delta.content) {
        text += delta.content;
        onDelta?.({ type: "text", text: delta.content });
      }
      for (const call of delta.tool_calls ?? []) {
        let builder = toolCalls.get(call.index);
        if (!builder) {
          // A new index means every earlier call's arguments are complete.
          for (const earlier of toolCalls.values()) markReady(earlier);
          builder = { id: call.id ?? `call_${call.index}_${Date.now().toString(36)}`, name: "", args: "", started: false };
          toolCalls.set(call.index, builder);
        }
        if (call.id) builder.id = call.id;
        if (call.function?.name) builder.name += call.function.name;
        if (call.function?.arguments) builder.args += call.function.arguments;
        if (!builder.started && builder.name) {
          builder.started = true;
          onDelta?.({ type: "tool_call_started", id: builder.id, name: builder.name });
        }
      }
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
        for (const builder of toolCalls.values()) markReady(builder);
      }
    };

    await drainStream({
      open: () => sdk.chat.completions.create(toChatCompletionParams(request, config.maxTokensField), { signal }),
      handle,
      signal,
      onActivity,
      label,
      complete: () => finishReason !== undefined,
      toModelError,
    });

    const blocks = [...toolCalls.entries()].sort(([a], [b]) => a - b).map(([, builder]) => builder.done ?? finishToolCall(builder));
    const content: ContentBlock[] = [
      ...(thinking ? [{ type: "thinking" as const, thinking }] : []),
      ...(text ? [{ type: "text" as const, text }] : []),
      ...blocks,
    ];
    // Some compatible servers say "stop" even when the reply is tool calls.
    const stopReason: StopReason = blocks.length > 0 && finishReason === "stop" ? "tool_use" : (finishReasons[finishReason ?? ""] ?? "other");
    return { content, stopReason, usage };
  }

  return { provider, stream };
}
