// The provider-neutral script that drives the scripted model server, plus the request inspection it
// needs (expect checks, realistic usage estimates) for every wire format.

export type ScriptedToolCall = {
  id?: string;
  name: string;
  input?: Record<string, unknown>;
  /** Sent verbatim as the arguments instead of JSON.stringify(input), e.g. to send invalid JSON. */
  rawArguments?: string;
};

export type ScriptedUsage = {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
};

export type ScriptExpect = {
  /** The newest user message's text contains this. */
  lastUserTextIncludes?: string;
  /** A tool result sent since the last assistant reply contains this. */
  toolResultIncludes?: string;
  /** Every one of these tool names is offered in the request. */
  toolNames?: string[];
  /** The system prompt contains this. */
  systemIncludes?: string;
  /** The request body, as JSON text, contains this anywhere (e.g. a subagent's prompt in any turn). */
  requestIncludes?: string;
};

export type ScriptedReply = {
  text?: string;
  thinking?: string;
  toolCalls?: ScriptedToolCall[];
  stopReason?: "end_turn" | "tool_use" | "max_tokens";
  /** Overrides the estimated usage, field by field. */
  usage?: ScriptedUsage;
  /** How many deltas the text streams in (default 4); with chunkDelayMs, a steady token rate. */
  textChunks?: number;
  /** Pause between SSE events. */
  chunkDelayMs?: number;
  /** Pause before the first byte of the response. */
  delayMs?: number;
  /** Destroy the socket after this many SSE events. */
  dropAfterChunks?: number;
  /** Stop sending after this many SSE events but keep the socket open. */
  stallAfterChunks?: number;
  /** Send a broken SSE stream (invalid JSON in an event). */
  malformed?: true;
  /** OpenAI formats: leave out the usage (Chat Completions: the usage chunk even when asked for it, as some compatible servers do). */
  omitUsage?: true;
  expect?: ScriptExpect;
};

export type ScriptedError = {
  error: { status: number; body?: object; headers?: Record<string, string> };
  expect?: ScriptExpect;
};

export type ScriptStep = ScriptedReply | ScriptedError;

export type WireFormat = "anthropic" | "openai" | "openai-responses";

export const isErrorStep = (step: ScriptStep): step is ScriptedError => "error" in step && step.error !== undefined;

type Json = Record<string, unknown>;

const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

const textOf = (content: unknown): string => {
  if (typeof content === "string") return content;
  return asArray(content)
    .map((part) => (typeof part.text === "string" ? part.text : ""))
    .join("");
};

/** What the expect checks look at, read from any wire format. */
export type RequestView = { system: string; toolNames: string[]; lastUserText: string; toolResults: string[]; bodyText: string };

export function viewRequest(format: WireFormat, body: Json): RequestView {
  const view = format === "anthropic" ? viewAnthropicRequest(body) : format === "openai" ? viewOpenAIRequest(body) : viewOpenAIResponsesRequest(body);
  return { ...view, bodyText: JSON.stringify(body) };
}

function viewAnthropicRequest(body: Json): Omit<RequestView, "bodyText"> {
  const messages = asArray(body.messages);
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  const userBlocks = lastUser ? (typeof lastUser.content === "string" ? [{ type: "text", text: lastUser.content }] : asArray(lastUser.content)) : [];
  return {
    system: textOf(body.system),
    toolNames: asArray(body.tools).map((tool) => String(tool.name)),
    lastUserText: userBlocks
      .filter((block) => block.type === "text")
      .map((block) => String(block.text))
      .join("\n"),
    toolResults: userBlocks.filter((block) => block.type === "tool_result").map((block) => textOf(block.content)),
  };
}

function viewOpenAIRequest(body: Json): Omit<RequestView, "bodyText"> {
  const messages = asArray(body.messages);
  const lastAssistantIndex = messages.map((message) => message.role).lastIndexOf("assistant");
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  return {
    system: messages
      .filter((message) => message.role === "system" || message.role === "developer")
      .map((message) => textOf(message.content))
      .join("\n"),
    toolNames: asArray(body.tools).map((tool) => String((tool.function as Json | undefined)?.name ?? tool.name)),
    lastUserText: lastUser ? textOf(lastUser.content) : "",
    toolResults: messages
      .slice(lastAssistantIndex + 1)
      .filter((message) => message.role === "tool")
      .map((message) => textOf(message.content)),
  };
}

function viewOpenAIResponsesRequest(body: Json): Omit<RequestView, "bodyText"> {
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : asArray(body.input);
  // Everything the model produced last turn: its messages, function calls and reasoning.
  const lastAssistantIndex = input.map((item) => item.role === "assistant" || item.type === "function_call" || item.type === "reasoning").lastIndexOf(true);
  const lastUser = [...input].reverse().find((item) => item.role === "user");
  return {
    system: [textOf(body.instructions), ...input.filter((item) => item.role === "system" || item.role === "developer").map((item) => textOf(item.content))].filter(Boolean).join("\n"),
    toolNames: asArray(body.tools).map((tool) => String(tool.name)),
    lastUserText: lastUser ? textOf(lastUser.content) : "",
    toolResults: input
      .slice(lastAssistantIndex + 1)
      .filter((item) => item.type === "function_call_output")
      .map((item) => textOf(item.output)),
  };
}

/** Returns a description of every unmet expectation (empty when all hold). */
export function checkExpect(expect: ScriptExpect | undefined, view: RequestView): string[] {
  if (!expect) return [];
  const problems: string[] = [];
  if (expect.lastUserTextIncludes !== undefined && !view.lastUserText.includes(expect.lastUserTextIncludes)) {
    problems.push(`expected the last user text to include ${JSON.stringify(expect.lastUserTextIncludes)}, got ${JSON.stringify(view.lastUserText.slice(0, 300))}`);
  }
  if (expect.toolResultIncludes !== undefined && !view.toolResults.some((result) => result.includes(expect.toolResultIncludes as string))) {
    problems.push(`expected a tool result including ${JSON.stringify(expect.toolResultIncludes)}, got ${JSON.stringify(view.toolResults.map((result) => result.slice(0, 200)))}`);
  }
  const missingTools = (expect.toolNames ?? []).filter((name) => !view.toolNames.includes(name));
  if (missingTools.length > 0) {
    problems.push(`expected tools ${JSON.stringify(missingTools)} to be offered, got ${JSON.stringify(view.toolNames)}`);
  }
  if (expect.systemIncludes !== undefined && !view.system.includes(expect.systemIncludes)) {
    problems.push(`expected the system prompt to include ${JSON.stringify(expect.systemIncludes)}`);
  }
  if (expect.requestIncludes !== undefined && !view.bodyText.includes(expect.requestIncludes)) {
    problems.push(`expected the request to include ${JSON.stringify(expect.requestIncludes)}`);
  }
  return problems;
}

/**
 * The prompt as a provider would see it, in cache order (tools, system, messages), with cache
 * markers removed so a moving breakpoint does not break the shared prefix.
 */
export function promptText(format: WireFormat, body: Json): string {
  const withoutCacheControl = (_key: string, value: unknown) => (_key === "cache_control" ? undefined : value);
  if (format === "anthropic") return JSON.stringify({ tools: body.tools ?? [], system: body.system ?? "", messages: body.messages ?? [] }, withoutCacheControl);
  if (format === "openai-responses") return JSON.stringify({ tools: body.tools ?? [], instructions: body.instructions ?? "", input: body.input ?? [] });
  return JSON.stringify({ tools: body.tools ?? [], messages: body.messages ?? [] }, withoutCacheControl);
}

export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

const commonPrefixLength = (a: string, b: string): number => {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a.charCodeAt(index) === b.charCodeAt(index)) index++;
  return index;
};

/** Remembers recent prompts to report the longest shared prefix as cache reads, like a provider cache. */
export class PromptCache {
  private readonly recent: string[] = [];
  constructor(private readonly capacity = 32) {}

  /** Returns [total tokens, cached tokens] for this prompt and remembers it. */
  measure(prompt: string): { totalTokens: number; cachedTokens: number } {
    const longestShared = this.recent.reduce((best, previous) => Math.max(best, commonPrefixLength(previous, prompt)), 0);
    this.recent.push(prompt);
    if (this.recent.length > this.capacity) this.recent.shift();
    // Providers cache whole blocks, never the tail of the prompt itself.
    const cachedChars = longestShared >= prompt.length ? Math.max(0, prompt.length - 1) : longestShared;
    return { totalTokens: estimateTokens(prompt.length), cachedTokens: Math.floor(cachedChars / 4) };
  }

  clear(): void {
    this.recent.length = 0;
  }
}

/** Splits text into a few pieces so streaming is visible to the client. */
export function splitIntoChunks(text: string, pieces = 4): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const chunks: string[] = [];
  for (let start = 0; start < text.length; start += size) chunks.push(text.slice(start, start + size));
  return chunks;
}

export const toolArguments = (call: ScriptedToolCall): string => call.rawArguments ?? JSON.stringify(call.input ?? {});

export const replyOutputTokens = (reply: ScriptedReply): number =>
  Math.max(1, estimateTokens((reply.text ?? "").length + (reply.thinking ?? "").length + (reply.toolCalls ?? []).map(toolArguments).join("").length));

export const replyStopReason = (reply: ScriptedReply): "end_turn" | "tool_use" | "max_tokens" =>
  reply.stopReason ?? ((reply.toolCalls ?? []).length > 0 ? "tool_use" : "end_turn");
