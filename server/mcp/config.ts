// MCP server configuration: the server-wide file (PINCER_MCP_CONFIG) and the workspace's .mcp.json,
// in Claude Code's format. The workspace wins on a name clash; bad entries are reported, not fatal.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { resolveWorkspacePath } from "../workspace/paths";

const stdioServer = z.object({
  type: z.literal("stdio").optional(),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
});

const httpServer = z.object({
  type: z.enum(["http", "streamable-http"]),
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
});

export type McpServerConfig = ({ transport: "stdio" } & z.infer<typeof stdioServer>) | ({ transport: "http" } & z.infer<typeof httpServer>);
export type McpServerEntry = { name: string; origin: string; config: McpServerConfig };

const fileSchema = z.object({ mcpServers: z.record(z.string(), z.unknown()).default({}) });

/** Tool names are mcp__<server>__<tool>; keep server names to characters every provider accepts. */
const serverNamePattern = /^[A-Za-z0-9_-]{1,32}$/;

export const parseMcpConfig = (text: string, origin: string): { servers: McpServerEntry[]; errors: string[] } => {
  const errors: string[] = [];
  const json = (() => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  if (json instanceof Error) return { servers: [], errors: [`${origin}: not valid JSON (${json.message})`] };
  const file = fileSchema.safeParse(json);
  if (!file.success) return { servers: [], errors: [`${origin}: ${file.error.issues.map((issue) => issue.message).join("; ")}`] };
  const servers: McpServerEntry[] = [];
  for (const [name, raw] of Object.entries(file.data.mcpServers)) {
    if (!serverNamePattern.test(name)) {
      errors.push(`${origin}: server name "${name}" must be letters, digits, '-' or '_' (at most 32)`);
      continue;
    }
    const kind = typeof raw === "object" && raw !== null && "url" in raw ? "http" : "stdio";
    const parsed = kind === "http" ? httpServer.safeParse(raw) : stdioServer.safeParse(raw);
    if (!parsed.success) {
      errors.push(`${origin}: server "${name}": ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "entry"}: ${issue.message}`).join("; ")}`);
      continue;
    }
    const config = kind === "http" ? { transport: "http" as const, ...(parsed.data as z.infer<typeof httpServer>) } : { transport: "stdio" as const, ...(parsed.data as z.infer<typeof stdioServer>) };
    servers.push({ name, origin, config });
  }
  return { servers, errors };
};

/** The servers of a session: the server-wide file first, then the workspace's .mcp.json over it. */
export const loadMcpServers = async (options: { workspaceDir: string; serverConfigPath?: string }): Promise<{ servers: McpServerEntry[]; errors: string[] }> => {
  const byName = new Map<string, McpServerEntry>();
  const errors: string[] = [];
  const readOrNull = (read: Promise<string>, origin: string) =>
    read.catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") errors.push(`${origin}: ${error.message}`);
      return null;
    });
  const sources: Array<{ origin: string; text: Promise<string | null> }> = [];
  if (options.serverConfigPath) sources.push({ origin: options.serverConfigPath, text: readOrNull(readFile(options.serverConfigPath, "utf8"), options.serverConfigPath) });
  sources.push({
    origin: ".mcp.json",
    text: readOrNull(resolveWorkspacePath(options.workspaceDir, ".mcp.json").then(({ hostPath }) => readFile(hostPath, "utf8")), ".mcp.json"),
  });
  for (const source of sources) {
    const text = await source.text;
    if (text === null) continue;
    const parsed = parseMcpConfig(text, source.origin);
    errors.push(...parsed.errors);
    for (const server of parsed.servers) byName.set(server.name, server);
  }
  return { servers: [...byName.values()], errors };
};
