// Subagents: the Task tool's child agents. Each runs its own turn (loop.ts) with a fresh context,
// a tool subset and optionally another model, in the parent's sandbox. Its events go to the
// session log wrapped in subagent_event (the parent's projection ignores them; the UI nests
// them); only its final text returns to the parent as the Task result.
import { z } from "zod";
import type { ModelClient, ToolSchema } from "../llm/model-client";
import { costOf, type ModelPrice } from "../llm/pricing";
import { createSessionToolState } from "../tools/session-state";
import type { SubagentSpawner, Tool, ToolContext, ToolOutput } from "../tools/tool";
import type { ChildEvent, PersistedEventPayloads, PersistedEventType, SessionEvent } from "./events";
import { runTurn, type AuthorizeToolCall, type RecordEvent, type TurnResult } from "./loop";
import { loadMarkdownFiles } from "./markdown-definitions";
import { createMessageProjection } from "./messages";

export type AgentDefinition = { name: string; description: string; tools?: string[]; model?: string; instructions: string; path: string };

const agentFrontmatter = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().min(1, "description is required").max(2_000),
  tools: z.union([z.string(), z.array(z.string())]).optional(),
  model: z.string().trim().min(1).max(200).optional(),
});

/** Agent definitions of the workspace (.pincer/agents first, then .claude/agents); broken ones become problems. */
export const loadAgentDefinitions = async (workspaceDir: string) => {
  const { definitions, problems } = await loadMarkdownFiles([
    { scope: "workspace", workspaceDir, dir: ".pincer/agents" },
    { scope: "workspace", workspaceDir, dir: ".claude/agents" },
  ]);
  const agents: AgentDefinition[] = [];
  for (const definition of definitions) {
    const parsed = agentFrontmatter.safeParse(definition.frontmatter);
    if (!parsed.success) {
      problems.push({ path: definition.origin.path, message: parsed.error.issues.map((issue) => `${issue.path.join(".") || "frontmatter"}: ${issue.message}`).join("; ") });
      continue;
    }
    const tools = typeof parsed.data.tools === "string" ? parsed.data.tools.split(",") : parsed.data.tools;
    agents.push({
      name: parsed.data.name ?? definition.name,
      description: parsed.data.description,
      tools: tools?.map((tool) => tool.trim()).filter(Boolean),
      model: parsed.data.model === "inherit" ? undefined : parsed.data.model,
      instructions: definition.body.trim(),
      path: definition.origin.path,
    });
  }
  return { agents, problems };
};

/** Tools a child never gets: it cannot talk to the people in the session. */
const parentOnlyTools = new Set(["AskUserQuestion", "ExitPlanMode"]);

export const subagentPreamble = `You are a subagent: another agent started you for one task, in the same sandbox and workspace. It sees nothing of your work except your final message.
Do the task with the tools you have, then end with a final message that is your complete, concise report (what you found or changed, with paths). Do not ask questions; decide and say what you assumed.`;

export type SubagentDeps = {
  /** Appends to the session's log (the wrapped child events). */
  append: <T extends PersistedEventType>(type: T, payload: PersistedEventPayloads[T]) => Promise<SessionEvent<T>>;
  client: ModelClient;
  model: string;
  system: string;
  tools: Tool[];
  toolSchemas: ToolSchema[];
  /** The parent's context minus what each child gets fresh. */
  toolContext: Omit<ToolContext, "signal" | "onOutput" | "shell" | "readFiles" | "toolState" | "toolUseId" | "subagents" | "people">;
  authorize?: AuthorizeToolCall;
  toolOutput: (toolUseId: string, chunk: string) => void;
  workspaceDir: string;
  maxSteps: number;
  maxTokens: number;
  /** Nesting limit (default 3) and children running at once per level (default 10). */
  maxDepth?: number;
  maxConcurrent?: number;
  prices?: Record<string, ModelPrice>;
};

/** A counting semaphore whose waits can be aborted. */
const createSemaphore = (limit: number) => {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async acquire(signal: AbortSignal): Promise<() => void> {
      if (active >= limit) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            waiting.splice(waiting.indexOf(grant), 1);
            reject(new Error("aborted"));
          };
          const grant = () => {
            signal.removeEventListener("abort", onAbort);
            resolve();
          };
          waiting.push(grant);
          signal.addEventListener("abort", onAbort, { once: true });
        });
      } else {
        active += 1;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const next = waiting.shift();
        if (next) next();
        else active -= 1;
      };
    },
  };
};

/** The spawner for agents at `depth` (0: the session's own agent); each level has its own slots. */
export const createSubagentSpawner = (deps: SubagentDeps, depth = 0, reported = new Set<string>()): SubagentSpawner => {
  const maxDepth = deps.maxDepth ?? 3;
  const slots = createSemaphore(deps.maxConcurrent ?? 10);
  let deeper: SubagentSpawner | undefined;
  const childDepth = depth + 1;
  // Slots per level, so a child waiting for its own children never holds up its siblings' slots.
  const childSpawner = () => (deeper ??= createSubagentSpawner(deps, childDepth, reported));

  const reportProblems = async (problems: Array<{ path: string; message: string }>) => {
    for (const problem of problems) {
      const key = `${problem.path}\n${problem.message}`;
      if (reported.has(key)) continue;
      reported.add(key);
      await deps.append("error", { message: `Skipped the agent definition ${problem.path}: ${problem.message}`, kind: "agent_definition" });
    }
  };

  return {
    async run({ toolUseId, description, prompt, subagentType }, signal): Promise<ToolOutput> {
      const { agents, problems } = await loadAgentDefinitions(deps.workspaceDir);
      await reportProblems(problems);
      const definition = subagentType && subagentType !== "general-purpose" ? agents.find((agent) => agent.name === subagentType) : undefined;
      if (subagentType && subagentType !== "general-purpose" && !definition) {
        const known = ["general-purpose", ...agents.map((agent) => agent.name)].join(", ");
        return { output: `Unknown subagent_type "${subagentType}". Available: ${known}.`, isError: true };
      }
      const agent = definition?.name ?? "general-purpose";
      const model = definition?.model ?? deps.model;
      const allowed = definition?.tools ? new Set(definition.tools) : undefined;
      const tools = deps.tools.filter(
        (tool) => !parentOnlyTools.has(tool.name) && (!allowed || allowed.has(tool.name)) && (tool.name !== "Task" || childDepth < maxDepth),
      );
      const names = new Set(tools.map((tool) => tool.name));
      const system = [deps.system, subagentPreamble, ...(definition?.instructions ? [`<agent-instructions name="${agent}">\n${definition.instructions}\n</agent-instructions>`] : [])].join("\n\n");

      const release = await slots.acquire(signal).catch(() => null);
      if (!release) return { output: `The subagent "${description}" was stopped before it started.`, isError: true };
      let lastText = "";
      try {
        const record: RecordEvent = async (type, payload) => {
          if (type === "assistant_message") {
            const { content } = payload as PersistedEventPayloads["assistant_message"];
            lastText = content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n\n").trim() || lastText;
          }
          const wrapped = await deps.append("subagent_event", { parentToolUseId: toolUseId, agent, depth: childDepth, event: { type, payload } as ChildEvent });
          return { seq: wrapped.seq, type, payload, createdAt: wrapped.createdAt } as SessionEvent<typeof type>;
        };
        const prompted = await record("user_message", { text: prompt, author: `Task: ${description}` });
        await record("turn_started", { turn: 1, model, provider: deps.client.provider });
        const result: TurnResult = await runTurn({
          client: deps.client,
          model,
          system,
          tools,
          toolSchemas: deps.toolSchemas.filter((schema) => names.has(schema.name)),
          toolContext: {
            ...deps.toolContext,
            shell: { cwd: "/workspace" },
            readFiles: new Map(),
            toolState: createSessionToolState(),
            ...(names.has("Task") ? { subagents: childSpawner() } : {}),
          },
          projection: createMessageProjection([prompted as SessionEvent]),
          record,
          live: { text: () => undefined, thinking: () => undefined, toolOutput: deps.toolOutput, retrying: () => undefined },
          signal,
          maxSteps: deps.maxSteps,
          maxTokens: deps.maxTokens,
          authorize: deps.authorize,
        }).catch((error: unknown): TurnResult => ({ reason: "error", usage: { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0 }, steps: 0, error: error instanceof Error ? error.message : String(error) }));
        const costUsd = costOf(result.usage, model, deps.prices);
        await record("turn_finished", { turn: 1, reason: result.reason, usage: result.usage, steps: result.steps, error: result.error, costUsd });
        return reportOf(description, result, lastText, { agent, model, usage: result.usage, costUsd, steps: result.steps, reason: result.reason });
      } finally {
        release();
      }
    },
  };
};

/** Only the child's final text goes back; a child that failed or was stopped says so. */
const reportOf = (description: string, result: TurnResult, text: string, metadata: Record<string, unknown>): ToolOutput => {
  if (result.reason === "end_turn") {
    return text ? { output: text, isError: false, metadata } : { output: `The subagent "${description}" finished without a final message.`, isError: true, metadata };
  }
  if (result.reason === "aborted") return { output: `The subagent "${description}" was stopped before it finished (the turn was stopped).`, isError: true, metadata };
  const last = text ? `\nIts last message: ${text.slice(0, 2_000)}` : "";
  return { output: `The subagent "${description}" failed (${result.reason}): ${result.error ?? "no details"}.${last}`, isError: true, metadata };
};
