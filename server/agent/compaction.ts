// Keeps every request inside the model's context window. Before a request that would pass the
// threshold, old bulky tool results are trimmed; if that is not enough, older turns are summarised
// by the model into one message. Both are events, so the projection rebuilds what was sent.
import type { ContentBlock, Message, ModelClient, ToolSchema, Usage } from "../llm/model-client";
import type { PersistedEventPayloads, PersistedEventType, SessionEvent } from "./events";
import type { MessageProjection } from "./messages";

/** Context windows by model name; the first match wins. Settings may override per model. */
const defaultWindows: Array<[RegExp, number]> = [
  [/^claude-/, 200_000],
  [/^gpt-5/, 400_000],
  [/^gpt-4\.1/, 1_000_000],
  [/^o\d/, 200_000],
  [/^gpt-/, 128_000],
];
const fallbackWindow = 128_000;

export const contextWindowFor = (model: string, overrides: Record<string, number> = {}): number =>
  overrides[model] ?? defaultWindows.find(([pattern]) => pattern.test(model))?.[1] ?? fallbackWindow;

export type ContextSettings = {
  /** Tokens the model accepts; default from the model name. */
  window: number;
  /** Share of the window at which the context is reduced (default 0.8). */
  threshold: number;
  /** Share of the window the verbatim recent turns may take after a summary (default 0.25). */
  keepRecentShare: number;
  /** Tool results longer than this many characters may be trimmed once old. */
  trimAboveChars: number;
  /** Characters a trimmed result keeps (half head, half tail). */
  keepChars: number;
};

export const contextSettingsFor = (model: string, overrides: Partial<ContextSettings> & { windows?: Record<string, number> } = {}): ContextSettings => ({
  window: overrides.window ?? contextWindowFor(model, overrides.windows),
  threshold: overrides.threshold ?? 0.8,
  keepRecentShare: overrides.keepRecentShare ?? 0.25,
  trimAboveChars: overrides.trimAboveChars ?? 2_000,
  keepChars: overrides.keepChars ?? 1_000,
});

const trimMarker = "characters of this old tool result were dropped to save context";

/** Head and tail of an old tool result, saying what was dropped. Deterministic: the projection replays it. */
export const trimToolOutput = (output: string, keepChars: number): string => {
  if (output.length <= keepChars || output.includes(trimMarker)) return output;
  const head = Math.ceil(keepChars / 2);
  const tail = keepChars - head;
  return `${output.slice(0, head)}\n[… ${output.length - keepChars} ${trimMarker} …]\n${output.slice(output.length - tail)}`;
};

export const summaryPreamble = "This session was compacted to fit the model's context window. The earlier conversation is summarised below; the recent turns follow verbatim.";

/** The user message that stands for every summarised message (then the re-injected instructions). */
export const summaryMessage = (summary: string, context?: string): Message => ({
  role: "user",
  content: [{ type: "text", text: `${summaryPreamble}\n<summary>\n${summary}\n</summary>` }, ...(context ? [{ type: "text" as const, text: context }] : [])],
});

const isSummaryMessage = (message: Message | undefined) => message?.content[0]?.type === "text" && message.content[0].text.startsWith(summaryPreamble);

export const summaryHeadings = ["Task", "Decisions", "Files touched", "Errors and fixes", "Open todos", "Next step"];

export const summarySystemPrompt = `You summarise a coding agent's session so the agent can continue from the summary alone.
Be concrete: file paths, function names, commands, error messages, decisions and their reasons. Do not call tools.`;

export const summaryInstructions = (focus?: string) =>
  [
    "Summarise the conversation above for the agent that continues this session. Use exactly these sections:",
    ...summaryHeadings.map((heading) => `## ${heading}`),
    "Under Task, state the user's request(s) in full. Under Files touched, list each path and what changed. Under Next step, say what the agent was doing last and what comes next.",
    ...(focus ? [`Focus especially on: ${focus}`] : []),
  ].join("\n");

/** Characters of a request as the model gets it (images count as a fixed amount, not their base64). */
export const requestChars = (system: string, tools: ToolSchema[], messages: Message[]): number =>
  JSON.stringify({ tools, system, messages }, (key, value: unknown) => (key === "base64" ? "" : value)).length +
  messages.reduce((sum, message) => sum + message.content.reduce((n, block) => n + (block.type === "tool_result" ? (block.images?.length ?? 0) * 6_000 : 0), 0), 0);

const charsToTokens = (chars: number) => Math.ceil(chars / 4);

/** Per session, across turns: the last real measurement and the back-off after failed summaries. */
export type ContextState = {
  anchor?: { chars: number; tokens: number };
  pendingChars?: number;
  requests: number;
  failures: number;
  retryAtRequest: number;
};

export const createContextState = (): ContextState => ({ requests: 0, failures: 0, retryAtRequest: 0 });

type RecordProjected = <T extends PersistedEventType>(type: T, payload: PersistedEventPayloads[T]) => Promise<SessionEvent<T>>;

export type ContextManagerOptions = {
  client: ModelClient;
  model: string;
  system: string;
  toolSchemas: ToolSchema[];
  projection: MessageProjection;
  /** Records an event AND applies it to the projection. */
  record: RecordProjected;
  settings: ContextSettings;
  state: ContextState;
  maxTokens: number;
};

export type CompactOutcome = { compacted: true; tokensBefore: number; tokensAfter: number } | { compacted: false; reason: string };

export type ContextManager = ReturnType<typeof createContextManager>;

export const createContextManager = (options: ContextManagerOptions) => {
  const { projection, settings, state } = options;
  const limit = settings.window * settings.threshold;

  const currentChars = () => requestChars(options.system, options.toolSchemas, projection.messages());
  /** Real usage of the last request plus the size of what changed since, else characters / 4. */
  const estimateTokens = (chars = currentChars()) =>
    state.anchor ? Math.max(0, state.anchor.tokens + charsToTokens(chars - state.anchor.chars)) : charsToTokens(chars);

  /** Bulky tool results outside the newest messages, not trimmed yet. */
  const trimCandidates = () => {
    const messages = projection.messages();
    const protectedFrom = Math.max(0, messages.length - 4);
    return messages.slice(0, protectedFrom).flatMap((message) =>
      message.content.flatMap((block) =>
        block.type === "tool_result" && block.content.length > settings.trimAboveChars && trimToolOutput(block.content, settings.keepChars) !== block.content ? [block.toolUseId] : [],
      ),
    );
  };

  const trim = async () => {
    const toolUseIds = trimCandidates();
    if (toolUseIds.length === 0) return;
    const ids = new Set(toolUseIds);
    const saved = projection.messages().reduce(
      (sum, message) =>
        sum + message.content.reduce((n, block) => n + (block.type === "tool_result" && ids.has(block.toolUseId) ? block.content.length - trimToolOutput(block.content, settings.keepChars).length : 0), 0),
      0,
    );
    const chars = currentChars();
    await options.record("context_trimmed", { toolUseIds, keepChars: settings.keepChars, tokensBefore: estimateTokens(chars), tokensAfter: estimateTokens(chars - saved) });
  };

  /** Index of the first message kept verbatim: an assistant message, the recent turns within budget. */
  const cutIndex = (budget: number): number => {
    const messages = projection.messages();
    let best = -1;
    let tokens = 0;
    for (let index = messages.length - 1; index >= 1; index--) {
      tokens += charsToTokens(JSON.stringify(messages[index]).length);
      if (messages[index].role !== "assistant") continue;
      if (best !== -1 && tokens > budget) break;
      best = index;
    }
    return best;
  };

  const compact = async (trigger: "auto" | "manual", signal: AbortSignal, focus?: string): Promise<CompactOutcome> => {
    const messages = projection.messages();
    // On demand, everything but the last reply is summarised; automatically, recent turns stay.
    const cut = cutIndex(trigger === "manual" ? 0 : settings.window * settings.keepRecentShare);
    if (cut < 1) return { compacted: false, reason: "There is nothing older to summarise yet." };
    if (trigger === "auto" && cut === 1 && isSummaryMessage(messages[0])) return { compacted: false, reason: "Only the previous summary is older than the recent turns." };
    const older = messages.slice(0, cut);
    const tokensBefore = estimateTokens();
    const response = await options.client.stream(
      {
        model: options.model,
        system: summarySystemPrompt,
        tools: [],
        messages: [{ role: "user", content: [{ type: "text", text: renderTranscript(older, settings.window * 2) }, { type: "text", text: summaryInstructions(focus) }] }],
        maxTokens: Math.min(options.maxTokens, 8_000),
      },
      { signal },
    );
    const summary = response.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n").trim();
    if (!summary) throw new Error("The model returned an empty summary.");
    const context = [projection.contextNote(), ...loadedSkills(older)].filter(Boolean).join("\n\n") || undefined;
    const keptFromSeq = projection.startSeqs()[cut];
    const after = currentChars() - requestChars("", [], older) + requestChars("", [], [summaryMessage(summary, context)]);
    const tokensAfter = estimateTokens(after);
    await options.record("compaction", { summary, tokensBefore, tokensAfter, keptFromSeq, trigger, ...(focus ? { focus } : {}), ...(context ? { context } : {}) });
    return { compacted: true, tokensBefore, tokensAfter };
  };

  return {
    estimateTokens,
    /** Before each model request: trim, then summarise, when the request would pass the threshold. */
    async beforeRequest(signal: AbortSignal) {
      state.requests += 1;
      if (estimateTokens() > limit) await trim();
      if (estimateTokens() > limit && state.requests >= state.retryAtRequest) {
        const outcome = await compact("auto", signal).catch((error: unknown) => error as Error);
        if (outcome instanceof Error) {
          if (signal.aborted) throw outcome;
          // Keep the full history and try again later, backing off: 2, 4, 8 ... requests.
          state.failures += 1;
          state.retryAtRequest = state.requests + Math.min(2 ** state.failures, 32);
          await options.record("error", { message: `Could not compact the context (${outcome.message}); the full history is kept and compaction is retried later.`, kind: "compaction_failed", retryable: true });
        } else if (outcome.compacted) {
          state.failures = 0;
        }
      }
      state.pendingChars = currentChars();
    },
    /** After a reply: anchor the estimate on the provider's real count. */
    afterResponse(usage: Usage) {
      const tokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
      if (tokens > 0 && state.pendingChars !== undefined) state.anchor = { chars: state.pendingChars, tokens };
    },
    /** `/compact [focus]`: summarise now, whatever the size (trimming first). */
    async compactNow(signal: AbortSignal, focus?: string): Promise<CompactOutcome> {
      await trim();
      return compact("manual", signal, focus);
    },
  };
};

/** The older messages as plain text for the summary request, long blocks clipped, newest kept when over budget. */
const renderTranscript = (messages: Message[], maxChars: number): string => {
  const names = new Map<string, string>();
  const render = (role: string, block: ContentBlock): string => {
    switch (block.type) {
      case "text":
        return `[${role}] ${trimToolOutput(block.text, 8_000)}`;
      case "thinking":
        return "";
      case "tool_use":
        names.set(block.id, block.name);
        return `[assistant called ${block.name}] ${trimToolOutput(JSON.stringify(block.input), 2_000)}`;
      case "tool_result":
        return `[${names.get(block.toolUseId) ?? "tool"} ${block.isError ? "error" : "result"}] ${trimToolOutput(block.content, 2_000)}`;
    }
  };
  const parts = messages.flatMap((message) => message.content.map((block) => render(message.role, block)).filter(Boolean));
  const text = parts.join("\n\n");
  if (text.length <= maxChars) return `<conversation>\n${text}\n</conversation>`;
  // The first part holds the task (or the previous summary); keep it and the newest parts.
  const first = parts[0] ?? "";
  const rest = text.slice(text.length - (maxChars - first.length));
  return `<conversation>\n${first}\n\n[… older turns omitted …]\n${rest}\n</conversation>`;
};

/** Skill bodies loaded in the summarised part: they are re-injected after the summary. */
const loadedSkills = (messages: Message[]): string[] => {
  const skillCalls = new Set(messages.flatMap((message) => message.content.flatMap((block) => (block.type === "tool_use" && block.name === "Skill" ? [block.id] : []))));
  return messages.flatMap((message) =>
    message.content.flatMap((block) => (block.type === "tool_result" && skillCalls.has(block.toolUseId) && !block.isError ? [`<loaded-skill>\n${block.content}\n</loaded-skill>`] : [])),
  );
};
