// Anthropic Messages API adapter: translates ModelRequest to the wire shape (with prompt-cache
// breakpoints), streams the reply into ModelDeltas and normalises usage and errors.
import Anthropic, { APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
  StopReason as AnthropicStopReason,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages";
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
  type StopReason,
  type StreamOptions,
  type ToolUseBlock,
  type Usage,
} from "./model-client";
import { drainStream } from "./drain-stream";

export type AnthropicClientConfig = {
  apiKey: string;
  baseUrl?: string;
  /** Shown in error messages. */
  label?: string;
};

const ephemeral = { type: "ephemeral" } as const;

/** How many of the newest user messages get a cache breakpoint (system + tools + these <= 4). */
const messageBreakpoints = 2;

function toAnthropicBlock(block: ContentBlock): ContentBlockParam | undefined {
  switch (block.type) {
    case "text":
      // The API rejects empty text blocks.
      return block.text === "" ? undefined : { type: "text", text: block.text };
    case "thinking":
      // Thinking without a signature (e.g. from another provider) cannot be verified: leave it out.
      return block.signature ? { type: "thinking", thinking: block.thinking, signature: block.signature } : undefined;
    case "tool_use":
      // Invalid JSON is sent back as {}: the tool_result already told the model what went wrong.
      return { type: "tool_use", id: block.id, name: block.name, input: block.invalidJson !== undefined ? {} : (block.input ?? {}) };
    case "tool_result":
      if (block.images?.length) {
        const images = block.images.map((image) => ({
          type: "image" as const,
          source: { type: "base64" as const, media_type: image.mediaType as "image/png", data: image.base64 },
        }));
        return { type: "tool_result", tool_use_id: block.toolUseId, content: [{ type: "text", text: block.content }, ...images], is_error: block.isError };
      }
      return { type: "tool_result", tool_use_id: block.toolUseId, content: block.content, is_error: block.isError };
  }
}

function toAnthropicMessages(messages: Message[]): MessageParam[] {
  const converted = messages.map((message) => ({
    role: message.role,
    content: message.content.map(toAnthropicBlock).filter((block): block is ContentBlockParam => block !== undefined),
  }));
  const userIndexes = converted.flatMap((message, index) => (message.role === "user" && message.content.length > 0 ? [index] : []));
  for (const index of userIndexes.slice(-messageBreakpoints)) {
    const content = converted[index]?.content ?? [];
    const last = content[content.length - 1];
    if (last) content[content.length - 1] = { ...last, cache_control: ephemeral } as ContentBlockParam;
  }
  return converted;
}

/** The request body we send (exported for tests). */
export function toAnthropicParams(request: ModelRequest): MessageCreateParamsStreaming {
  const tools: Tool[] = request.tools.map((tool, index) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Tool["input_schema"],
    ...(index === request.tools.length - 1 ? { cache_control: ephemeral } : {}),
  }));
  const system: TextBlockParam[] = request.system ? [{ type: "text", text: request.system, cache_control: ephemeral }] : [];
  return {
    model: request.model,
    max_tokens: request.maxTokens,
    system,
    ...(tools.length > 0 ? { tools } : {}),
    messages: toAnthropicMessages(request.messages),
    stream: true,
  };
}

const stopReasons: Partial<Record<AnthropicStopReason, StopReason>> = {
  end_turn: "end_turn",
  tool_use: "tool_use",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  refusal: "refusal",
};

type BlockBuilder =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; json: string; done?: ToolUseBlock }
  | { type: "ignored" };

function finishToolUse(builder: { id: string; name: string; json: string }): ToolUseBlock {
  if (builder.json.trim() === "") return { type: "tool_use", id: builder.id, name: builder.name, input: {} };
  try {
    return { type: "tool_use", id: builder.id, name: builder.name, input: JSON.parse(builder.json) };
  } catch {
    return { type: "tool_use", id: builder.id, name: builder.name, input: {}, invalidJson: builder.json };
  }
}

const toContentBlock = (builder: BlockBuilder): ContentBlock | undefined => {
  switch (builder.type) {
    case "text":
      return { type: "text", text: builder.text };
    case "thinking":
      return { type: "thinking", thinking: builder.thinking, signature: builder.signature };
    case "tool_use":
      return builder.done ?? finishToolUse(builder);
    case "ignored":
      return undefined;
  }
};

const providerMessage = (error: APIError): string => {
  const body = error.error as { error?: { message?: unknown }; message?: unknown } | undefined;
  const message = body?.error?.message ?? body?.message ?? error.message;
  return typeof message === "string" ? message : JSON.stringify(message);
};

const errorTypeKinds: Record<string, number> = {
  overloaded_error: 529,
  rate_limit_error: 429,
  api_error: 500,
  authentication_error: 401,
  permission_error: 403,
  invalid_request_error: 400,
  not_found_error: 404,
  request_too_large: 413,
};

function toModelError(error: unknown, signal: AbortSignal, label: string): ModelError {
  if (error instanceof ModelError) return error;
  if (signal.aborted || error instanceof APIUserAbortError) return new ModelError("aborted", `The ${label} request was stopped`, { cause: error });
  if (error instanceof APIError && error.status !== undefined) {
    return modelErrorFromStatus(label, error.status, providerMessage(error), {
      retryAfterMs: parseRetryAfterMs(error.headers),
      overloaded: error.type === "overloaded_error",
      cause: error,
    });
  }
  if (error instanceof APIError && error.type) {
    // An `event: error` inside a 200 stream carries only the error type.
    return modelErrorFromStatus(label, errorTypeKinds[error.type] ?? 500, providerMessage(error), { cause: error, overloaded: error.type === "overloaded_error" });
  }
  if (error instanceof SyntaxError) return new ModelError("bad_response", `${label} sent a malformed stream: ${error.message}`, { cause: error });
  if (isConnectionFailure(error)) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return new ModelError("connection", `Lost the connection to ${label}: ${reason}`, { cause: error });
  }
  if (error instanceof APIError) return new ModelError("connection", `Could not reach ${label}: ${error.message}`, { cause: error });
  throw error;
}

export function createAnthropicClient(config: AnthropicClientConfig): ModelClient {
  const label = config.label ?? "Anthropic";
  const sdk = new Anthropic({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    maxRetries: 0, // retry.ts owns retries
    logLevel: "off",
  });

  async function stream(request: ModelRequest, options: StreamOptions): Promise<ModelResponse> {
    const { signal, onDelta, onActivity } = options;
    const builders: BlockBuilder[] = [];
    const usage: Usage = emptyUsage();
    let stopReason: StopReason = "other";
    let finished = false;

    const handle = (event: RawMessageStreamEvent) => {
      switch (event.type) {
        case "message_start": {
          const start = event.message.usage;
          usage.inputTokens = start.input_tokens ?? 0;
          usage.cacheReadTokens = start.cache_read_input_tokens ?? 0;
          usage.cacheWriteTokens = start.cache_creation_input_tokens ?? 0;
          usage.outputTokens = start.output_tokens ?? 0;
          return;
        }
        case "content_block_start": {
          const block = event.content_block;
          if (block.type === "text") builders[event.index] = { type: "text", text: block.text };
          else if (block.type === "thinking") builders[event.index] = { type: "thinking", thinking: block.thinking, signature: block.signature };
          else if (block.type === "tool_use") {
            builders[event.index] = { type: "tool_use", id: block.id, name: block.name, json: "" };
            onDelta?.({ type: "tool_call_started", id: block.id, name: block.name });
          } else builders[event.index] = { type: "ignored" };
          if (block.type === "text" && block.text) onDelta?.({ type: "text", text: block.text });
          return;
        }
        case "content_block_delta": {
          const builder = builders[event.index];
          const delta = event.delta;
          if (delta.type === "text_delta" && builder?.type === "text") {
            builder.text += delta.text;
            onDelta?.({ type: "text", text: delta.text });
          } else if (delta.type === "thinking_delta" && builder?.type === "thinking") {
            builder.thinking += delta.thinking;
            onDelta?.({ type: "thinking", text: delta.thinking });
          } else if (delta.type === "signature_delta" && builder?.type === "thinking") {
            builder.signature += delta.signature;
          } else if (delta.type === "input_json_delta" && builder?.type === "tool_use") {
            builder.json += delta.partial_json;
          }
          return;
        }
        case "content_block_stop": {
          const builder = builders[event.index];
          if (builder?.type !== "tool_use") return;
          builder.done = finishToolUse(builder);
          onDelta?.({ type: "tool_call_ready", block: builder.done });
          return;
        }
        case "message_delta": {
          stopReason = (event.delta.stop_reason && stopReasons[event.delta.stop_reason]) || "other";
          // message_delta usage is cumulative; input fields are present only on some API versions.
          usage.outputTokens = event.usage.output_tokens;
          if (event.usage.input_tokens != null) usage.inputTokens = event.usage.input_tokens;
          if (event.usage.cache_read_input_tokens != null) usage.cacheReadTokens = event.usage.cache_read_input_tokens;
          if (event.usage.cache_creation_input_tokens != null) usage.cacheWriteTokens = event.usage.cache_creation_input_tokens;
          return;
        }
        case "message_stop":
          finished = true;
          return;
      }
    };

    await drainStream({
      open: () => sdk.messages.create(toAnthropicParams(request), { signal }),
      handle,
      signal,
      onActivity,
      label,
      complete: () => finished,
      toModelError,
    });
    const content = builders.map(toContentBlock).filter((block): block is ContentBlock => block !== undefined);
    return { content, stopReason, usage };
  }

  return { provider: "anthropic", stream };
}
