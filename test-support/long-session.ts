// A long scripted session for compaction tests and bench/context.ts: every turn the user asks for
// a report, the model calls a tool that returns a bulky result, then answers. The real Anthropic
// client talks to the scripted model server; a responder answers requests by their content.
import { z } from "zod";
import { contextSettingsFor, createContextManager, createContextState, summarySystemPrompt } from "../server/agent/compaction";
import { widenEvent, type SessionEvent } from "../server/agent/events";
import { runTurn } from "../server/agent/loop";
import { createMessageProjection } from "../server/agent/messages";
import { createModelClient } from "../server/llm/create-model-client";
import type { Sandbox } from "../server/sandbox/sandbox";
import { createMemoryEventLog } from "../server/sessions/memory-event-log";
import { toolSchemas } from "../server/tools/registry";
import { defineTool, type Tool } from "../server/tools/tool";
import { promptText, startScriptedModelServer, type RecordedRequest, type ScriptStep, type ScriptedModelServer } from "./scripted-model";

export const longSessionModel = "claude-scripted";
export const longSessionSystem = "You are a test agent. Produce reports when asked.";

const produceTool = defineTool({
  name: "Produce",
  description: "Produces the numbered report.",
  inputSchema: z.object({ n: z.number().describe("report number") }),
  readOnly: true,
  permissionKey: (input) => String(input.n),
  run: async (input) => ({ output: `report ${input.n}\n${`line of report ${input.n} `.repeat(120)}\nend of report ${input.n}`, isError: false }),
});

type Json = Record<string, unknown>;
export const isSummaryRequest = (body: Json | undefined) => JSON.stringify(body?.system ?? "").includes(summarySystemPrompt.slice(0, 40));

const summaryText = (n: number) =>
  ["## Task", `Produce numbered reports (summary ${n}).`, "## Decisions", "Use the Produce tool.", "## Files touched", "none", "## Errors and fixes", "none", "## Open todos", "keep going", "## Next step", "produce the next report"].join("\n");

export type LongSessionOptions = {
  turns: number;
  window: number;
  /** Fail the first N summary requests (HTTP 400) to exercise the back-off. */
  failSummaries?: number;
  /** Model steps without tools (harness overhead bench): every reply is plain text. */
  plain?: boolean;
  server?: ScriptedModelServer;
};

export type LongSessionResult = {
  events: SessionEvent[];
  requests: RecordedRequest[];
  /** The main (non-summary) requests' prompt sizes in the scripted server's token estimate. */
  requestTokens: number[];
  stepMs: number[];
  close(): Promise<void>;
};

export const runLongSession = async (options: LongSessionOptions): Promise<LongSessionResult> => {
  const server = options.server ?? (await startScriptedModelServer({ logFailures: false }));
  let summaries = 0;
  server.setResponder((body): ScriptStep => {
    if (isSummaryRequest(body)) {
      summaries += 1;
      if (summaries <= (options.failSummaries ?? 0)) return { error: { status: 400 } };
      return { text: summaryText(summaries) };
    }
    const messages = body.messages as Array<{ role: string; content: Array<{ type: string; text?: string }> }>;
    const last = messages.at(-1)?.content.at(-1);
    const turn = messages.length;
    if (options.plain || last?.type === "tool_result") return { text: `Done with step ${turn}.` };
    return { toolCalls: [{ name: "Produce", input: { n: turn } }] };
  });
  const log = createMemoryEventLog();
  const sessionId = "long";
  const client = createModelClient({ kind: "anthropic", baseUrl: server.url, apiKey: "sk-test", model: longSessionModel }, { retry: { maxAttempts: 1 } });
  const tools: Tool[] = options.plain ? [] : [produceTool as Tool];
  const schemas = toolSchemas(tools);
  const state = createContextState();
  const stepMs: number[] = [];

  for (let turn = 1; turn <= options.turns; turn++) {
    await log.append(sessionId, "user_message", { text: `Turn ${turn}: produce the next report.`, author: "test" });
    const projection = createMessageProjection(await log.listSince(sessionId, 0));
    const record = <T extends SessionEvent["type"]>(type: T, payload: Parameters<typeof log.append<T>>[2]) => log.append(sessionId, type, payload);
    const started = performance.now();
    const result = await runTurn({
      client,
      model: longSessionModel,
      system: longSessionSystem,
      tools,
      toolSchemas: schemas,
      toolContext: { sandbox: {} as Sandbox, sessionId, shell: { cwd: "/workspace" }, readFiles: new Map(), limits: { maxOutputChars: 30_000 } },
      projection,
      record,
      live: { text: () => undefined, thinking: () => undefined, toolOutput: () => undefined, retrying: () => undefined },
      signal: new AbortController().signal,
      maxSteps: 10,
      maxTokens: 4_000,
      context: createContextManager({
        client,
        model: longSessionModel,
        system: longSessionSystem,
        toolSchemas: schemas,
        projection,
        settings: contextSettingsFor(longSessionModel, { window: options.window }),
        state,
        maxTokens: 4_000,
        record: async (type, payload) => {
          const event = await record(type, payload);
          projection.apply(widenEvent(event));
          return event;
        },
      }),
    });
    stepMs.push((performance.now() - started) / Math.max(1, result.steps));
    if (result.reason !== "end_turn") throw new Error(`turn ${turn} ended with ${result.reason}: ${result.error}`);
  }

  const requests = [...server.requests];
  return {
    events: await log.listSince(sessionId, 0),
    requests,
    requestTokens: requests.filter((request) => !isSummaryRequest(request.body)).map((request) => Math.ceil(promptText("anthropic", request.body as Json).length / 4)),
    stepMs,
    close: () => (options.server ? Promise.resolve() : server.close()),
  };
};
