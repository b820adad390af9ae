// One session's MCP servers: connected once at the start of the session, their tools fixed for
// the session as mcp__<server>__<tool>. A server that crashes or stops answering is marked down;
// its tools then return an error the model can read, and the UI shows the state.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { z } from "zod";
import type { McpServerSnapshot } from "../agent/events";
import type { ToolSchema } from "../llm/model-client";
import type { SandboxProcess, SpawnRequest } from "../sandbox/sandbox";
import { defineTool, ToolError, type Tool, type ToolOutput } from "../tools/tool";
import { truncateOutput } from "../tools/truncate";
import type { McpServerEntry } from "./config";
import { SandboxStdioTransport } from "./sandbox-stdio-transport";

export type McpTimeouts = { connectMs: number; callMs: number };
const defaultTimeouts: McpTimeouts = { connectMs: 30_000, callMs: 120_000 };

export type SessionMcpDeps = {
  /** Starts a process in the session's sandbox (stdio servers). */
  spawn: (request: SpawnRequest) => Promise<SandboxProcess>;
  /** Records a state change (server down, back up). */
  onStatus: (server: string, state: "connected" | "down", message: string) => Promise<void>;
  timeouts?: Partial<McpTimeouts>;
  /** HTTP servers are reached from the Pincer server itself (tests pass their own fetch). */
  fetch?: typeof fetch;
};

const MAX_TOOL_NAME = 64;

/** mcp__<server>__<tool> with characters every provider accepts. */
export const mcpToolName = (server: string, tool: string) => `mcp__${server}__${tool.replace(/[^A-Za-z0-9_-]/g, "_")}`.slice(0, MAX_TOOL_NAME);

type Connection = { entry: McpServerEntry; client: Client | null; transport: Transport | null; state: "connected" | "down"; message?: string; connecting?: Promise<void> };

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const createSessionMcp = (deps: SessionMcpDeps) => {
  const timeouts = { ...defaultTimeouts, ...deps.timeouts };
  const connections = new Map<string, Connection>();

  const markDown = async (connection: Connection, message: string) => {
    if (connection.state === "down") return;
    connection.state = "down";
    connection.message = message;
    const client = connection.client;
    connection.client = null;
    connection.transport = null;
    await client?.close().catch(() => undefined);
    await deps.onStatus(connection.entry.name, "down", message);
  };

  const transportFor = (entry: McpServerEntry): Transport => {
    const config = entry.config;
    if (config.transport === "http") {
      return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers }, fetch: deps.fetch });
    }
    return new SandboxStdioTransport(deps.spawn, { cmd: [config.command, ...config.args], env: config.env, cwd: config.cwd });
  };

  /** Connects one server; throws with a readable reason. */
  const open = async (connection: Connection) => {
    const transport = transportFor(connection.entry);
    const client = new Client({ name: "pincer", version: "0.1.0" });
    transport.onclose = undefined;
    try {
      await withTimeout(client.connect(transport), timeouts.connectMs, `MCP server ${connection.entry.name}`);
    } catch (error) {
      await transport.close().catch(() => undefined);
      const tail = transport instanceof SandboxStdioTransport && transport.stderrTail ? ` (stderr: ${transport.stderrTail})` : "";
      throw new Error(`${errorText(error)}${tail}`);
    }
    connection.client = client;
    connection.transport = transport;
    connection.state = "connected";
    connection.message = undefined;
    // A server that exits (or an HTTP session that ends) is down from then on.
    client.onclose = () => {
      if (connection.client !== client) return;
      const exit = transport instanceof SandboxStdioTransport ? describeExit(transport) : "the connection closed";
      void markDown(connection, exit);
    };
    return client;
  };

  const describeExit = (transport: SandboxStdioTransport) =>
    `the server stopped${transport.exitCode !== undefined && transport.exitCode !== null ? ` (exit code ${transport.exitCode})` : ""}${transport.stderrTail ? `: ${transport.stderrTail.split("\n").slice(-3).join(" ")}` : ""}`;

  /** Connects every server and lists its tools: the session's fixed MCP tool list. */
  const connectAll = async (entries: McpServerEntry[]): Promise<McpServerSnapshot[]> =>
    Promise.all(
      entries.map(async (entry): Promise<McpServerSnapshot> => {
        const connection: Connection = { entry, client: null, transport: null, state: "down" };
        connections.set(entry.name, connection);
        const base = { name: entry.name, transport: entry.config.transport };
        try {
          const client = await open(connection);
          const listed = await withTimeout(client.listTools(), timeouts.connectMs, `MCP server ${entry.name}`);
          const tools = listed.tools.map((tool) => ({
            name: mcpToolName(entry.name, tool.name),
            toolName: tool.name,
            description: tool.description ?? "",
            inputSchema: tool.inputSchema as Record<string, unknown>,
            readOnly: tool.annotations?.readOnlyHint === true,
          }));
          return { ...base, state: "connected", tools };
        } catch (error) {
          connection.state = "down";
          connection.message = errorText(error);
          return { ...base, state: "down", message: connection.message, tools: [] };
        }
      }),
    );

  /** After a restart: the recorded tools stay; servers reconnect on their first call. */
  const adopt = (entries: McpServerEntry[], snapshot: McpServerSnapshot[]) => {
    for (const server of snapshot) {
      const entry = entries.find((candidate) => candidate.name === server.name);
      if (!entry) {
        connections.set(server.name, { entry: { name: server.name, origin: "", config: { transport: "http", url: "http://invalid", headers: {}, type: "http" } }, client: null, transport: null, state: "down", message: "no longer configured" });
        continue;
      }
      connections.set(server.name, { entry, client: null, transport: null, state: server.state, message: server.message });
    }
  };

  const clientFor = async (server: string): Promise<Client> => {
    const connection = connections.get(server);
    if (!connection) throw new ToolError(`MCP server ${server} is not configured for this session.`);
    if (connection.client) return connection.client;
    if (connection.state === "down") throw new ToolError(`MCP server ${server} is down: ${connection.message ?? "unknown reason"}. Its tools cannot be used in this session.`);
    connection.connecting ??= open(connection)
      .then(() => undefined)
      .catch(async (error: unknown) => {
        await markDown(Object.assign(connection, { state: "connected" as const }), errorText(error));
      })
      .finally(() => {
        connection.connecting = undefined;
      });
    await connection.connecting;
    if (!connection.client) throw new ToolError(`MCP server ${server} is down: ${connection.message ?? "unknown reason"}.`);
    return connection.client;
  };

  const callTool = async (server: string, toolName: string, args: Record<string, unknown>, signal: AbortSignal, maxChars: number): Promise<ToolOutput> => {
    const client = await clientFor(server);
    const connection = connections.get(server);
    const result = await client
      .callTool({ name: toolName, arguments: args }, undefined, { signal, timeout: timeouts.callMs })
      .catch(async (error: unknown) => {
        if (signal.aborted) throw new ToolError("Interrupted: the user stopped the turn.");
        const message = errorText(error);
        // A call that times out means the server hangs: stop using it for the session.
        if (/timed out|timeout/i.test(message) && connection) await markDown(connection, `it stopped answering (${message})`);
        if (connection?.state === "down") throw new ToolError(`MCP server ${server} is down: ${connection.message}`);
        throw new ToolError(`MCP tool ${toolName} failed: ${message}`);
      });
    const blocks = Array.isArray(result.content) ? (result.content as Array<Record<string, unknown>>) : [];
    const texts: string[] = [];
    const images: Array<{ mediaType: string; base64: string }> = [];
    for (const block of blocks) {
      if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
      else if (block.type === "image" && typeof block.data === "string" && typeof block.mimeType === "string") images.push({ mediaType: block.mimeType, base64: block.data });
      else texts.push(JSON.stringify(block));
    }
    if (texts.length === 0 && result.structuredContent) texts.push(JSON.stringify(result.structuredContent));
    const output = truncateOutput(texts.join("\n") || "(no output)", maxChars).text;
    return { output, isError: result.isError === true, metadata: { mcpServer: server }, ...(images.length ? { images } : {}) };
  };

  /** The Tool objects for a snapshot: schemas exactly as recorded, calls through the connection. */
  const toolsFor = (snapshot: McpServerSnapshot[]): { tools: Tool[]; toolSchemas: ToolSchema[] } => {
    const tools: Tool[] = [];
    const toolSchemas: ToolSchema[] = [];
    for (const server of snapshot) {
      for (const listed of server.tools) {
        tools.push(
          defineTool({
            name: listed.name,
            description: listed.description,
            inputSchema: z.record(z.string(), z.unknown()),
            readOnly: listed.readOnly === true,
            permissionKey: () => "",
            run: (input, context) => callTool(server.name, listed.toolName, input, context.signal, context.limits.maxOutputChars),
          }) as Tool,
        );
        toolSchemas.push({ name: listed.name, description: `${listed.description}\n(Tool of the MCP server "${server.name}".)`.trim(), inputSchema: listed.inputSchema });
      }
    }
    return { tools, toolSchemas };
  };

  const close = async () => {
    const open = [...connections.values()];
    connections.clear();
    await Promise.all(open.map((connection) => connection.client?.close().catch(() => undefined)));
  };

  return { connectAll, adopt, toolsFor, close, state: (server: string) => connections.get(server)?.state };
};

export type SessionMcp = ReturnType<typeof createSessionMcp>;
