// The one seam between the agent loop and any model provider. Provider adapters (anthropic.ts,
// openai.ts, openai-compatible.ts) translate this provider-neutral shape to and from their wire format.

export type TextBlock = { type: "text"; text: string };
export type ThinkingBlock = { type: "thinking"; thinking: string; signature?: string };
export type ToolUseBlock = {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
  /** Set when the model's arguments were not valid JSON: the raw text it sent. */
  invalidJson?: string;
};
export type ToolResultBlock = {
  type: "tool_result";
  toolUseId: string;
  content: string;
  isError: boolean;
};
export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock | ToolResultBlock;

export type Message = { role: "user" | "assistant"; content: ContentBlock[] };

export type ToolSchema = {
  name: string;
  description: string;
  /** JSON Schema of the input object. */
  inputSchema: Record<string, unknown>;
};

export type ModelRequest = {
  model: string;
  system: string;
  tools: ToolSchema[];
  messages: Message[];
  maxTokens: number;
};

/** Token usage normalised across providers. inputTokens excludes cached tokens. */
export type Usage = {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
};

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
});

export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal" | "other";

export type ModelResponse = {
  content: ContentBlock[];
  stopReason: StopReason;
  usage: Usage;
};

/** Live-only deltas for the UI while a reply streams. */
export type ModelDelta =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool_call_started"; id: string; name: string }
  /** A tool_use block is complete (its arguments fully streamed) before the reply ends. */
  | { type: "tool_call_ready"; block: ToolUseBlock };

export type StreamOptions = {
  signal: AbortSignal;
  onDelta?: (delta: ModelDelta) => void;
};

export interface ModelClient {
  readonly provider: ProviderKind;
  stream(request: ModelRequest, options: StreamOptions): Promise<ModelResponse>;
}

export type ProviderKind = "anthropic" | "openai" | "openai-compatible";

export type ModelErrorKind =
  | "auth" // 401/403
  | "rate_limit" // 429
  | "overloaded" // 529 / overloaded_error
  | "server" // 5xx
  | "bad_request" // 400/404/422
  | "bad_response" // malformed stream or body
  | "connection" // refused, reset, dropped mid-stream, stalled
  | "aborted";

const retryableKinds: ReadonlySet<ModelErrorKind> = new Set(["rate_limit", "overloaded", "server", "connection"]);

/** Every provider failure surfaces as this, with a message fit to show the user. */
export class ModelError extends Error {
  readonly kind: ModelErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(kind: ModelErrorKind, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "ModelError";
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
  get retryable(): boolean {
    return retryableKinds.has(this.kind);
  }
}

export type ProviderConfig = {
  kind: ProviderKind;
  /** For anthropic/openai optional (official endpoint); required for openai-compatible. */
  baseUrl?: string;
  apiKey: string;
  model: string;
};
