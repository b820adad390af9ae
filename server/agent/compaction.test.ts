// Compaction against the scripted model server over HTTP with the real Anthropic client: a long
// session stays inside the window, summaries ask for the right things, failures back off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toAnthropicParams } from "../llm/anthropic";
import { createModelClient } from "../llm/create-model-client";
import { toolSchemas } from "../tools/registry";
import { startScriptedModelServer, type ScriptedModelServer } from "../../test-support/scripted-model";
import { isSummaryRequest, longSessionModel, longSessionSystem, runLongSession, type LongSessionResult } from "../../test-support/long-session";
import { contextWindowFor, createContextManager, createContextState, contextSettingsFor, summaryHeadings, trimToolOutput } from "./compaction";
import { widenEvent, type SessionEvent } from "./events";
import { createMessageProjection } from "./messages";

const window = 30_000;
let long: LongSessionResult;

beforeAll(async () => {
  long = await runLongSession({ turns: 200, window });
}, 120_000);
afterAll(async () => {
  await long?.close();
});

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) => events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

describe("context windows", () => {
  it("come from the model name, overridable per model", () => {
    expect(contextWindowFor("claude-sonnet-4-5")).toBe(200_000);
    expect(contextWindowFor("gpt-4o")).toBe(128_000);
    expect(contextWindowFor("gpt-5-mini")).toBe(400_000);
    expect(contextWindowFor("local-llama")).toBe(128_000);
    expect(contextWindowFor("local-llama", { "local-llama": 8_192 })).toBe(8_192);
  });

  it("trims a tool result to head and tail, saying what was dropped, and only once", () => {
    const output = `HEAD${"x".repeat(5_000)}TAIL`;
    const trimmed = trimToolOutput(output, 100);
    expect(trimmed.startsWith("HEADxx")).toBe(true);
    expect(trimmed.endsWith("xxTAIL")).toBe(true);
    expect(trimmed).toContain("4908 characters of this old tool result were dropped");
    expect(trimToolOutput(trimmed, 100)).toBe(trimmed);
  });
});

describe("a 200-turn session", () => {
  it("crosses the threshold several times and still sends every request under the window", () => {
    const compactions = ofType(long.events, "compaction");
    expect(compactions.length).toBeGreaterThanOrEqual(3);
    expect(ofType(long.events, "context_trimmed").length).toBeGreaterThanOrEqual(1);
    expect(long.requestTokens.length).toBeGreaterThanOrEqual(400);
    expect(Math.max(...long.requestTokens)).toBeLessThan(window);
    // The summary requests themselves fit too.
    const summaryRequests = long.requests.filter((request) => isSummaryRequest(request.body));
    expect(summaryRequests.length).toBe(compactions.length);
    for (const compaction of compactions) expect(compaction.payload.tokensAfter).toBeLessThan(compaction.payload.tokensBefore);
    expect(ofType(long.events, "turn_finished").every((e) => e.payload.reason === "end_turn")).toBe(true);
  });

  it("rebuilds from the log exactly the request the model got, after trims and summaries", () => {
    const lastAssistant = long.events.findLastIndex((e) => e.type === "assistant_message");
    const messages = createMessageProjection(long.events.slice(0, lastAssistant)).messages();
    const rebuilt = toAnthropicParams({ model: longSessionModel, system: longSessionSystem, tools: toolSchemas([]), messages, maxTokens: 4_000 });
    const sent = long.requests.findLast((request) => !isSummaryRequest(request.body))!.body as Record<string, unknown>;
    expect(JSON.stringify(sent.messages)).toBe(JSON.stringify(rebuilt.messages));
    // The first message is the latest summary; old turns are gone from the request, kept in the log.
    expect(JSON.stringify(sent.messages)).toContain("This session was compacted");
    expect(JSON.stringify(sent.messages)).not.toContain("Turn 1: produce");
    expect(long.events.some((e) => e.type === "user_message" && e.payload.text.startsWith("Turn 1:"))).toBe(true);
  });

  it("asks for a structured summary of the older turns", () => {
    const summary = long.requests.find((request) => isSummaryRequest(request.body))!;
    const text = JSON.stringify(summary.body);
    for (const heading of summaryHeadings) expect(text).toContain(`## ${heading}`);
    expect(text).toContain("Turn 1: produce the next report.");
    expect((summary.body as { tools?: unknown[] }).tools ?? []).toEqual([]);
  });
});

describe("compaction failures and /compact", () => {
  let model: ScriptedModelServer;
  beforeAll(async () => {
    model = await startScriptedModelServer({ logFailures: false });
  });
  afterAll(async () => {
    await model.close();
  });

  it("a failed summary keeps the full history and is retried later, not on every step", async () => {
    model.reset();
    const run = await runLongSession({ turns: 100, window: 20_000, failSummaries: 2, server: model });
    const failures = ofType(run.events, "error").filter((e) => e.payload.kind === "compaction_failed");
    expect(failures.length).toBe(2);
    const compaction = ofType(run.events, "compaction")[0];
    expect(compaction).toBeDefined();
    // Back-off: main requests between the failures and the success, not one summary attempt per step.
    const indexes = run.requests.flatMap((request, index) => (isSummaryRequest(request.body) ? [index] : []));
    expect(indexes[1] - indexes[0]).toBeGreaterThan(2);
    expect(indexes[2] - indexes[1]).toBeGreaterThan(4);
    // Right after the first failure the model still got the whole history.
    expect(JSON.stringify(run.requests[indexes[0] + 1].body)).toContain("Turn 1: produce");
  }, 60_000);

  it("/compact with a focus summarises on demand and says what to focus on", async () => {
    model.reset();
    model.setResponder((body) => (isSummaryRequest(body) ? { text: "## Task\nsummarised" } : undefined));
    const client = createModelClient({ kind: "anthropic", baseUrl: model.url, apiKey: "k", model: "claude-x" }, { retry: false });
    const events: SessionEvent[] = [];
    const record = async (type: SessionEvent["type"], payload: unknown) => {
      const event = widenEvent({ seq: events.length + 1, type, payload, createdAt: "" } as SessionEvent);
      events.push(event);
      return event;
    };
    await record("user_message", { text: "first task", author: "u", context: "<environment>\n<instructions>be nice</instructions>\n</environment>" });
    await record("assistant_message", { content: [{ type: "text", text: "did the first" }], stopReason: "end_turn", usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1 }, model: "claude-x" });
    await record("user_message", { text: "second task", author: "u" });
    await record("assistant_message", { content: [{ type: "text", text: "did the second" }], stopReason: "end_turn", usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1 }, model: "claude-x" });
    const projection = createMessageProjection(events);
    const manager = createContextManager({
      client,
      model: "claude-x",
      system: "sys",
      toolSchemas: [],
      projection,
      settings: contextSettingsFor("claude-x"),
      state: createContextState(),
      maxTokens: 1_000,
      record: (async (type: SessionEvent["type"], payload: unknown) => {
        const event = await record(type, payload);
        projection.apply(event);
        return event;
      }) as Parameters<typeof createContextManager>[0]["record"],
    });
    const outcome = await manager.compactNow(new AbortController().signal, "the database migration");
    expect(outcome.compacted).toBe(true);
    const request = JSON.stringify(model.requests[0].body);
    expect(request).toContain("Focus especially on: the database migration");
    expect(request).toContain("first task");
    const compaction = ofType(events, "compaction")[0];
    expect(compaction.payload).toMatchObject({ trigger: "manual", focus: "the database migration", keptFromSeq: 4 });
    // Summary, re-injected instructions, then the kept turn verbatim.
    const messages = createMessageProjection(events).messages();
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(JSON.stringify(messages[0])).toContain("summarised");
    expect(JSON.stringify(messages[0])).toContain("be nice");
    expect(messages).toEqual(projection.messages());
  });
});
