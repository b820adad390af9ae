// OpenAI Responses API adapter: stateless requests (store: false, the whole history as input items),
// streaming text, reasoning summaries and function calls, with encrypted reasoning passed back.
import OpenAI from "openai";
import type {
  FunctionTool,
  ResponseCreateParamsStreaming,
  ResponseInputItem,
  ResponseOutputItem,
  ResponseStreamEvent,
  ResponseUsage,
} from "openai/resources/responses/responses";
import {
  type ContentBlock,
  emptyUsage,
  type Message,
  type ModelClient,
  ModelError,
  type ModelErrorKind,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
  type StreamOptions,
  type ThinkingBlock,
  type ToolUseBlock,
  type Usage,
} from "./model-client";
import { drainStream } from "./drain-stream";
import { toModelError } from "./openai";

export type OpenAIResponsesClientConfig = {
  apiKey: string;
  baseUrl?: string;
};

const label = "OpenAI";

/** o-series, GPT-5 (not its -chat variants) and codex models reason; only they accept reasoning options. */
export const isReasoningModel = (model: string): boolean => /^(?:openai\/)?(?:o\d|gpt-5(?!.*-chat)|codex)/i.test(model);

// With store: false nothing is kept server-side, so items go back without their ids (as Codex does):
// an id would make the API look up an item it never stored.
type AssistantTextItem = { type: "message"; role: "assistant"; content: { type: "output_text"; text: string; annotations: [] }[] };
type ReasoningInputItem = { type: "reasoning"; summary: { type: "summary_text"; text: string }[]; encrypted_content: string };
type FunctionCallInputItem = { type: "function_call"; call_id: string; name: string; arguments: string };

function assistantItems(message: Message): ResponseInputItem[] {
  const items: (AssistantTextItem | ReasoningInputItem | FunctionCallInputItem)[] = [];
  for (const block of message.content) {
    // Reasoning without its encrypted item (another provider's, or none returned) cannot be sent back.
    if (block.type === "thinking" && block.encryptedReasoning) {
      items.push({ type: "reasoning", summary: block.thinking ? [{ type: "summary_text", text: block.thinking }] : [], encrypted_content: block.encryptedReasoning });
    }
    if (block.type === "text" && block.text) items.push({ type: "message", role: "assistant", content: [{ type: "output_text", text: block.text, annotations: [] }] });
    if (block.type === "tool_use") {
      items.push({ type: "function_call", call_id: block.id, name: block.name, arguments: block.invalidJson !== undefined ? "{}" : JSON.stringify(block.input ?? {}) });
    }
  }
  return items as ResponseInputItem[];
}

function userItems(message: Message): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  // Tool results must directly follow the function calls they answer.
  for (const block of message.content) {
    if (block.type === "tool_result") items.push({ type: "function_call_output", call_id: block.toolUseId, output: block.content });
  }
  const images = message.content.flatMap((block) => (block.type === "tool_result" ? (block.images ?? []) : []));
  if (images.length > 0) {
    items.push({
      role: "user",
      content: [
        { type: "input_text", text: "Images returned by the tool calls above:" },
        ...images.map((image) => ({ type: "input_image" as const, detail: "auto" as const, image_url: `data:${image.mediaType};base64,${image.base64}` })),
      ],
    });
  }
  const text = message.content
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n");
  if (text) items.push({ role: "user", content: [{ type: "input_text", text }] });
  return items;
}

/** The request body we send (exported for tests). */
export function toResponsesParams(request: ModelRequest): ResponseCreateParamsStreaming {
  const tools: FunctionTool[] = request.tools.map((tool) => ({ type: "function", name: tool.name, description: tool.description, parameters: tool.inputSchema, strict: false }));
  const reasoning = isReasoningModel(request.model);
  return {
    model: request.model,
    ...(request.system ? { instructions: request.system } : {}),
    input: request.messages.flatMap((message) => (message.role === "assistant" ? assistantItems(message) : userItems(message))),
    ...(tools.length > 0 ? { tools } : {}),
    max_output_tokens: request.maxTokens,
    stream: true,
    store: false,
    // Non-reasoning models reject these; reasoning ones need them to stream summaries and to get
    // the reasoning back in a form we can return with store: false.
    ...(reasoning ? { reasoning: { summary: "auto" }, include: ["reasoning.encrypted_content"] } : {}),
  };
}

type ItemBuilder =
  | { kind: "text"; text: string }
  | { kind: "reasoning"; text: string; summaryIndex: number; encryptedReasoning?: string }
  | { kind: "call"; id: string; name: string; args: string; done?: ToolUseBlock };

function finishToolCall(builder: Extract<ItemBuilder, { kind: "call" }>): ToolUseBlock {
  if (builder.args.trim() === "") return { type: "tool_use", id: builder.id, name: builder.name, input: {} };
  try {
    return { type: "tool_use", id: builder.id, name: builder.name, input: JSON.parse(builder.args) };
  } catch {
    return { type: "tool_use", id: builder.id, name: builder.name, input: {}, invalidJson: builder.args };
  }
}

function toContentBlock(builder: ItemBuilder): ContentBlock | undefined {
  if (builder.kind === "call") return builder.done ?? finishToolCall(builder);
  if (builder.kind === "text") return builder.text ? { type: "text", text: builder.text } : undefined;
  if (!builder.text && !builder.encryptedReasoning) return undefined;
  const block: ThinkingBlock = { type: "thinking", thinking: builder.text };
  return builder.encryptedReasoning ? { ...block, encryptedReasoning: builder.encryptedReasoning } : block;
}

const toUsage = (usage: ResponseUsage | undefined): Usage => {
  if (!usage) return emptyUsage();
  const cached = usage.input_tokens_details?.cached_tokens ?? 0;
  return { inputTokens: Math.max(0, usage.input_tokens - cached), cacheReadTokens: cached, cacheWriteTokens: 0, outputTokens: usage.output_tokens };
};

const failedResponseKinds: Record<string, ModelErrorKind> = { rate_limit_exceeded: "rate_limit", server_error: "server", vector_store_timeout: "server" };

export function createOpenAIResponsesClient(config: OpenAIResponsesClientConfig): ModelClient {
  const sdk = new OpenAI({
    apiKey: config.apiKey || "no-key",
    baseURL: config.baseUrl,
    maxRetries: 0, // retry.ts owns retries
    logLevel: "off",
  });

  async function stream(request: ModelRequest, options: StreamOptions): Promise<ModelResponse> {
    const { signal, onDelta, onActivity } = options;
    const items = new Map<number, ItemBuilder>();
    let usage: Usage = emptyUsage();
    let stopReason: StopReason | undefined;

    const itemAt = <K extends ItemBuilder["kind"]>(index: number, kind: K, create: () => Extract<ItemBuilder, { kind: K }>): Extract<ItemBuilder, { kind: K }> => {
      const existing = items.get(index);
      if (existing?.kind === kind) return existing as Extract<ItemBuilder, { kind: K }>;
      const created = create();
      items.set(index, created);
      return created;
    };

    const markReady = (builder: Extract<ItemBuilder, { kind: "call" }>) => {
      if (builder.done) return;
      builder.done = finishToolCall(builder);
      onDelta?.({ type: "tool_call_ready", block: builder.done });
    };

    const addItem = (index: number, item: ResponseOutputItem) => {
      if (item.type === "message") itemAt(index, "text", () => ({ kind: "text", text: "" }));
      if (item.type === "reasoning") itemAt(index, "reasoning", () => ({ kind: "reasoning", text: "", summaryIndex: 0 }));
      if (item.type === "function_call") {
        // Arguments arrive as deltas; output_item.done carries the complete string.
        const builder = itemAt(index, "call", () => ({ kind: "call", id: item.call_id, name: item.name, args: "" }));
        onDelta?.({ type: "tool_call_started", id: builder.id, name: builder.name });
      }
    };

    const finishItem = (index: number, item: ResponseOutputItem) => {
      if (item.type === "function_call") {
        const builder = itemAt(index, "call", () => ({ kind: "call", id: item.call_id, name: item.name, args: "" }));
        builder.args = item.arguments;
        markReady(builder);
      }
      if (item.type === "reasoning") {
        const builder = itemAt(index, "reasoning", () => ({ kind: "reasoning", text: "", summaryIndex: 0 }));
        if (!builder.text) builder.text = item.summary.map((part) => part.text).join("\n\n");
        if (item.encrypted_content) builder.encryptedReasoning = item.encrypted_content;
      }
      if (item.type === "message") {
        const builder = itemAt(index, "text", () => ({ kind: "text", text: "" }));
        if (!builder.text) builder.text = item.content.map((part) => (part.type === "output_text" ? part.text : part.refusal)).join("");
      }
    };

    const appendThinking = (index: number, summaryIndex: number, delta: string) => {
      const builder = itemAt(index, "reasoning", () => ({ kind: "reasoning", text: "", summaryIndex }));
      // Summary parts are separate paragraphs.
      const text = summaryIndex !== builder.summaryIndex && builder.text ? `\n\n${delta}` : delta;
      builder.summaryIndex = summaryIndex;
      builder.text += text;
      onDelta?.({ type: "thinking", text });
    };

    const handle = (event: ResponseStreamEvent) => {
      switch (event.type) {
        case "response.output_item.added":
          return addItem(event.output_index, event.item);
        case "response.output_text.delta":
        case "response.refusal.delta": {
          itemAt(event.output_index, "text", () => ({ kind: "text", text: "" })).text += event.delta;
          return onDelta?.({ type: "text", text: event.delta });
        }
        case "response.reasoning_summary_text.delta":
          return appendThinking(event.output_index, event.summary_index, event.delta);
        case "response.reasoning_text.delta":
          return appendThinking(event.output_index, 0, event.delta);
        case "response.function_call_arguments.delta": {
          const builder = items.get(event.output_index);
          if (builder?.kind === "call") builder.args += event.delta;
          return;
        }
        case "response.output_item.done":
          return finishItem(event.output_index, event.item);
        case "response.completed":
        case "response.incomplete": {
          for (const builder of items.values()) if (builder.kind === "call") markReady(builder);
          usage = toUsage(event.response.usage);
          const reason = event.response.incomplete_details?.reason;
          if (reason === "max_output_tokens") stopReason = "max_tokens";
          else if (reason === "content_filter") stopReason = "refusal";
          else if ([...items.values()].some((builder) => builder.kind === "call")) stopReason = "tool_use";
          else stopReason = event.type === "response.completed" ? "end_turn" : "other";
          return;
        }
        case "response.failed": {
          const error = event.response.error;
          // Unknown codes are about the request itself (a bad image, a policy refusal): retrying cannot help.
          const kind = error ? (failedResponseKinds[error.code] ?? "bad_request") : "server";
          throw new ModelError(kind, `${label} could not complete the response${error ? ` (${error.code}): ${error.message}` : ""}`);
        }
        default:
          return;
      }
    };

    await drainStream({
      open: () => sdk.responses.create(toResponsesParams(request), { signal }),
      handle,
      signal,
      onActivity,
      label,
      complete: () => stopReason !== undefined,
      toModelError,
    });

    const content = [...items.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, builder]) => toContentBlock(builder))
      .filter((block) => block !== undefined);
    // drainStream only returns once the stream ended with a stop reason.
    return { content, stopReason: stopReason ?? "other", usage };
  }

  return { provider: "openai-responses", stream };
}
