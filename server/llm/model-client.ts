// The one seam between the agent loop and any model provider. Provider adapters (anthropic.ts,
// openai.ts, openai-responses.ts, openai-compatible.ts) translate this provider-neutral shape to and from their wire format.

export type TextBlock = { type: "text"; text: string };
export type ThinkingBlock = {
  type: "thinking";
  thinking: string;
  /** Anthropic: proves the thinking is unaltered when it is sent back. */
  signature?: string;
  /** OpenAI Responses: the opaque reasoning item, sent back so the model keeps its reasoning across tool calls. */
  encryptedReasoning?: string;
};
export type ToolUseBlock = {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
  /** Set when the model's arguments were not valid JSON: the raw text it sent. */
  invalidJson?: string;
};
export type ImageData = { mediaType: string; base64: string };

export type ToolResultBlock = {
  type: "tool_result";
  toolUseId: string;
  content: string;
  isError: boolean;
  /** Images the tool returned (Read of a PNG, a screenshot). */
  images?: ImageData[];
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
  | { type: "tool_call_ready"; block: ToolUseBlock }
  /**
   * From retry.ts: the attempt failed and another starts after delayMs. Everything streamed so far
   * in this reply (text, thinking, tool calls, even ones announced ready) is void.
   */
  | { type: "retrying"; attempt: number; maxAttempts: number; delayMs: number; kind: ModelErrorKind; message: string };

export type StreamOptions = {
  signal: AbortSignal;
  onDelta?: (delta: ModelDelta) => void;
  /** Called on every raw stream event (including ones with no delta); retry.ts uses it to detect stalls. */
  onActivity?: () => void;
};

export interface ModelClient {
  readonly provider: ProviderKind;
  stream(request: ModelRequest, options: StreamOptions): Promise<ModelResponse>;
}

export type ProviderKind = "anthropic" | "openai" | "openai-responses" | "openai-compatible";

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
  /** For anthropic/openai/openai-responses optional (official endpoint); required for openai-compatible. */
  baseUrl?: string;
  apiKey: string;
  model: string;
};

/** Reads retry-after-ms / retry-after (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Turns an HTTP error status into a ModelError whose message a user can act on. */
export function modelErrorFromStatus(
  provider: string,
  status: number,
  providerMessage: string,
  options: { retryAfterMs?: number; cause?: unknown; overloaded?: boolean } = {},
): ModelError {
  const detail = providerMessage ? `: ${providerMessage}` : "";
  const common = { status, retryAfterMs: options.retryAfterMs, cause: options.cause };
  if (status === 401) return new ModelError("auth", `${provider} rejected the API key (401)${detail}`, common);
  if (status === 403) return new ModelError("auth", `${provider} denied access with this API key (403)${detail}`, common);
  if (status === 429) return new ModelError("rate_limit", `${provider} rate limit reached (429)${detail}`, common);
  if (status === 529 || options.overloaded) return new ModelError("overloaded", `${provider} is overloaded (${status})${detail}`, common);
  if (status >= 500) return new ModelError("server", `${provider} server error (${status})${detail}`, common);
  if (status === 404) return new ModelError("bad_request", `${provider} did not find the model or endpoint (404)${detail}`, common);
  return new ModelError("bad_request", `${provider} rejected the request (${status})${detail}`, common);
}

const connectionCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** True for errors from the network layer (fetch/undici), as opposed to bugs or HTTP statuses. */
export function isConnectionFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (connectionCodes.has(code) || code.startsWith("UND_ERR"))) return true;
    if (current.name === "TypeError" && /^(terminated|fetch failed)$/.test(current.message)) return true;
    if (/socket hang up|other side closed/i.test(current.message)) return true;
  }
  return false;
}
