// The session's extensions around the agent loop: MCP servers (connected at the first turn, their
// tools fixed for the session) and hooks (SessionStart, UserPromptSubmit, PreToolUse, PostToolUse,
// Stop). The runner calls in at a few points; everything else lives here.
import type { AuthorizeToolCall, RecordEvent } from "../agent/loop";
import type { McpServerSnapshot, SessionEvent } from "../agent/events";
import type { ToolSchema } from "../llm/model-client";
import type { Sandbox } from "../sandbox/sandbox";
import { loadHooks, runHooks, type HookEvent, type HookSet } from "../hooks/hooks";
import { loadMcpServers } from "../mcp/config";
import { createSessionMcp, type McpTimeouts, type SessionMcp } from "../mcp/session-mcp";
import type { Tool } from "../tools/tool";

export type ExtensionOptions = {
  /** A server-wide .mcp.json-style file (PINCER_MCP_CONFIG). */
  mcpConfigPath?: string;
  mcpTimeouts?: Partial<McpTimeouts>;
};

type Deps = ExtensionOptions & { sessionId: string; workspaceDir: string; sandbox: Sandbox; record: RecordEvent };

export const createSessionExtensions = (deps: Deps) => {
  const { sandbox, record, sessionId } = deps;
  let mcp: SessionMcp | null = null;
  let toolSet: { tools: Tool[]; toolSchemas: ToolSchema[] } | null = null;

  const notice = (text: string, tone: "info" | "error", source: string) => record("notice", { text, tone, source });

  const hooks = async (): Promise<HookSet> => {
    const set = await loadHooks(deps.workspaceDir);
    for (const error of set.errors) await notice(error, "error", "hooks");
    return set;
  };

  const run = async (set: HookSet, event: HookEvent, input: Record<string, unknown>, toolName?: string, signal?: AbortSignal) => {
    const outcome = await runHooks(set, event, input, { sandbox, sessionId, toolName, signal });
    for (const failure of outcome.failures) await notice(failure, "error", "hooks");
    return outcome;
  };

  /**
   * The tools of this session: the built-ins plus the MCP servers' tools. The first turn connects
   * the servers and records their tools; later turns (and a restarted server) reuse that record,
   * so the tool list the model sees never changes inside a session.
   */
  const sessionTools = async (events: SessionEvent[], base: { tools: Tool[]; toolSchemas: ToolSchema[] }) => {
    if (toolSet) return toolSet;
    const configured = await loadMcpServers({ workspaceDir: deps.workspaceDir, serverConfigPath: deps.mcpConfigPath });
    const recorded = events.find((event) => event.type === "mcp_servers");
    mcp ??= createSessionMcp({
      spawn: async (request) => {
        if (!sandbox.spawn) throw new Error("this sandbox cannot run MCP stdio servers");
        return sandbox.spawn(request);
      },
      onStatus: async (server, state, message) => {
        await record("mcp_server_status", { server, state, message });
      },
      timeouts: deps.mcpTimeouts,
    });
    let snapshot: McpServerSnapshot[];
    if (recorded?.type === "mcp_servers") {
      snapshot = recorded.payload.servers;
      mcp.adopt(configured.servers, snapshot);
    } else {
      for (const error of configured.errors) await notice(`MCP configuration: ${error}`, "error", "mcp");
      snapshot = await mcp.connectAll(configured.servers);
      if (snapshot.length) await record("mcp_servers", { servers: snapshot });
    }
    const fromMcp = mcp.toolsFor(snapshot);
    const builtinNames = new Set(base.tools.map((tool) => tool.name));
    const extra = fromMcp.tools.filter((tool) => !builtinNames.has(tool.name));
    const extraNames = new Set(extra.map((tool) => tool.name));
    toolSet = {
      tools: [...base.tools, ...extra].map((tool) => withPostToolUse(tool)),
      toolSchemas: [...base.toolSchemas, ...fromMcp.toolSchemas.filter((schema) => extraNames.has(schema.name))],
    };
    return toolSet;
  };

  /** PostToolUse: after the tool ran; exit code 2 adds the hook's message to the result. */
  const withPostToolUse = (tool: Tool): Tool => ({
    ...tool,
    run: async (input, context) => {
      const result = await tool.run(input, context);
      const set = await loadHooks(deps.workspaceDir);
      if (!set.groups.PostToolUse?.length) return result;
      const outcome = await run(set, "PostToolUse", { tool_name: tool.name, tool_input: input, tool_response: { output: result.output, is_error: result.isError } }, tool.name, context.signal);
      if (!outcome.blocked) return result;
      return { ...result, output: `${result.output}\n\n[PostToolUse hook feedback]\n${outcome.message}` };
    },
  });

  /** PreToolUse before the permission engine: a hook that exits with 2 turns the call into an error. */
  const authorize = (inner: AuthorizeToolCall, signal: AbortSignal): AuthorizeToolCall => async (tool, input, call) => {
    const set = await hooks();
    if (set.groups.PreToolUse?.length) {
      const outcome = await run(set, "PreToolUse", { tool_name: tool.name, tool_input: input, tool_use_id: call.id }, tool.name, signal);
      if (outcome.blocked) return { allowed: false, message: `Blocked by a PreToolUse hook: ${outcome.message}` };
    }
    return inner(tool, input, call);
  };

  /**
   * UserPromptSubmit (and SessionStart on a new conversation) before the prompt is recorded.
   * blocked: the prompt is refused with a notice. context: hook output for the model.
   */
  const beforePrompt = async (prompt: string, newConversation: boolean): Promise<{ blocked: true } | { blocked: false; context: string }> => {
    const set = await hooks();
    const parts: string[] = [];
    if (newConversation && set.groups.SessionStart?.length) {
      const started = await run(set, "SessionStart", { source: "startup" });
      parts.push(...started.outputs);
    }
    if (set.groups.UserPromptSubmit?.length) {
      const outcome = await run(set, "UserPromptSubmit", { prompt });
      if (outcome.blocked) {
        await notice(`Prompt blocked by a UserPromptSubmit hook: ${outcome.message}`, "error", "hooks");
        return { blocked: true };
      }
      parts.push(...outcome.outputs);
    }
    return { blocked: false, context: parts.length ? `<hook-context>\n${parts.join("\n")}\n</hook-context>` : "" };
  };

  /** Stop: when the model ends its turn. Exit code 2 returns the hook's message, to continue with. */
  const onStop = async (signal: AbortSignal): Promise<string | null> => {
    const set = await loadHooks(deps.workspaceDir);
    if (!set.groups.Stop?.length) return null;
    const outcome = await run(set, "Stop", { stop_hook_active: false }, undefined, signal);
    return outcome.blocked ? outcome.message : null;
  };

  const close = async () => {
    await mcp?.close();
    mcp = null;
    toolSet = null;
  };

  return { sessionTools, authorize, beforePrompt, onStop, close };
};

export type SessionExtensions = ReturnType<typeof createSessionExtensions>;
