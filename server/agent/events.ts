// The session event log's vocabulary (design.md section 2). Persisted events are rows; live-only
// events (token deltas, streaming tool output) go to watchers and are never stored one by one.
import type { Role } from "../auth/roles";
import type { ContentBlock, StopReason, Usage } from "../llm/model-client";

export type TurnEndReason = "end_turn" | "max_steps" | "aborted" | "error" | "repeated_failure" | "max_tokens";

export type PersistedEventPayloads = {
  session_created: { title: string; source: "empty" | "git"; repoUrl?: string; image: string };
  /** context: the environment note sent ahead of the first prompt (kept so replays match). */
  user_message: { text: string; author: string; context?: string };
  turn_started: { turn: number; model: string; provider: string };
  /** One model reply (one step of a turn), final content blocks. */
  assistant_message: { content: ContentBlock[]; stopReason: StopReason; usage: Usage; model: string };
  tool_call: { toolUseId: string; name: string; input: unknown; invalidJson?: string };
  tool_started: { toolUseId: string };
  tool_result: {
    toolUseId: string;
    name: string;
    output: string;
    isError: boolean;
    durationMs: number;
    metadata?: Record<string, unknown>;
    images?: Array<{ mediaType: string; base64: string }>;
  };
  /** costUsd: null when the model's price is unknown. */
  turn_finished: { turn: number; reason: TurnEndReason; usage: Usage; steps: number; error?: string; costUsd?: number | null };
  error: { message: string; kind: string; retryable?: boolean };
  permission_request: {
    requestId: string;
    toolUseId: string;
    toolName: string;
    input: unknown;
    reason: string;
    rule: string | null;
    dangerous: boolean;
    /** The rules an "always" answer adds. */
    suggestedRules: string[];
  };
  permission_decision: {
    requestId: string;
    toolUseId: string;
    choice: "allow_once" | "allow_session" | "allow_project" | "deny";
    message?: string;
    by: string;
    /** The rules added by an "always" answer. */
    rules: string[];
  };
  question: {
    requestId: string;
    toolUseId: string | null;
    questions: Array<{ question: string; header?: string; options: Array<{ label: string; description?: string }>; multiSelect?: boolean }>;
  };
  question_answer: { requestId: string; answers: string[]; by: string };
  // --- Skills, slash commands, MCP and hooks ---
  /** Something for the person, not the model: a slash command's answer, a hook's refusal, skipped files. */
  notice: { text: string; tone: "info" | "error"; source?: string };
  /** /clear: the model starts a fresh conversation from here; the log keeps what came before. */
  conversation_cleared: { by: string };
  /**
   * The session's MCP servers, connected at the start of its first turn. `tools` are the schemas
   * offered to the model for the whole session (the tool list never changes inside a session).
   */
  mcp_servers: { servers: McpServerSnapshot[] };
  /** A server went down (crashed, hung) or came back; its tools answer with an error while down. */
  mcp_server_status: { server: string; state: "connected" | "down"; message: string };
  // --- end skills, slash commands, MCP and hooks ---
  mode_changed: { mode: "default" | "acceptEdits" | "plan" | "bypassPermissions"; by: string };
  /** runtime: the OCI runtime the (new) container runs under, e.g. "runc" or "runsc" (gVisor). */
  sandbox_status: { state: "starting" | "ready" | "recreated" | "error"; message: string; runtime?: string };
  /**
   * The workspace (tracked, untracked, deleted; .gitignore respected) recorded as a commit on
   * refs/pincer/checkpoints/<number> after a turn (reason "turn") or just before a rewind.
   * files/additions/deletions: the change since the previous checkpoint.
   */
  checkpoint: {
    number: number;
    turn: number;
    ref: string;
    commit: string;
    /** The workspace HEAD when the checkpoint was taken. */
    head: string;
    files: number;
    additions: number;
    deletions: number;
    reason: "turn" | "pre_rewind";
  };
  /**
   * The session was rewound to checkpoint `toCheckpoint` (0: the base). The model no longer sees
   * what came after that checkpoint; the log keeps it as history. savedCheckpoint holds the state
   * from just before the rewind.
   */
  rewind: { toCheckpoint: number; toCommit: string; savedCheckpoint: number; message: string };
  // --- context and subagents (server/agent/compaction.ts, server/agent/subagents.ts) ---
  /**
   * Old bulky tool results the model no longer sees in full: each listed result keeps its head and
   * tail (trimToolOutput in compaction.ts). The projection applies it, so rebuilt requests match.
   */
  context_trimmed: { toolUseIds: string[]; keepChars: number; tokensBefore: number; tokensAfter: number };
  /**
   * Older turns summarised: the model sees one user message (the summary, then `context`, the
   * project instructions re-injected) in place of every message that began before keptFromSeq.
   * The full history stays in the log.
   */
  compaction: { summary: string; tokensBefore: number; tokensAfter: number; keptFromSeq: number; trigger: "auto" | "manual"; focus?: string; context?: string };
  /**
   * One event of a subagent's own stream, started by the Task call parentToolUseId. The parent's
   * projection ignores these; the UI nests them under that Task card.
   */
  subagent_event: { parentToolUseId: string; agent: string; depth: number; event: ChildEvent };
};

export type McpServerSnapshot = {
  name: string;
  transport: "stdio" | "http";
  state: "connected" | "down";
  message?: string;
  /** name: as the model sees it (mcp__<server>__<tool>); toolName: as the server knows it. */
  tools: Array<{ name: string; toolName: string; description: string; inputSchema: Record<string, unknown>; readOnly?: boolean }>;
};

export type PersistedEventType = keyof PersistedEventPayloads;

/** An event as a subagent records it (wrapped in subagent_event in the session's log). */
export type ChildEvent = {
  [K in Exclude<PersistedEventType, "subagent_event">]: { type: K; payload: PersistedEventPayloads[K] };
}[Exclude<PersistedEventType, "subagent_event">];

export type SessionEvent<T extends PersistedEventType = PersistedEventType> = {
  [K in T]: { seq: number; type: K; payload: PersistedEventPayloads[K]; createdAt: string };
}[T];

/** A typed event seen as one of the union (TypeScript cannot narrow a generic mapped type). */
export const widenEvent = <T extends PersistedEventType>(event: SessionEvent<T>): SessionEvent => event as unknown as SessionEvent;

/** Live-only messages pushed to watchers alongside persisted events. */
export type LiveMessage =
  | { kind: "event"; event: SessionEvent }
  | { kind: "text_delta"; text: string }
  | { kind: "thinking_delta"; text: string }
  | { kind: "tool_output"; toolUseId: string; chunk: string }
  /** Sent on subscribe: the in-flight partial reply a late joiner missed. */
  | { kind: "snapshot"; partialText: string; status: string }
  | { kind: "status"; status: string }
  /** The provider call failed and is retried: the partial reply so far is void. */
  | { kind: "retrying"; attempt: number; maxAttempts: number; delayMs: number; message: string }
  /** Who has the session open, in the order they came: sent when someone comes or goes, and on connect. */
  | { kind: "presence"; watchers: SessionWatcher[] };

/** A signed-in person watching a session (several tabs of one person are one watcher). */
export type SessionWatcher = { userId: string; name: string; role: Role };
