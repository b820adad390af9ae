import { describe, expect, it } from "vitest";
import type { LiveMessage, SessionEvent } from "@/server/agent/events";
import { applyLiveMessage, buildTranscript, currentMode, currentTodos, formatCost, initialStreamState, mcpServers, sandboxRuntime, sessionTotals, type StreamState } from "./transcript";

const usage = { inputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 5 };
let seq = 0;
const ev = (type: SessionEvent["type"], payload: unknown): LiveMessage =>
  ({ kind: "event", event: { seq: ++seq, type, payload, createdAt: new Date(0).toISOString() } }) as LiveMessage;
const fold = (messages: LiveMessage[], state: StreamState = initialStreamState()) => messages.reduce(applyLiveMessage, state);

describe("transcript", () => {
  it("shows notices from slash commands and hooks, and MCP servers going down", () => {
    seq = 0;
    const state = fold([
      ev("notice", { text: "Turns: 1\nCost: $0.0100", tone: "info", source: "command" }),
      ev("notice", { text: "Blocked by a UserPromptSubmit hook: no secrets", tone: "error", source: "hook" }),
      ev("mcp_servers", { servers: [
        { name: "echo", transport: "stdio", state: "connected", tools: [{ name: "mcp__echo__echo", description: "", inputSchema: {} }] },
        { name: "broken", transport: "http", state: "down", message: "connection refused", tools: [] },
      ] }),
      ev("mcp_server_status", { server: "echo", state: "down", message: "the server stopped (exit code 1)" }),
    ]);
    expect(buildTranscript(state)).toMatchObject([
      { kind: "notice", tone: "info", text: "Turns: 1\nCost: $0.0100" },
      { kind: "notice", tone: "error", text: "Blocked by a UserPromptSubmit hook: no secrets" },
      { kind: "notice", tone: "error", text: "MCP server broken is down: connection refused" },
      { kind: "notice", tone: "error", text: "MCP server echo: the server stopped (exit code 1)" },
    ]);
    expect(mcpServers(state.events)).toEqual([
      { name: "echo", transport: "stdio", state: "down", message: "the server stopped (exit code 1)", tools: 1 },
      { name: "broken", transport: "http", state: "down", message: "connection refused", tools: 0 },
    ]);
  });

  it("moves a tool card from pending to running to done", () => {
    seq = 0;
    const call = ev("tool_call", { toolUseId: "t1", name: "Bash", input: { command: "ls" } });
    const started = ev("tool_started", { toolUseId: "t1" });
    const result = ev("tool_result", { toolUseId: "t1", name: "Bash", output: "a.txt", isError: false, durationMs: 12 });
    const statusAfter = [call, started, result].map((_, i) => {
      const card = buildTranscript(fold([call, started, result].slice(0, i + 1))).find((item) => item.kind === "tool");
      return card?.kind === "tool" ? card.status : "missing";
    });
    expect(statusAfter).toEqual(["pending", "running", "done"]);
  });

  it("shows a failed tool as error with its output", () => {
    seq = 0;
    const state = fold([
      ev("tool_call", { toolUseId: "t1", name: "Read", input: { file_path: "/etc/passwd" } }),
      ev("tool_result", { toolUseId: "t1", name: "Read", output: "outside the workspace", isError: true, durationMs: 1 }),
    ]);
    expect(buildTranscript(state)).toMatchObject([{ kind: "tool", status: "error", output: "outside the workspace" }]);
  });

  it("streams partial text, then replaces it with the final message", () => {
    seq = 0;
    let state = fold([ev("user_message", { text: "hi", author: "You" }), { kind: "text_delta", text: "Hel" }, { kind: "text_delta", text: "lo" }]);
    expect(buildTranscript(state).at(-1)).toMatchObject({ kind: "assistant", text: "Hello", streaming: true });
    state = fold(
      [ev("assistant_message", { content: [{ type: "text", text: "Hello" }], stopReason: "end_turn", usage, model: "m" })],
      state,
    );
    const assistants = buildTranscript(state).filter((item) => item.kind === "assistant");
    expect(assistants).toEqual([{ kind: "assistant", seq: 2, text: "Hello", streaming: false }]);
  });

  it("ignores events it has already seen (replay after reconnect)", () => {
    seq = 0;
    const first = ev("user_message", { text: "once", author: "You" });
    const state = fold([first, first, first]);
    expect(buildTranscript(state).filter((item) => item.kind === "user")).toHaveLength(1);
  });

  it("attaches live output to the running card and drops it at the result", () => {
    seq = 0;
    let state = fold([
      ev("tool_call", { toolUseId: "t1", name: "Bash", input: { command: "yes | head" } }),
      ev("tool_started", { toolUseId: "t1" }),
      { kind: "tool_output", toolUseId: "t1", chunk: "y\n" },
    ]);
    expect(buildTranscript(state)).toMatchObject([{ kind: "tool", status: "running", liveOutput: "y\n" }]);
    state = fold([ev("tool_result", { toolUseId: "t1", name: "Bash", output: "y\ny\n", isError: false, durationMs: 3 })], state);
    expect(state.liveOutput).toEqual({});
  });
});

describe("session totals", () => {
  it("sums tokens and cost over finished turns; one unknown price makes the cost unknown", () => {
    seq = 0;
    const finished = (costUsd: number | null) =>
      ev("turn_finished", { turn: 1, reason: "end_turn", steps: 1, usage: { inputTokens: 10, cacheReadTokens: 90, cacheWriteTokens: 0, outputTokens: 5 }, costUsd });
    const known = fold([finished(0.5), finished(0.25)]);
    expect(sessionTotals(known.events)).toEqual({ tokensIn: 200, cached: 180, tokensOut: 10, costUsd: 0.75 });
    expect(sessionTotals(fold([finished(0.5), finished(null)]).events).costUsd).toBeNull();
    expect(formatCost(0.75)).toBe("$0.75");
    expect(formatCost(null)).toBe("cost unknown");
  });
});

describe("thinking", () => {
  it("streams thinking live and keeps the final thinking block, collapsed", () => {
    seq = 0;
    let state = fold([{ kind: "thinking_delta", text: "Let me " }, { kind: "thinking_delta", text: "think" }]);
    expect(buildTranscript(state)).toMatchObject([{ kind: "thinking", text: "Let me think", streaming: true }]);
    state = fold(
      [ev("assistant_message", { content: [{ type: "thinking", thinking: "Let me think" }, { type: "text", text: "Answer" }], stopReason: "end_turn", usage, model: "m" })],
      state,
    );
    expect(buildTranscript(state)).toMatchObject([
      { kind: "thinking", text: "Let me think", streaming: false },
      { kind: "assistant", text: "Answer" },
    ]);
  });
});

describe("approvals", () => {
  it("shows a pending approval, then who answered it", () => {
    seq = 0;
    const call = ev("tool_call", { toolUseId: "t1", name: "Bash", input: { command: "rm -rf build" } });
    const request = ev("permission_request", {
      requestId: "r1", toolUseId: "t1", toolName: "Bash", input: { command: "rm -rf build" }, reason: "rm is not allowed", rule: null, dangerous: false, suggestedRules: ["Bash(rm -rf build)"],
    });
    let state = fold([call, request]);
    expect(buildTranscript(state).at(-1)).toMatchObject({ kind: "approval", requestId: "r1" });
    expect(buildTranscript(state).at(-1)).not.toHaveProperty("answer");
    state = fold([ev("permission_decision", { requestId: "r1", toolUseId: "t1", choice: "deny", message: "use make clean", by: "You", rules: [] })], state);
    expect(buildTranscript(state).at(-1)).toMatchObject({ kind: "approval", answer: { choice: "deny", by: "You", message: "use make clean" } });
  });

  it("reads the permission mode from the log", () => {
    seq = 0;
    expect(currentMode([])).toBe("default");
    expect(currentMode(fold([ev("mode_changed", { mode: "acceptEdits", by: "You" })]).events)).toBe("acceptEdits");
  });
});

describe("questions and todos", () => {
  it("shows the agent's question until answered, then the answer", () => {
    seq = 0;
    let state = fold([ev("question", { requestId: "q1", toolUseId: "t1", questions: [{ question: "Which DB?", options: [{ label: "SQLite" }, { label: "Postgres" }] }] })]);
    expect(buildTranscript(state).at(-1)).toMatchObject({ kind: "question", requestId: "q1" });
    state = fold([ev("question_answer", { requestId: "q1", answers: ["Postgres"], by: "Ada" })], state);
    expect(buildTranscript(state).at(-1)).toMatchObject({ kind: "question", answer: { answers: ["Postgres"], by: "Ada" } });
  });

  it("the checklist is the latest TodoWrite list", () => {
    seq = 0;
    const todos = (list: unknown[]) => ev("tool_call", { toolUseId: `t${seq}`, name: "TodoWrite", input: { todos: list } });
    const state = fold([todos([{ content: "a", status: "pending" }]), todos([{ content: "a", status: "completed" }, { content: "b", status: "in_progress" }])]);
    expect(currentTodos(state.events)).toEqual([{ content: "a", status: "completed" }, { content: "b", status: "in_progress" }]);
  });
});

describe("compaction and subagents", () => {
  const usage = { inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 20 };
  const child = (parentToolUseId: string, type: string, payload: unknown) => ev("subagent_event", { parentToolUseId, agent: "reviewer", depth: 1, event: { type, payload } });

  it("shows a compaction marker with the summary and tokens before/after", () => {
    seq = 0;
    const state = fold([ev("compaction", { summary: "## Task\nfix it", tokensBefore: 160_000, tokensAfter: 30_000, keptFromSeq: 1, trigger: "auto" })]);
    expect(buildTranscript(state).at(-1)).toEqual({ kind: "compaction", seq: 1, summary: "## Task\nfix it", tokensBefore: 160_000, tokensAfter: 30_000, trigger: "auto", focus: undefined });
  });

  it("nests each child's transcript under its Task card, with its tokens and cost, and counts them in the totals", () => {
    seq = 0;
    const state = fold([
      ev("tool_call", { toolUseId: "task1", name: "Task", input: { description: "review", prompt: "review it" } }),
      child("task1", "user_message", { text: "review it", author: "Task: review" }),
      child("task1", "tool_call", { toolUseId: "c1", name: "Read", input: { file_path: "a.ts" } }),
      child("task1", "tool_result", { toolUseId: "c1", name: "Read", output: "CHILD OUTPUT", isError: false, durationMs: 1 }),
      ev("tool_call", { toolUseId: "task2", name: "Task", input: { description: "other", prompt: "other" } }),
      child("task1", "assistant_message", { content: [{ type: "text", text: "Looks fine." }], stopReason: "end_turn", usage, model: "m" }),
      child("task1", "turn_finished", { turn: 1, reason: "end_turn", usage, steps: 2, costUsd: 0.5 }),
      ev("tool_result", { toolUseId: "task1", name: "Task", output: "Looks fine.", isError: false, durationMs: 5 }),
    ]);
    const items = buildTranscript(state);
    expect(items.map((item) => item.kind)).toEqual(["tool", "tool"]);
    const card = items[0];
    if (card.kind !== "tool") throw new Error("expected a tool card");
    expect(card.children?.map((item) => item.kind)).toEqual(["user", "tool", "assistant", "turn_end"]);
    expect(card.children?.[1]).toMatchObject({ kind: "tool", id: "c1", output: "CHILD OUTPUT", status: "done" });
    expect(card.subagent).toEqual({ agent: "reviewer", tokensIn: 100, tokensOut: 20, costUsd: 0.5, finished: true });
    expect(items[1]).not.toHaveProperty("children");
    expect(sessionTotals(state.events)).toMatchObject({ tokensIn: 100, costUsd: 0.5 });
  });

  describe("rewound turns", () => {
    const checkpoint = (number: number, reason: "turn" | "pre_rewind" = "turn") =>
      ev("checkpoint", { number, turn: number, ref: `refs/pincer/checkpoints/${number}`, commit: "c", head: "h", files: 1, additions: 1, deletions: 0, reason });
    const turn = (text: string, reply: string, toolUseId: string) => [
      ev("user_message", { text, author: "You" }),
      ev("tool_call", { toolUseId, name: "Bash", input: { command: "ls" } }),
      ev("tool_result", { toolUseId, name: "Bash", output: "ok", isError: false, durationMs: 1 }),
      ev("assistant_message", { content: [{ type: "text", text: reply }] }),
      ev("turn_finished", { reason: "end_turn", usage, steps: 2 }),
    ];
    const rewound = (items: ReturnType<typeof buildTranscript>) => items.map((item) => `${item.kind === "tool" ? item.id : item.kind}${item.rewound ? " (rewound)" : ""}`);

    it("marks the items after the checkpoint rewound to, up to the rewind, and shows the rewind", () => {
      seq = 0;
      const state = fold([
        ev("sandbox_status", { state: "ready", message: "Sandbox ready" }),
        ...turn("one", "did one", "t1"),
        checkpoint(1),
        ...turn("two", "did two", "t2"),
        checkpoint(2),
        checkpoint(3, "pre_rewind"),
        ev("rewind", { toCheckpoint: 1, toCommit: "c1", savedCheckpoint: 3, message: "Rewound to checkpoint 1 (after turn 1)." }),
        ...turn("three", "did three", "t3"),
      ]);
      expect(rewound(buildTranscript(state))).toEqual([
        "notice",
        "user", "t1", "assistant", "turn_end",
        "user (rewound)", "t2 (rewound)", "assistant (rewound)", "turn_end (rewound)",
        "notice",
        "user", "t3", "assistant", "turn_end",
      ]);
      expect(buildTranscript(state)[9]).toMatchObject({ kind: "notice", tone: "info", text: "Rewound to checkpoint 1 (after turn 1)." });
    });

    it("a rewind to the start greys every turn but not the notices before the first message", () => {
      seq = 0;
      const state = fold([
        ev("sandbox_status", { state: "ready", message: "Sandbox ready" }),
        ...turn("one", "did one", "t1"),
        checkpoint(1),
        checkpoint(2, "pre_rewind"),
        ev("rewind", { toCheckpoint: 0, toCommit: "base", savedCheckpoint: 2, message: "Rewound to the start of the session." }),
      ]);
      expect(rewound(buildTranscript(state))).toEqual(["notice", "user (rewound)", "t1 (rewound)", "assistant (rewound)", "turn_end (rewound)", "notice"]);
    });

    it("two rewinds to the same checkpoint grey both ranges (the first rewind's notice too); without a rewind nothing is marked", () => {
      seq = 0;
      const events = [
        ...turn("one", "did one", "t1"),
        checkpoint(1),
        ...turn("two", "did two", "t2"),
        checkpoint(2),
        checkpoint(3, "pre_rewind"),
        ev("rewind", { toCheckpoint: 1, toCommit: "c1", savedCheckpoint: 3, message: "r1" }),
        ...turn("three", "did three", "t3"),
        checkpoint(4),
        checkpoint(5, "pre_rewind"),
        ev("rewind", { toCheckpoint: 1, toCommit: "c1", savedCheckpoint: 5, message: "r2" }),
      ];
      const items = buildTranscript(fold(events));
      expect(items.filter((item) => item.rewound).map((item) => (item.kind === "tool" ? item.id : item.kind))).toEqual(["user", "t2", "assistant", "turn_end", "notice", "user", "t3", "assistant", "turn_end"]);
      expect(buildTranscript(fold(events.slice(0, 6))).some((item) => item.rewound)).toBe(false);
    });
  });
});

describe("sandbox runtime", () => {
  it("is the runtime of the newest container the log mentions", () => {
    const state = fold([
      ev("sandbox_status", { state: "starting", message: "Preparing" }),
      ev("sandbox_status", { state: "ready", message: "Sandbox ready", runtime: "runc" }),
      ev("sandbox_status", { state: "recreated", message: "The sandbox container was removed; …", runtime: "runsc" }),
    ]);
    expect(sandboxRuntime(state.events)).toBe("runsc");
    expect(sandboxRuntime(fold([ev("sandbox_status", { state: "ready", message: "Sandbox ready" })]).events)).toBeUndefined();
  });
});
