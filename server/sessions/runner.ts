// Owns one session's live state in the server process: its sandbox handle, the Bash cwd, the
// files read so far, and the turn that is running (at most one). Turns run detached from any
// HTTP request, so closing the browser does not stop the agent.
import { ModelError, type ModelClient, type ProviderConfig } from "../llm/model-client";
import { runTurn, type AuthorizeToolCall } from "../agent/loop";
import type { ToolUseBlock } from "../llm/model-client";
import { createQuestions } from "./questions";
import { approvalStateFromLog, createApprovals, type Approvals, type ApprovalAnswer, type CheckPermission, type PermissionMode } from "./approvals";
import { costOf, type ModelPrice } from "../llm/pricing";
import { createMessageProjection, type MessageProjection } from "../agent/messages";
import { contextSettingsFor, createContextManager, createContextState, type CompactOutcome, type ContextSettings } from "../agent/compaction";
import { createSubagentSpawner } from "../agent/subagents";
import { widenEvent } from "../agent/events";
import { environmentContext, systemPrompt } from "../agent/prompt";
import { createSessionExtensions, type ExtensionOptions } from "./session-extensions";
import type { PersistedEventPayloads, PersistedEventType, SessionEvent } from "../agent/events";
import type { ExecRequest, Sandbox, SandboxDriver, SandboxSpec, TtyStream } from "../sandbox/sandbox";
import { SandboxError } from "../sandbox/sandbox";
import type { FileReadState, Tool } from "../tools/tool";
import { createSessionToolState } from "../tools/session-state";
import type { ToolSchema } from "../llm/model-client";
import type { EventLog } from "./event-log";
import type { FanOut } from "./fan-out";

export type SessionStatus = "starting" | "idle" | "running" | "waiting" | "error";

export type RunnerDeps = {
  eventLog: EventLog;
  fanOut: FanOut;
  driver: SandboxDriver;
  tools: Tool[];
  toolSchemas: ToolSchema[];
  createModelClient: (config: ProviderConfig) => ModelClient;
  /** Resolves the provider to use for the session's next turn; null when none is configured. */
  resolveProvider: (sessionId: string) => Promise<ProviderConfig | null>;
  setStatus: (sessionId: string, status: SessionStatus) => Promise<void>;
  /** The permission engine; every tool call is checked here before it runs. */
  checkPermission: CheckPermission;
  /** Adds allow rules to the project's settings (an "always in this project" answer). */
  persistProjectRules: (workspaceDir: string, rules: string[]) => Promise<void>;
  /** Runs after every turn, before the session counts as idle (review checkpoints). */
  afterTurn?: (sessionId: string, turn: number, sandbox: Sandbox) => Promise<void>;
  /** Price table for turn costs (defaults when absent). */
  prices?: Record<string, ModelPrice>;
  limits: { maxSteps: number; maxTokens: number; maxOutputChars: number };
  /** MCP servers and hooks (session-extensions.ts). */
  extensions?: ExtensionOptions;
  /** Context window overrides (compaction.ts): per model in `windows`, or one `window` for all. */
  context?: Partial<ContextSettings> & { windows?: Record<string, number> };
  /** Subagent limits (subagents.ts): nesting depth (default 3), children at once (default 10). */
  subagents?: { maxDepth?: number; maxConcurrent?: number };
};

export type SessionRunner = ReturnType<typeof createSessionRunner>;

export const createSessionRunner = (deps: RunnerDeps, sessionId: string, spec: SandboxSpec) => {
  const readFiles: FileReadState = new Map();
  const toolState = createSessionToolState();
  const shell = { cwd: "/workspace" };
  let current: Sandbox | null = null;
  let sandboxStale = true;
  let turn: { controller: AbortController; done: Promise<void> } | null = null;
  let approvals: Approvals | null = null;
  let checkpointDue = false;
  let lastTurnNumber = 0;

  const record = <T extends PersistedEventType>(type: T, payload: PersistedEventPayloads[T]) => deps.eventLog.append(sessionId, type, payload);

  const setStatus = async (status: SessionStatus) => {
    deps.fanOut.setStatus(sessionId, status);
    await deps.setStatus(sessionId, status);
  };

  /** The session's sandbox, recreated (workspace intact) when its container died or was removed. */
  const ensureSandbox = async (): Promise<Sandbox> => {
    if (current && !sandboxStale) return current;
    const { sandbox, recreated, reason } = await deps.driver.ensure(spec);
    if (recreated) {
      await record("sandbox_status", {
        state: "recreated",
        message: `${capitalise(reason ?? "the sandbox was gone")}; a new container was started with the workspace intact.`,
        runtime: sandbox.runtime,
      });
      shell.cwd = "/workspace";
    }
    current = sandbox;
    sandboxStale = false;
    return sandbox;
  };

  /** The first container of a new session (not a recreation: nothing to report). */
  const startSandbox = async (): Promise<Sandbox> => {
    current = await deps.driver.create(spec);
    sandboxStale = false;
    return current;
  };

  /** Set when a sandbox call found the engine away; the turn ends after that round of tools. */
  let engineLost: SandboxError | null = null;

  /**
   * Runs one call in the current container. A container found dead or gone before the call
   * started (killed while idle, OOM, an engine restart) is recreated and the call runs there, so
   * the next use just works; one that died mid-call is reported and recreated on the next use.
   */
  const inSandbox = async <T>(use: (sandbox: Sandbox) => Promise<T>): Promise<T> => {
    try {
      const sandbox = await ensureSandbox();
      try {
        return await use(sandbox);
      } catch (error) {
        if (!(error instanceof SandboxError) || (error.code !== "died" && error.code !== "not_found")) throw error;
        sandboxStale = true;
        if (!error.beforeStart) throw error;
        return await use(await ensureSandbox());
      }
    } catch (error) {
      if (error instanceof SandboxError && error.code === "engine_unreachable") engineLost = error;
      throw error;
    }
  };

  // The tools see one stable Sandbox whose calls go to whichever container is current.
  const sandboxForTools: Sandbox = {
    id: sessionId,
    sessionId,
    workdir: "/workspace",
    hostWorkspaceDir: spec.workspaceDir,
    exec: (request: ExecRequest) => inSandbox((sandbox) => sandbox.exec(request)),
    openTty: (options): Promise<TtyStream> => inSandbox((sandbox) => sandbox.openTty(options)),
    spawn: (request) =>
      inSandbox((sandbox) => {
        if (!sandbox.spawn) throw new SandboxError("exec_failed", "This sandbox cannot run long-lived processes.");
        return sandbox.spawn(request);
      }),
  };

  // MCP servers and hooks (session-extensions.ts): the tool list is fixed at the first turn.
  const extensions = createSessionExtensions({ ...deps.extensions, sessionId, workspaceDir: spec.workspaceDir, sandbox: sandboxForTools, record });
  let stopHookContinuations = 0;
  let continueAfterStopHook = false;

  const questions = createQuestions({ record, onWaiting: (waiting) => void setStatus(waiting ? "waiting" : "running") });

  // --- context and subagents (server/agent/compaction.ts, server/agent/subagents.ts) ---
  const contextState = createContextState();
  // Both get the session's tool list (built-ins plus MCP tools, hook-wrapped), as the model sees it.
  type SessionTools = Awaited<ReturnType<typeof extensions.sessionTools>>;
  const contextFor = (client: ModelClient, model: string, projection: MessageProjection, toolSchemas: ToolSchema[]) =>
    createContextManager({
      client,
      model,
      system: systemPrompt,
      toolSchemas,
      projection,
      settings: contextSettingsFor(model, deps.context),
      state: contextState,
      maxTokens: deps.limits.maxTokens,
      record: async (type, payload) => {
        const event = await record(type, payload);
        projection.apply(widenEvent(event));
        return event;
      },
    });
  const subagentsFor = (client: ModelClient, model: string, authorize: AuthorizeToolCall, tools: SessionTools) =>
    createSubagentSpawner({
      append: record,
      client,
      model,
      system: systemPrompt,
      tools: tools.tools,
      toolSchemas: tools.toolSchemas,
      toolContext: { sandbox: sandboxForTools, sessionId, limits: { maxOutputChars: deps.limits.maxOutputChars } },
      authorize,
      toolOutput: (id, chunk) => deps.fanOut.publishToolOutput(sessionId, id, chunk),
      workspaceDir: spec.workspaceDir,
      maxSteps: deps.limits.maxSteps,
      maxTokens: deps.limits.maxTokens,
      maxDepth: deps.subagents?.maxDepth,
      maxConcurrent: deps.subagents?.maxConcurrent,
      prices: deps.prices,
    });

  const approvalsFrom = (events: SessionEvent[]) => {
    approvals ??= createApprovals(
      {
        sessionId,
        record,
        check: deps.checkPermission,
        persistProjectRules: (rules) => deps.persistProjectRules(spec.workspaceDir, rules),
        cwd: () => shell.cwd,
        onWaiting: (waiting) => void setStatus(waiting ? "waiting" : "running"),
      },
      approvalStateFromLog(events),
    );
    return approvals;
  };
  const loadApprovals = async () => approvals ?? approvalsFrom(await deps.eventLog.listSince(sessionId, 0));

  const runOneTurn = async (controller: AbortController) => {
    const events = await deps.eventLog.listSince(sessionId, 0);
    const turnNumber = events.filter((event) => event.type === "turn_started").length + 1;
    const gate = approvalsFrom(events);
    const provider = await deps.resolveProvider(sessionId);
    if (!provider) {
      await record("error", { message: "No model provider is configured. Add one in Settings, then send the message again.", kind: "no_provider" });
      await setStatus("idle");
      return;
    }
    await record("turn_started", { turn: turnNumber, model: provider.model, provider: provider.kind });
    engineLost = null;
    lastTurnNumber = turnNumber;
    checkpointDue = true;
    const projection = createMessageProjection(events);
    const client = deps.createModelClient(provider);
    const sessionTools = await extensions.sessionTools(events, { tools: deps.tools, toolSchemas: deps.toolSchemas });
    // PreToolUse hooks, then the permission engine: for the agent and its subagents alike.
    const authorize = extensions.authorize(gate.authorize(controller.signal), controller.signal);
    const result = await runTurn({
      client,
      model: provider.model,
      system: systemPrompt,
      tools: sessionTools.tools,
      toolSchemas: sessionTools.toolSchemas,
      toolContext: {
        sandbox: sandboxForTools,
        sessionId,
        shell,
        readFiles,
        toolState,
        people: {
          ask: (asked, signal, toolUseId) => questions.ask(asked, signal, toolUseId),
          exitPlanMode: async () => (await loadApprovals()).setMode("default", "plan approved"),
        },
        limits: { maxOutputChars: deps.limits.maxOutputChars },
        subagents: subagentsFor(client, provider.model, authorize, sessionTools),
      },
      context: contextFor(client, provider.model, projection, sessionTools.toolSchemas),
      projection,
      record,
      live: {
        text: (delta) => deps.fanOut.publishText(sessionId, delta),
        thinking: (delta) => deps.fanOut.publishThinking(sessionId, delta),
        toolOutput: (id, chunk) => deps.fanOut.publishToolOutput(sessionId, id, chunk),
        retrying: (notice) => deps.fanOut.publishRetrying(sessionId, notice),
      },
      signal: controller.signal,
      maxSteps: deps.limits.maxSteps,
      maxTokens: deps.limits.maxTokens,
      authorize,
      pendingCalls: unansweredCalls(events),
      haltAfterTools: () =>
        engineLost && {
          kind: "engine_unreachable",
          message: `This turn stopped: ${engineLost.message} The workspace is kept; once the engine answers again, send a message to continue.`,
        },
    });
    const costUsd = costOf(result.usage, provider.model, deps.prices);
    await record("turn_finished", { turn: turnNumber, reason: result.reason, usage: result.usage, steps: result.steps, error: result.error, costUsd });
    // A Stop hook that exits with 2 sends its message back to the model (at most 3 times in a row).
    const stopFeedback = result.reason === "end_turn" && stopHookContinuations < 3 ? await extensions.onStop(controller.signal) : null;
    if (stopFeedback) {
      stopHookContinuations += 1;
      continueAfterStopHook = true;
      await record("user_message", { text: `Stop hook feedback:\n${stopFeedback}`, author: "Stop hook" });
    } else {
      stopHookContinuations = 0;
    }
    await setStatus(result.reason === "error" ? "error" : "idle");
  };

  const startTurn = () => {
    const controller = new AbortController();
    const done = (async () => {
      await setStatus("running");
      try {
        await runOneTurn(controller);
      } catch (error) {
        // Anything unexpected still ends the turn visibly; the session stays usable.
        const message = error instanceof Error ? error.message : String(error);
        const kind = error instanceof ModelError ? error.kind : error instanceof SandboxError ? error.code : "internal";
        await record("error", { message, kind });
        await record("turn_finished", { turn: lastTurnNumber, reason: "error", usage: { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0 }, steps: 0, error: message });
        await setStatus("error");
      } finally {
        // Review checkpoint (server/review/checkpoints.ts): before the turn counts as over, so a
        // rewind or the next message never races it. A failure is shown, the session goes on.
        // After an engine outage stopped the turn the checkpoint could only fail too; the next
        // turn's checkpoint takes in this turn's changes.
        if (checkpointDue && deps.afterTurn && !engineLost) {
          checkpointDue = false;
          await deps.afterTurn(sessionId, lastTurnNumber, sandboxForTools).catch((error: unknown) =>
            record("error", { message: `Could not record a checkpoint: ${error instanceof Error ? error.message : String(error)}`, kind: "checkpoint" }),
          );
        }
        turn = null;
        if (continueAfterStopHook) {
          continueAfterStopHook = false;
          startTurn();
        }
      }
    })();
    turn = { controller, done };
  };

  return {
    sessionId,
    get running() {
      return turn !== null;
    },
    ensureSandbox,
    startSandbox,
    sandbox: sandboxForTools,
    /** Records the user's message and starts a turn. Throws when a turn is already running. */
    async sendMessage(text: string, author: string, isFirstMessage: boolean) {
      if (turn) throw new SessionBusyError();
      const hooked = await extensions.beforePrompt(text, isFirstMessage);
      if (hooked.blocked) return;
      const environment = isFirstMessage ? await environmentContext(sandboxForTools).catch(() => undefined) : undefined;
      const context = [environment, hooked.context].filter(Boolean).join("\n") || undefined;
      await record("user_message", { text, author, context });
      startTurn();
    },
    /** `/compact [focus]`: summarises the conversation now. Throws SessionBusyError while a turn runs. */
    compact(focus?: string): Promise<CompactOutcome> {
      if (turn) throw new SessionBusyError();
      const controller = new AbortController();
      const work = (async (): Promise<CompactOutcome> => {
        try {
          const provider = await deps.resolveProvider(sessionId);
          if (!provider) return { compacted: false, reason: "No model provider is configured." };
          await setStatus("running");
          const events = await deps.eventLog.listSince(sessionId, 0);
          const projection = createMessageProjection(events);
          const { toolSchemas } = await extensions.sessionTools(events, { tools: deps.tools, toolSchemas: deps.toolSchemas });
          const outcome = await contextFor(deps.createModelClient(provider), provider.model, projection, toolSchemas).compactNow(controller.signal, focus);
          if (!outcome.compacted) await record("error", { message: `Nothing to compact: ${outcome.reason}`, kind: "compaction_skipped" });
          return outcome;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          await record("error", { message: `Could not compact the context (${message}); the full history is kept.`, kind: "compaction_failed" });
          return { compacted: false, reason: message };
        } finally {
          turn = null;
          await setStatus("idle");
        }
      })();
      turn = { controller, done: work.then(() => undefined) };
      return work;
    },
    /** Continues an interrupted turn from the log (after a restart): no new user message. */
    resume() {
      if (!turn) startTurn();
    },
    async setMode(mode: PermissionMode, by: string) {
      await (await loadApprovals()).setMode(mode, by);
    },
    async mode(): Promise<PermissionMode> {
      return (await loadApprovals()).mode;
    },
    /** False when no call waits on that question (already answered, or its turn ended). */
    answerQuestion: (requestId: string, answers: string[], by: string) => questions.answer(requestId, answers, by),
    /** False when no call waits on that request (already answered, or its turn ended). */
    async answerPermission(requestId: string, answer: ApprovalAnswer) {
      const gate = await loadApprovals();
      // After a restart the resumed turn may not have reached this call yet: wait until it asks
      // again (or the turn ends) instead of refusing an answer to a question still on screen.
      for (;;) {
        if (await gate.answer(requestId, answer)) return true;
        const running = turn;
        if (!running || !gate.isUnanswered(requestId)) return false;
        const ended = await Promise.race([running.done.then(() => true), gate.nextWaiting().then(() => false)]);
        if (ended && turn === running) return gate.answer(requestId, answer);
      }
    },
    /** Aborts the running turn: the model stream and any running command. */
    async stop() {
      const running = turn;
      if (!running) return;
      running.controller.abort();
      await running.done;
    },
    /** Resolves when the running turn (if any) has ended. */
    async idle() {
      // A Stop hook may chain a follow-up turn; wait for that one too.
      while (turn) await turn.done;
    },
  };
};

/** Tool calls of the last reply that never got a result (a turn cut short by a restart). */
export const unansweredCalls = (events: SessionEvent[]) => {
  const lastReply = events.findLast((event) => event.type === "assistant_message");
  if (!lastReply || lastReply.type !== "assistant_message") return undefined;
  const answered = new Set(events.flatMap((event) => (event.type === "tool_result" ? [event.payload.toolUseId] : [])));
  const announced = new Set(events.flatMap((event) => (event.type === "tool_call" ? [event.payload.toolUseId] : [])));
  const calls = lastReply.payload.content.filter((block): block is ToolUseBlock => block.type === "tool_use" && !answered.has(block.id));
  return calls.length ? { calls, announced } : undefined;
};

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export class SessionBusyError extends Error {
  constructor() {
    super("The agent is still working on the previous message. Wait for it to finish or press Stop.");
    this.name = "SessionBusyError";
  }
}
