// Subagents (and /compact) through the session service with real parts: SQLite, a real container,
// the real Anthropic client against the scripted model server. Child requests are answered by a
// responder (by their content), the parent's by the script.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toAnthropicParams } from "../llm/anthropic";
import { builtinTools, toolSchemas } from "../tools/registry";
import type { Services } from "../services";
import { startSessionHarness, type SessionHarness } from "../../test-support/session-harness";
import type { ScriptedModelServer, ScriptStep } from "../../test-support/scripted-model";
import { isSummaryRequest } from "../../test-support/long-session";
import { createMessageProjection } from "./messages";
import { systemPrompt } from "./prompt";
import type { SessionEvent } from "./events";

let harness: SessionHarness;
let model: ScriptedModelServer;
let services: Services;
let dataDir: string;

beforeAll(async () => {
  harness = await startSessionHarness({ model: { logFailures: false } });
  ({ model, services, dataDir } = harness);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

beforeEach(() => model.reset());

const newSession = async () => {
  const session = await services.sessions.create({ ownerId: "local", workspaceId: "local", source: { kind: "empty" } });
  harness.track(session.id);
  await services.sessions.waitUntilReady(session.id);
  await services.sessions.setMode(session.id, "bypassPermissions", "test");
  return session.id;
};

const runTurn = async (sessionId: string, text: string) => {
  await services.sessions.sendMessage(sessionId, text, "You");
  await services.sessions.idle(sessionId);
  return services.sessions.events(sessionId, 0);
};

type Json = Record<string, unknown>;
const isChild = (body: Json | undefined) => JSON.stringify(body?.system ?? "").includes("You are a subagent");
const lastBlock = (body: Json) => (body.messages as Array<{ content: Array<{ type: string; text?: string }> }>).at(-1)?.content.at(-1);
const childPrompt = (body: Json) => (body.messages as Array<{ content: Array<{ type: string; text?: string }> }>)[0].content[0].text ?? "";
const answerChildren = (answer: (body: Json) => ScriptStep) => model.setResponder((body) => (isChild(body) ? answer(body) : undefined));

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) => events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
const childEvents = (events: SessionEvent[]) => ofType(events, "subagent_event").map((e) => e.payload);
const task = (description: string, prompt: string, subagent_type?: string) => ({ name: "Task", input: { description, prompt, ...(subagent_type ? { subagent_type } : {}) } });

describe("subagents", () => {
  it("three Task calls run in parallel and only their final reports return", async () => {
    const id = await newSession();
    answerChildren((body) => ({ delayMs: 400, text: `report for ${childPrompt(body)}` }));
    model.setScript([
      { toolCalls: [task("a", "alpha"), task("b", "beta"), task("c", "gamma")] },
      { expect: { toolResultIncludes: "report for gamma" }, text: "All three reported." },
    ]);
    const events = await runTurn(id, "split the work");
    expect(model.failures).toEqual([]);
    const children = model.requests.filter((request) => isChild(request.body));
    expect(children).toHaveLength(3);
    // All three child requests started before any of them finished.
    const lastStart = Math.max(...children.map((request) => request.receivedAt));
    const firstEnd = Math.min(...children.map((request) => request.finishedAt ?? Number.POSITIVE_INFINITY));
    expect(lastStart).toBeLessThan(firstEnd);
    const results = ofType(events, "tool_result");
    expect(results.map((r) => [r.payload.isError, r.payload.output]).sort()).toEqual([
      [false, "report for alpha"],
      [false, "report for beta"],
      [false, "report for gamma"],
    ]);
    expect(results[0].payload.metadata).toMatchObject({ agent: "general-purpose", model: "claude-scripted", reason: "end_turn" });
    // Each child's own stream: prompt, reply, finish, nested under its Task call.
    const byParent = new Map<string, ReturnType<typeof childEvents>>();
    for (const e of childEvents(events)) byParent.set(e.parentToolUseId, [...(byParent.get(e.parentToolUseId) ?? []), e]);
    expect(byParent.size).toBe(3);
    for (const stream of byParent.values()) expect(stream.map((e) => e.event.type)).toEqual(["user_message", "turn_started", "assistant_message", "turn_finished"]);
    expect(ofType(events, "turn_finished")[0].payload.reason).toBe("end_turn");
  }, 60_000);

  it("a child's tool outputs never appear in the parent's request", async () => {
    const id = await newSession();
    answerChildren((body) =>
      lastBlock(body)?.type === "tool_result" ? { text: "child finished: the answer is in the file" } : { toolCalls: [{ name: "Bash", input: { command: "echo CHILD-$((6*7))-SECRET" } }] },
    );
    model.setScript([{ toolCalls: [task("probe", "run the probe")] }, { expect: { toolResultIncludes: "child finished" }, text: "ok" }]);
    const events = await runTurn(id, "delegate");
    expect(model.failures).toEqual([]);
    const childResult = childEvents(events).find((e) => e.event.type === "tool_result");
    expect(childResult?.event.type === "tool_result" && childResult.event.payload.output).toContain("CHILD-42-SECRET");
    const parentRequests = model.requests.filter((request) => !isChild(request.body));
    for (const request of parentRequests) expect(JSON.stringify(request.body)).not.toContain("CHILD-42-SECRET");
    // The parent's projection ignores child events: the rebuilt request is the one sent.
    const lastAssistant = events.findLastIndex((e) => e.type === "assistant_message");
    const messages = createMessageProjection(events.slice(0, lastAssistant)).messages();
    const rebuilt = toAnthropicParams({ model: "claude-scripted", system: systemPrompt, tools: toolSchemas(builtinTools), messages, maxTokens: 16_000 });
    expect(JSON.stringify(parentRequests.at(-1)!.body!.messages)).toBe(JSON.stringify(rebuilt.messages));
  }, 60_000);

  it("a failing child returns an error report, not silence", async () => {
    const id = await newSession();
    answerChildren(() => ({ error: { status: 400 } }));
    model.setScript([{ toolCalls: [task("doomed", "fail please")] }, { expect: { toolResultIncludes: 'The subagent "doomed" failed' }, text: "It failed; noted." }]);
    const events = await runTurn(id, "try");
    expect(model.failures).toEqual([]);
    const result = ofType(events, "tool_result")[0];
    expect(result.payload.isError).toBe(true);
    expect(result.payload.output).toMatch(/failed \(error\): .*400/);
    expect(childEvents(events).find((e) => e.event.type === "turn_finished")?.event.payload).toMatchObject({ reason: "error" });
  }, 60_000);

  it("stopping the parent stops its children", async () => {
    const id = await newSession();
    answerChildren(() => ({ delayMs: 20_000, text: "too late" }));
    model.setScript([{ toolCalls: [task("slow one", "take your time"), task("slow two", "also slow")] }]);
    await services.sessions.sendMessage(id, "go slow", "You");
    for (let i = 0; i < 200 && model.requests.filter((r) => isChild(r.body)).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const stoppedAt = performance.now();
    await services.sessions.stop(id);
    expect(performance.now() - stoppedAt).toBeLessThan(5_000);
    const events = await services.sessions.events(id, 0);
    expect(ofType(events, "turn_finished").at(-1)?.payload.reason).toBe("aborted");
    const results = ofType(events, "tool_result");
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.payload.isError).toBe(true);
      expect(result.payload.output).toContain("was stopped before it finished");
    }
    const childEnds = childEvents(events).flatMap((e) => (e.event.type === "turn_finished" ? [e.event.payload.reason] : []));
    expect(childEnds).toEqual(["aborted", "aborted"]);
  }, 60_000);

  it("uses agent definitions from the workspace (tools, model, instructions) and reports broken ones", async () => {
    const id = await newSession();
    const workspace = path.join(dataDir, "workspaces", id);
    await mkdir(path.join(workspace, ".pincer/agents"), { recursive: true });
    await mkdir(path.join(workspace, ".claude/agents"), { recursive: true });
    await writeFile(
      path.join(workspace, ".pincer/agents/reviewer.md"),
      "---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grep\nmodel: claude-reviewer\n---\nYou review code with great care.\n",
    );
    await writeFile(path.join(workspace, ".claude/agents/broken.md"), "---\nname: [unclosed\ndescription: x\n---\nbody\n");
    await writeFile(path.join(workspace, ".claude/agents/nodesc.md"), "---\nname: nodesc\n---\nbody\n");
    answerChildren(() => ({ text: "Looks good." }));
    model.setScript([
      { toolCalls: [task("review", "review the code", "reviewer")] },
      { toolCalls: [task("unknown", "x", "nobody")] },
      { expect: { toolResultIncludes: "Unknown subagent_type" }, text: "done" },
    ]);
    const events = await runTurn(id, "review");
    expect(model.failures).toEqual([]);
    const child = model.requests.find((request) => isChild(request.body))!.body!;
    expect(child.model).toBe("claude-reviewer");
    expect((child.tools as Array<{ name: string }>).map((tool) => tool.name).sort()).toEqual(["Grep", "Read"]);
    expect(JSON.stringify(child.system)).toContain("You review code with great care.");
    const problems = ofType(events, "error").filter((e) => e.payload.kind === "agent_definition");
    expect(problems.map((e) => e.payload.message).join("\n")).toMatch(/broken\.md/);
    expect(problems.map((e) => e.payload.message).join("\n")).toMatch(/nodesc\.md: description/);
    expect(ofType(events, "tool_result").map((r) => r.payload.isError)).toEqual([false, true]);
  }, 60_000);
});

describe("/compact through the service", () => {
  it("summarises on demand; the next request starts with the summary", async () => {
    const id = await newSession();
    model.setResponder((body) => (isSummaryRequest(body) ? { text: "## Task\nThe earlier work, summarised." } : undefined));
    model.setScript([{ text: "first answer" }, { text: "second answer" }, { expect: { lastUserTextIncludes: "third" }, text: "third answer" }]);
    await runTurn(id, "first");
    await runTurn(id, "second");
    const outcome = await services.sessions.compact(id, "the API design");
    expect(outcome).toMatchObject({ compacted: true });
    const events = await runTurn(id, "third");
    expect(model.failures).toEqual([]);
    expect(JSON.stringify(model.requests.find((r) => isSummaryRequest(r.body))!.body)).toContain("Focus especially on: the API design");
    const last = JSON.stringify(model.requests.at(-1)!.body!.messages);
    expect(last).toContain("The earlier work, summarised.");
    expect(last).toContain("<environment>");
    expect(last).not.toContain("\"first\"");
    expect(ofType(events, "compaction")[0].payload).toMatchObject({ trigger: "manual", focus: "the API design" });
  }, 60_000);
});
