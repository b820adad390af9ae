// Folds a session's events (plus live deltas) into what the transcript shows: messages, tool
// cards with their status, errors and notices. Pure, so the page and its tests share it.
import type { LiveMessage, SessionEvent, SessionWatcher } from "@/server/agent/events";
import type { Usage } from "@/server/llm/model-client";

export type ToolCardItem = {
  kind: "tool";
  id: string;
  name: string;
  input: unknown;
  status: "pending" | "running" | "done" | "error";
  output?: string;
  liveOutput?: string;
  durationMs?: number;
  metadata?: Record<string, unknown>;
  /** A Task card: the subagent's own transcript, nested, with its tokens and cost. */
  children?: TranscriptItem[];
  subagent?: SubagentSummary;
};

export type SubagentSummary = { agent: string; tokensIn: number; tokensOut: number; costUsd: number | null; finished: boolean };

export type CompactionItem = { kind: "compaction"; seq: number; summary: string; tokensBefore: number; tokensAfter: number; trigger: "auto" | "manual"; focus?: string };

export type ApprovalItem = {
  kind: "approval";
  seq: number;
  requestId: string;
  toolUseId: string;
  toolName: string;
  input: unknown;
  reason: string;
  rule: string | null;
  dangerous: boolean;
  suggestedRules: string[];
  answer?: { choice: "allow_once" | "allow_session" | "allow_project" | "deny"; by: string; message?: string };
};

export type QuestionItem = {
  kind: "question";
  seq: number;
  requestId: string;
  questions: Array<{ question: string; header?: string; options: Array<{ label: string; description?: string }>; multiSelect?: boolean }>;
  answer?: { answers: string[]; by: string };
};

export type TodoItem = { content: string; status: "pending" | "in_progress" | "completed"; activeForm?: string };

/** The agent's checklist: the input of its latest TodoWrite call. */
export const currentTodos = (events: SessionEvent[]): TodoItem[] => {
  const last = events.findLast((event) => event.type === "tool_call" && event.payload.name === "TodoWrite");
  if (last?.type !== "tool_call") return [];
  const todos = (last.payload.input as { todos?: unknown })?.todos;
  return Array.isArray(todos) ? (todos as TodoItem[]) : [];
};

/** rewound: the item belongs to turns a rewind cut away (kept as history, shown dimmed). */
export type TranscriptItem = (
  | { kind: "user"; seq: number; text: string; author: string }
  | { kind: "assistant"; seq: number; text: string; streaming: boolean }
  | { kind: "thinking"; seq: number; text: string; streaming: boolean }
  | ToolCardItem
  | { kind: "notice"; seq: number; tone: "info" | "error"; text: string }
  | ApprovalItem
  | QuestionItem
  | { kind: "turn_end"; seq: number; reason: string; usage: Usage; steps: number; costUsd: number | null }
  | CompactionItem
) & { rewound?: boolean };

export type StreamState = {
  events: SessionEvent[];
  lastSeq: number;
  partialText: string;
  partialThinking: string;
  status: string;
  liveOutput: Record<string, string>;
  /** Shown while the provider call is being retried. */
  retrying?: string;
  /** Who has the session open (the server's presence, live only). */
  watchers: SessionWatcher[];
};

export const initialStreamState = (): StreamState => ({ events: [], lastSeq: 0, partialText: "", partialThinking: "", status: "idle", liveOutput: {}, watchers: [] });

/** Applies one message from the events socket. Events already seen are ignored (reconnects). */
export const applyLiveMessage = (state: StreamState, message: LiveMessage): StreamState => {
  switch (message.kind) {
    case "event": {
      if (message.event.seq <= state.lastSeq) return state;
      const event = message.event;
      const ended = event.type === "assistant_message";
      const partialText = ended ? "" : state.partialText;
      const partialThinking = ended ? "" : state.partialThinking;
      const liveOutput =
        event.type === "tool_result" ? omit(state.liveOutput, event.payload.toolUseId) : state.liveOutput;
      return { ...state, events: [...state.events, event], lastSeq: event.seq, partialText, partialThinking, liveOutput, retrying: event.type === "assistant_message" || event.type === "turn_finished" ? undefined : state.retrying };
    }
    case "snapshot":
      return { ...state, partialText: message.partialText, status: message.status };
    case "text_delta":
      return { ...state, partialText: state.partialText + message.text };
    case "thinking_delta":
      return { ...state, partialThinking: state.partialThinking + message.text };
    case "tool_output":
      return {
        ...state,
        liveOutput: { ...state.liveOutput, [message.toolUseId]: (state.liveOutput[message.toolUseId] ?? "") + message.chunk },
      };
    case "retrying":
      return { ...state, partialText: "", partialThinking: "", retrying: `${message.message} — retrying (attempt ${message.attempt} of ${message.maxAttempts}) in ${Math.round(message.delayMs / 1000)} s` };
    case "status":
      return message.status === "running" ? { ...state, status: message.status } : { ...state, status: message.status, partialText: "", partialThinking: "" };
    case "presence":
      return { ...state, watchers: message.watchers };
  }
};

const omit = (record: Record<string, string>, key: string) => {
  if (!(key in record)) return record;
  const { [key]: _removed, ...rest } = record;
  return rest;
};

/** The session's permission mode: the last change in the log, "default" before any. */
export const currentMode = (events: SessionEvent[]) => {
  const last = events.findLast((event) => event.type === "mode_changed");
  return last?.type === "mode_changed" ? last.payload.mode : "default";
};

/** The session's MCP servers with their latest state, for the header. */
/** The runtime the session's current container runs under (from its latest sandbox_status). */
export const sandboxRuntime = (events: SessionEvent[]) => {
  const latest = events.findLast((event) => event.type === "sandbox_status" && event.payload.runtime);
  return latest?.type === "sandbox_status" ? latest.payload.runtime : undefined;
};

export const mcpServers = (events: SessionEvent[]) => {
  const servers = new Map<string, { name: string; transport: "stdio" | "http"; state: "connected" | "down"; message?: string; tools: number }>();
  for (const event of events) {
    if (event.type === "mcp_servers") {
      for (const server of event.payload.servers) servers.set(server.name, { name: server.name, transport: server.transport, state: server.state, message: server.message, tools: server.tools.length });
    }
    if (event.type === "mcp_server_status") {
      const server = servers.get(event.payload.server);
      if (server) servers.set(server.name, { ...server, state: event.payload.state, message: event.payload.message });
    }
  }
  return [...servers.values()];
};

/** Tokens and cost over every finished turn of the session. */
export const sessionTotals = (events: SessionEvent[]) => {
  let tokensIn = 0;
  let cached = 0;
  let tokensOut = 0;
  let costUsd: number | null = 0;
  for (const wrapped of events) {
    // Subagents' turns count too (their events are wrapped in subagent_event).
    const event = wrapped.type === "subagent_event" ? wrapped.payload.event : wrapped;
    if (event.type !== "turn_finished") continue;
    const u = event.payload.usage;
    tokensIn += u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
    cached += u.cacheReadTokens;
    tokensOut += u.outputTokens;
    const cost = event.payload.costUsd;
    costUsd = costUsd === null || cost === null || cost === undefined ? null : costUsd + cost;
  }
  return { tokensIn, cached, tokensOut, costUsd };
};

export const formatCost = (usd: number | null) => (usd === null ? "cost unknown" : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`);

/**
 * The seq ranges (exclusive at both ends) that rewinds cut away: from the checkpoint rewound to
 * (checkpoint 0, the base: from just before the first message) up to the rewind itself.
 */
export const rewoundRanges = (events: SessionEvent[]): Array<{ after: number; before: number }> => {
  const checkpointSeqs = new Map<number, number>();
  const firstMessage = events.find((event) => event.type === "user_message");
  if (firstMessage) checkpointSeqs.set(0, firstMessage.seq - 0.5);
  const ranges: Array<{ after: number; before: number }> = [];
  for (const event of events) {
    if (event.type === "checkpoint") checkpointSeqs.set(event.payload.number, event.seq);
    if (event.type !== "rewind") continue;
    const after = checkpointSeqs.get(event.payload.toCheckpoint);
    if (after !== undefined) ranges.push({ after, before: event.seq });
  }
  return ranges;
};

const markRewound = (items: TranscriptItem[], events: SessionEvent[], toolSeqs: Map<string, number>) => {
  const ranges = rewoundRanges(events);
  if (ranges.length === 0) return;
  for (const item of items) {
    const seq = item.kind === "tool" ? toolSeqs.get(item.id) : item.seq;
    if (seq !== undefined && ranges.some((range) => seq > range.after && seq < range.before)) item.rewound = true;
  }
};

export const buildTranscript = (state: StreamState): TranscriptItem[] => {
  const items: TranscriptItem[] = [];
  const tools = new Map<string, ToolCardItem>();
  const approvals = new Map<string, ApprovalItem>();
  const questions = new Map<string, QuestionItem>();
  const toolSeqs = new Map<string, number>();

  for (const event of state.events) {
    switch (event.type) {
      case "user_message":
        items.push({ kind: "user", seq: event.seq, text: event.payload.text, author: event.payload.author });
        break;
      case "assistant_message": {
        const thinking = event.payload.content.flatMap((block) => (block.type === "thinking" ? [block.thinking] : [])).join("\n\n");
        if (thinking.trim()) items.push({ kind: "thinking", seq: event.seq, text: thinking, streaming: false });
        const text = event.payload.content
          .flatMap((block) => (block.type === "text" ? [block.text] : []))
          .join("\n\n");
        if (text.trim()) items.push({ kind: "assistant", seq: event.seq, text, streaming: false });
        break;
      }
      case "tool_call": {
        const card: ToolCardItem = { kind: "tool", id: event.payload.toolUseId, name: event.payload.name, input: event.payload.input, status: "pending" };
        tools.set(card.id, card);
        toolSeqs.set(card.id, event.seq);
        items.push(card);
        break;
      }
      case "tool_started": {
        const card = tools.get(event.payload.toolUseId);
        if (card) card.status = "running";
        break;
      }
      case "tool_result": {
        const card = tools.get(event.payload.toolUseId);
        if (!card) break;
        card.status = event.payload.isError ? "error" : "done";
        card.output = event.payload.output;
        card.durationMs = event.payload.durationMs;
        card.metadata = event.payload.metadata;
        break;
      }
      case "permission_request": {
        const approval: ApprovalItem = { kind: "approval", seq: event.seq, ...event.payload };
        approvals.set(event.payload.requestId, approval);
        items.push(approval);
        break;
      }
      case "question": {
        const question: QuestionItem = { kind: "question", seq: event.seq, requestId: event.payload.requestId, questions: event.payload.questions };
        questions.set(event.payload.requestId, question);
        items.push(question);
        break;
      }
      case "question_answer": {
        const question = questions.get(event.payload.requestId);
        if (question) question.answer = { answers: event.payload.answers, by: event.payload.by };
        break;
      }
      case "permission_decision": {
        const approval = approvals.get(event.payload.requestId);
        if (approval) approval.answer = { choice: event.payload.choice, by: event.payload.by, message: event.payload.message };
        break;
      }
      case "error":
        items.push({ kind: "notice", seq: event.seq, tone: "error", text: event.payload.message });
        break;
      case "sandbox_status":
        items.push({ kind: "notice", seq: event.seq, tone: event.payload.state === "error" ? "error" : "info", text: event.payload.message });
        break;
      // Skills, slash commands, MCP and hooks.
      case "notice":
        items.push({ kind: "notice", seq: event.seq, tone: event.payload.tone, text: event.payload.text });
        break;
      case "mcp_servers": {
        const down = event.payload.servers.filter((server) => server.state === "down");
        for (const server of down) items.push({ kind: "notice", seq: event.seq, tone: "error", text: `MCP server ${server.name} is down: ${server.message ?? "no reason given"}` });
        break;
      }
      case "mcp_server_status":
        items.push({ kind: "notice", seq: event.seq, tone: event.payload.state === "down" ? "error" : "info", text: `MCP server ${event.payload.server}: ${event.payload.message}` });
        break;
      // Context (compaction.ts): the model's view was reduced; the full history stays above.
      case "compaction":
        items.push({ kind: "compaction", seq: event.seq, summary: event.payload.summary, tokensBefore: event.payload.tokensBefore, tokensAfter: event.payload.tokensAfter, trigger: event.payload.trigger, focus: event.payload.focus });
        break;
      case "context_trimmed":
        items.push({ kind: "notice", seq: event.seq, tone: "info", text: `Trimmed ${event.payload.toolUseIds.length} old tool result${event.payload.toolUseIds.length === 1 ? "" : "s"} to save context (${event.payload.tokensBefore} → ${event.payload.tokensAfter} tokens).` });
        break;
      case "rewind":
        items.push({ kind: "notice", seq: event.seq, tone: "info", text: event.payload.message });
        break;
      case "turn_finished":
        items.push({ kind: "turn_end", seq: event.seq, reason: event.payload.reason, usage: event.payload.usage, steps: event.payload.steps, costUsd: event.payload.costUsd ?? null });
        break;
      default:
        break;
    }
  }
  for (const [id, output] of Object.entries(state.liveOutput)) {
    const card = tools.get(id);
    if (card) card.liveOutput = output;
  }
  nestSubagents(state, tools);
  markRewound(items, state.events, toolSeqs);
  if (state.retrying) items.push({ kind: "notice", seq: state.lastSeq + 0.25, tone: "info", text: state.retrying });
  if (state.partialThinking) items.push({ kind: "thinking", seq: state.lastSeq + 0.4, text: state.partialThinking, streaming: true });
  if (state.partialText) items.push({ kind: "assistant", seq: state.lastSeq + 0.5, text: state.partialText, streaming: true });
  return items;
};

/**
 * Subagents: each child's events (subagent_event, keyed by the Task call that started it) become
 * that card's nested transcript. Other wrapped events pass through, so grandchildren nest under
 * the child's own Task cards.
 */
const nestSubagents = (state: StreamState, tools: Map<string, ToolCardItem>) => {
  const wrapped = state.events.filter((event) => event.type === "subagent_event");
  if (wrapped.length === 0) return;
  const byParent = new Map<string, SessionEvent[]>();
  for (const event of wrapped) {
    if (event.type !== "subagent_event" || !tools.has(event.payload.parentToolUseId)) continue;
    const list = byParent.get(event.payload.parentToolUseId) ?? [];
    list.push({ seq: event.seq, createdAt: event.createdAt, ...event.payload.event } as SessionEvent);
    byParent.set(event.payload.parentToolUseId, list);
  }
  for (const [parentId, events] of byParent) {
    const card = tools.get(parentId);
    if (!card) continue;
    const first = wrapped.find((event) => event.type === "subagent_event" && event.payload.parentToolUseId === parentId);
    const others = wrapped.filter((event) => event.type === "subagent_event" && event.payload.parentToolUseId !== parentId);
    const childEvents = [...events, ...others].sort((a, b) => a.seq - b.seq);
    card.children = buildTranscript({ ...initialStreamState(), events: childEvents, liveOutput: state.liveOutput });
    const totals = sessionTotals(events);
    card.subagent = {
      agent: first?.type === "subagent_event" ? first.payload.agent : "subagent",
      tokensIn: totals.tokensIn,
      tokensOut: totals.tokensOut,
      costUsd: totals.costUsd,
      finished: events.some((event) => event.type === "turn_finished"),
    };
  }
};
