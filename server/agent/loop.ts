// One agent turn: ask the model, run the tools it calls, feed the results back, repeat until the
// model ends its turn, the user stops it, or a limit is hit. Every exit says why.
import type { z } from "zod";
import {
  ModelError,
  emptyUsage,
  type ModelClient,
  type ToolSchema,
  type ToolUseBlock,
  type Usage,
} from "../llm/model-client";
import type { Tool, ToolContext, ToolOutput } from "../tools/tool";
import { ToolError } from "../tools/tool";
import { widenEvent, type PersistedEventPayloads, type PersistedEventType, type SessionEvent, type TurnEndReason } from "./events";
import type { MessageProjection } from "./messages";

export type RecordEvent = <T extends PersistedEventType>(type: T, payload: PersistedEventPayloads[T]) => Promise<SessionEvent<T>>;

export type LiveSink = {
  text(delta: string): void;
  thinking(delta: string): void;
  toolOutput(toolUseId: string, chunk: string): void;
  retrying(notice: { attempt: number; maxAttempts: number; delayMs: number; message: string }): void;
};

/** Decides whether a tool call may run; a refusal becomes the call's error result. */
export type AuthorizeToolCall = (tool: Tool, input: unknown, call: ToolUseBlock) => Promise<{ allowed: true } | { allowed: false; message: string }>;

export type TurnOptions = {
  client: ModelClient;
  model: string;
  system: string;
  tools: Tool[];
  toolSchemas: ToolSchema[];
  toolContext: Omit<ToolContext, "signal" | "onOutput">;
  projection: MessageProjection;
  record: RecordEvent;
  live: LiveSink;
  signal: AbortSignal;
  maxSteps: number;
  maxTokens: number;
  /** Identical failing calls in a row before the turn is stopped. */
  maxRepeatedFailures?: number;
  authorize?: AuthorizeToolCall;
  /** Keeps requests inside the context window (compaction.ts): trims or summarises before a request. */
  context?: { beforeRequest(signal: AbortSignal): Promise<void>; afterResponse(usage: Usage): void };
  /** Resuming an interrupted turn: calls of the last reply that have no result yet run first. */
  pendingCalls?: { calls: ToolUseBlock[]; announced: ReadonlySet<string> };
  /** Asked after each round of tool calls: a reason to end the turn now (the sandbox's engine went away). */
  haltAfterTools?: () => { message: string; kind: string } | null;
};

/** What running a reply's tool calls needs from the turn. */
export type ToolCallOptions = Pick<TurnOptions, "tools" | "toolContext" | "projection" | "record" | "live" | "signal" | "authorize">;

export type TurnResult = { reason: TurnEndReason; usage: Usage; steps: number; error?: string };

export const addUsage = (a: Usage, b: Usage): Usage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
  cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});

export const runTurn = async (options: TurnOptions): Promise<TurnResult> => {
  const { signal, record } = options;
  const maxRepeatedFailures = options.maxRepeatedFailures ?? 3;
  let usage = emptyUsage();
  let steps = 0;
  let lastFailure = { signature: "", count: 0 };

  const ended = (reason: TurnEndReason, error?: string): TurnResult => ({ reason, usage, steps, error });

  if (options.pendingCalls?.calls.length) {
    await runToolCalls(options, options.pendingCalls.calls, options.pendingCalls.announced);
    if (signal.aborted) return ended("aborted");
  }

  while (true) {
    if (signal.aborted) return ended("aborted");
    if (steps >= options.maxSteps) return ended("max_steps", `Stopped after ${options.maxSteps} model steps in one turn.`);
    steps += 1;

    // Context (compaction.ts): a failed summary is recorded there and the full history is sent.
    const prepared = await options.context?.beforeRequest(signal).catch((error: unknown) => error as Error);
    if (signal.aborted) return ended("aborted");
    if (prepared instanceof Error) throw prepared;
    const response = await askModel(options).catch((error: unknown) => error as Error);
    if (response instanceof Error) {
      if (signal.aborted || (response instanceof ModelError && response.kind === "aborted")) return ended("aborted");
      const kind = response instanceof ModelError ? response.kind : "internal";
      await record("error", { message: response.message, kind });
      return ended("error", response.message);
    }
    usage = addUsage(usage, response.usage);
    options.context?.afterResponse(response.usage);
    await recordProjected(options, "assistant_message", {
      content: response.content,
      stopReason: response.stopReason,
      usage: response.usage,
      model: options.model,
    });

    const calls = response.content.filter((block): block is ToolUseBlock => block.type === "tool_use");
    if (calls.length === 0) {
      if (response.stopReason === "max_tokens") {
        const message = "The model's reply was cut at its output token limit.";
        await record("error", { message, kind: "max_tokens" });
        return ended("max_tokens", message);
      }
      return ended("end_turn");
    }

    const results = await runToolCalls(options, calls);
    if (signal.aborted) return ended("aborted");
    const halt = options.haltAfterTools?.();
    if (halt) {
      await record("error", halt);
      return ended("error", halt.message);
    }

    const failed = results.filter((result) => result.isError);
    const signature = failed.length === results.length ? JSON.stringify(failed.map((f) => [f.name, f.input, f.output])) : "";
    lastFailure = signature && signature === lastFailure.signature ? { signature, count: lastFailure.count + 1 } : { signature, count: signature ? 1 : 0 };
    if (lastFailure.count >= maxRepeatedFailures) {
      const message = `Stopped: the model repeated the same failing tool call ${lastFailure.count} times.`;
      await record("error", { message, kind: "repeated_failure" });
      return ended("repeated_failure", message);
    }
  }
};

const askModel = (options: TurnOptions) =>
  options.client.stream(
    {
      model: options.model,
      system: options.system,
      tools: options.toolSchemas,
      messages: options.projection.messages(),
      maxTokens: options.maxTokens,
    },
    {
      signal: options.signal,
      onDelta: (delta) => {
        if (delta.type === "text") options.live.text(delta.text);
        if (delta.type === "thinking") options.live.thinking(delta.text);
        if (delta.type === "retrying") options.live.retrying(delta);
      },
    },
  );

const recordProjected = async <T extends PersistedEventType>(options: Pick<TurnOptions, "record" | "projection">, type: T, payload: PersistedEventPayloads[T]) => {
  const event = await options.record(type, payload);
  options.projection.apply(widenEvent(event));
  return event;
};

type CallResult = { name: string; input: unknown; output: string; isError: boolean };

/**
 * Read-only calls of one reply run in parallel; as soon as one writes, all run in order. Calls of
 * tools marked `concurrent` (Task: independent subagents the model chose to start together) run
 * in parallel with each other, the other calls in order after them. Exported for bench/sandbox.ts,
 * which times a call along this same path.
 */
export const runToolCalls = async (options: ToolCallOptions, calls: ToolUseBlock[], announced: ReadonlySet<string> = new Set()): Promise<CallResult[]> => {
  for (const call of calls) {
    if (announced.has(call.id)) continue;
    await options.record("tool_call", { toolUseId: call.id, name: call.name, input: call.input, invalidJson: call.invalidJson });
  }
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]));
  const allReadOnly = calls.every((call) => byName.get(call.name)?.readOnly === true);
  if (allReadOnly) return Promise.all(calls.map((call) => runOneCall(options, byName, call)));

  // In order, except that neighbouring concurrent calls (Task) run together.
  const results: CallResult[] = [];
  for (let index = 0; index < calls.length; ) {
    const isConcurrent = (call: ToolUseBlock | undefined) => call !== undefined && byName.get(call.name)?.concurrent === true;
    const batch = [calls[index]];
    while (isConcurrent(calls[index]) && isConcurrent(calls[index + batch.length])) batch.push(calls[index + batch.length]);
    results.push(...(await Promise.all(batch.map((call) => runOneCall(options, byName, call)))));
    index += batch.length;
  }
  return results;
};

const runOneCall = async (options: ToolCallOptions, byName: Map<string, Tool>, call: ToolUseBlock): Promise<CallResult> => {
  const started = performance.now();
  const finish = async (result: ToolOutput) => {
    await recordProjected(options, "tool_result", {
      toolUseId: call.id,
      name: call.name,
      output: result.output,
      isError: result.isError,
      durationMs: Math.round(performance.now() - started),
      metadata: result.metadata,
      ...(result.images?.length ? { images: result.images } : {}),
    });
    return { name: call.name, input: call.input, output: result.output, isError: result.isError };
  };

  if (options.signal.aborted) return finish({ output: "Not run: the user stopped the turn.", isError: true });
  const tool = byName.get(call.name);
  if (!tool) {
    const known = [...byName.keys()].join(", ");
    return finish({ output: `Unknown tool "${call.name}". Available tools: ${known}.`, isError: true });
  }
  if (call.invalidJson !== undefined) {
    const raw = call.invalidJson.length > 300 ? `${call.invalidJson.slice(0, 300)}…` : call.invalidJson;
    return finish({
      output: `The arguments for ${call.name} were not valid JSON, so the tool did not run. Received: ${raw}\nSend the call again with a single valid JSON object.`,
      isError: true,
    });
  }
  const parsed = tool.inputSchema.safeParse(call.input);
  if (!parsed.success) {
    return finish({ output: `Invalid input for ${call.name}: ${describeIssues(parsed.error)}`, isError: true });
  }
  if (options.authorize) {
    const decision = await options.authorize(tool, parsed.data, call);
    if (!decision.allowed) return finish({ output: decision.message, isError: true });
  }

  await options.record("tool_started", { toolUseId: call.id });
  const context: ToolContext = {
    ...options.toolContext,
    signal: options.signal,
    toolUseId: call.id,
    onOutput: (chunk) => options.live.toolOutput(call.id, chunk),
  };
  const result = await tool.run(parsed.data, context).catch((error: unknown): ToolOutput => {
    if (error instanceof ToolError) return { output: error.message, isError: true };
    const message = error instanceof Error ? error.message : String(error);
    return { output: `${call.name} failed: ${message}`, isError: true };
  });
  if (options.signal.aborted && !result.isError) {
    return finish({ ...result, output: `${result.output}\n[Interrupted: the user stopped the turn.]`, isError: true });
  }
  return finish(result);
};

const describeIssues = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "input"}: ${issue.message}`).join("; ");
