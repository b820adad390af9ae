// Skills, slash commands, MCP and hooks through the real session service: a migrated SQLite file,
// real containers, the scripted model server over HTTP.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionEvent } from "../agent/events";
import type { Services } from "../services";
import { startSessionHarness, type SessionHarness } from "../../test-support/session-harness";
import type { ScriptedModelServer } from "../../test-support/scripted-model";
import { repoRoot } from "../env";
import { requestChars } from "../agent/compaction";
import { createMessageProjection } from "../agent/messages";
import { systemPrompt } from "../agent/prompt";
import { builtinTools, toolSchemas } from "../tools/registry";

let harness: SessionHarness;
let model: ScriptedModelServer;
let services: Services;
let dataDir: string;

beforeAll(async () => {
  harness = await startSessionHarness({ services: { extensions: { mcpTimeouts: { connectMs: 20_000, callMs: 10_000 } } } });
  ({ model, services, dataDir } = harness);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

/** A session whose workspace gets `files` before its first message (bypass: asks do not pause). */
const newSession = async (files: Record<string, string> = {}) => {
  const session = await services.sessions.create({ ownerId: "local", workspaceId: "local", source: { kind: "empty" } });
  harness.track(session.id);
  await services.sessions.waitUntilReady(session.id);
  await services.sessions.setMode(session.id, "bypassPermissions", "test");
  const workspace = path.join(dataDir, "workspaces", session.id);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, file)), { recursive: true });
    await writeFile(path.join(workspace, file), text);
  }
  return { id: session.id, workspace };
};

const send = async (sessionId: string, text: string) => {
  await services.sessions.sendMessage(sessionId, text, "You");
  await services.sessions.idle(sessionId);
  return services.sessions.events(sessionId, 0);
};

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

const skill = (name: string, description: string, body: string) => `---\nname: ${name}\ndescription: ${description}\n---\n${body}\n`;

describe("skills", () => {
  it("lists skills in the first turn; a body reaches the model only after the Skill tool is called", async () => {
    const { id } = await newSession({
      ".pincer/skills/deploy/SKILL.md": skill("deploy", "How to deploy this project", "SECRET-DEPLOY-BODY: run make ship"),
      ".pincer/skills/deploy/notes.md": "extra notes",
      ".claude/skills/broken/SKILL.md": "---\nname: [unclosed\n---\nbody",
    });
    model.reset();
    model.setScript([{ text: "Noted." }, { toolCalls: [{ name: "Skill", input: { skill: "deploy" } }] }, { text: "Deploying." }]);
    const first = await send(id, "hello");
    const context = ofType(first, "user_message")[0].payload.context ?? "";
    expect(context).toContain("- deploy: How to deploy this project");
    expect(context).toContain("- code-review:"); // the server's example skill
    expect(context).toMatch(/Skipped \.claude\/skills\/broken\/SKILL\.md: malformed frontmatter/);
    expect(JSON.stringify(model.requests.map((r) => r.body))).not.toContain("SECRET-DEPLOY-BODY");

    const events = await send(id, "deploy it");
    expect(model.failures).toEqual([]);
    const bodies = model.requests.map((r) => JSON.stringify(r.body));
    expect(bodies.slice(0, 2).some((b) => b.includes("SECRET-DEPLOY-BODY"))).toBe(false);
    expect(bodies[2]).toContain("SECRET-DEPLOY-BODY");
    const result = ofType(events, "tool_result").at(-1)!.payload;
    expect(result.isError).toBe(false);
    expect(result.output).toContain("notes.md");
    // The system prompt and the tools never changed.
    const prefixes = new Set(model.requests.map((r) => JSON.stringify([(r.body as Record<string, unknown>).system, (r.body as Record<string, unknown>).tools])));
    expect(prefixes.size).toBe(1);
  }, 60_000);
});

describe("slash commands", () => {
  it("answers built-ins with notices, clears the conversation, switches the model and expands custom commands", async () => {
    const { id } = await newSession({ ".pincer/commands/review.md": "---\ndescription: Review a file\n---\nPlease review $ARGUMENTS carefully." });
    model.reset();
    model.setScript([{ text: "One." }, { expect: { lastUserTextIncludes: "Please review src/a.ts carefully." }, text: "Reviewed." }, { text: "Fresh." }]);
    await send(id, "first");
    let events = await send(id, "/cost");
    expect(ofType(events, "notice").at(-1)!.payload.text).toContain("Turns: 1");
    events = await send(id, "/review src/a.ts");
    expect(ofType(events, "user_message").at(-1)!.payload.text).toBe("Please review src/a.ts carefully.");
    events = await send(id, "/nope");
    const unknown = ofType(events, "notice").at(-1)!.payload;
    expect(unknown.tone).toBe("error");
    expect(unknown.text).toContain("Unknown command /nope");
    expect(unknown.text).toContain("/review: Review a file");
    events = await send(id, "/permissions");
    expect(ofType(events, "notice").at(-1)!.payload.text).toContain("Mode: bypassPermissions");
    await send(id, "/model claude-other");
    await send(id, "/clear");
    events = await send(id, "after clear");
    expect(model.failures).toEqual([]);
    const last = model.requests.at(-1)!.body as { model: string; messages: unknown[] };
    expect(last.model).toBe("claude-other");
    expect(last.messages).toHaveLength(1);
    expect(JSON.stringify(last.messages)).toContain("<environment>");
    expect(JSON.stringify(last.messages)).not.toContain("first");
    expect(model.requests).toHaveLength(3);
  }, 60_000);
});

describe("MCP", () => {
  it("starts a stdio server in the sandbox: its tool is listed, called, denied by a rule, and a crash marks it down", async () => {
    const { id, workspace } = await newSession({
      ".mcp.json": JSON.stringify({ mcpServers: { echo: { command: "python3", args: [".pincer/mcp-echo-server.py"] }, ghost: { type: "http", url: "http://127.0.0.1:9/mcp" } } }),
      ".pincer/settings.json": JSON.stringify({ permissions: { deny: ["mcp__echo__crash_never"] } }),
    });
    await copyFile(path.join(repoRoot, "test-support/mcp-echo-server.py"), path.join(workspace, ".pincer/mcp-echo-server.py"));
    model.reset();
    model.setScript([
      { expect: { toolNames: ["mcp__echo__echo", "mcp__echo__crash"] }, toolCalls: [{ name: "mcp__echo__echo", input: { text: "hi there" } }] },
      { expect: { toolResultIncludes: "echo: hi there" }, text: "Echoed." },
    ]);
    let events = await send(id, "echo something");
    expect(model.failures).toEqual([]);
    const servers = ofType(events, "mcp_servers")[0].payload.servers;
    expect(servers.map((s) => [s.name, s.state])).toEqual([["echo", "connected"], ["ghost", "down"]]);

    // A deny rule covers MCP tools like any other.
    await writeFile(path.join(workspace, ".pincer/settings.json"), JSON.stringify({ permissions: { deny: ["mcp__echo__echo"] } }));
    model.setScript([{ toolCalls: [{ name: "mcp__echo__echo", input: { text: "again" } }] }, { expect: { toolResultIncludes: "Permission denied" }, text: "Denied." }]);
    events = await send(id, "again");
    expect(model.failures).toEqual([]);
    expect(ofType(events, "tool_result").at(-1)!.payload).toMatchObject({ isError: true });

    // The server crashes: it is marked down, and its tools say so; the tool list stays the same.
    model.setScript([
      { toolCalls: [{ name: "mcp__echo__crash", input: {} }] },
      { toolCalls: [{ name: "mcp__echo__crash", input: {} }] },
      { expect: { toolResultIncludes: "MCP server echo is down" }, text: "It is down." },
    ]);
    events = await send(id, "crash it");
    expect(model.failures).toEqual([]);
    expect(ofType(events, "mcp_server_status").at(-1)!.payload).toMatchObject({ server: "echo", state: "down" });
    const toolLists = new Set(model.requests.map((r) => JSON.stringify((r.body as Record<string, unknown>).tools)));
    expect(toolLists.size).toBe(1);
  }, 90_000);
});

describe("MCP tools beyond the main agent", () => {
  it("a subagent is offered the MCP tools, and the context estimate counts their schemas", async () => {
    const { id, workspace } = await newSession({ ".mcp.json": JSON.stringify({ mcpServers: { echo: { command: "python3", args: [".pincer/mcp-echo-server.py"] } } }) });
    await mkdir(path.join(workspace, ".pincer"), { recursive: true });
    await copyFile(path.join(repoRoot, "test-support/mcp-echo-server.py"), path.join(workspace, ".pincer/mcp-echo-server.py"));
    // No usage reported: the estimate stays characters / 4 of the request, so it can be checked exactly.
    const noUsage = { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    model.reset();
    model.setScript([
      { usage: noUsage, toolCalls: [{ name: "Task", input: { description: "Echo via a child", prompt: "Call the echo tool with 'from child'." } }] },
      { usage: noUsage, expect: { systemIncludes: "You are a subagent", toolNames: ["mcp__echo__echo"] }, toolCalls: [{ name: "mcp__echo__echo", input: { text: "from child" } }] },
      { usage: noUsage, expect: { toolResultIncludes: "echo: from child" }, text: "The echo said: from child." },
      { usage: noUsage, expect: { toolResultIncludes: "The echo said: from child." }, text: "Done." },
    ]);
    const events = await send(id, "delegate the echo");
    expect(model.failures).toEqual([]);
    const childResult = ofType(events, "subagent_event").find((event) => event.payload.event.type === "tool_result");
    expect(JSON.stringify(childResult?.payload.event.payload)).toContain("echo: from child");

    model.setScript([{ usage: noUsage, expect: { systemIncludes: "You summarise" }, text: "## Task\nEcho via a child" }]);
    const outcome = await services.sessions.compact(id);
    expect(model.failures).toEqual([]);
    expect(outcome).toMatchObject({ compacted: true });
    const builtinOnly = Math.ceil(requestChars(systemPrompt, toolSchemas(builtinTools), createMessageProjection(events).messages()) / 4);
    const mcpSchemaTokens = Math.ceil(JSON.stringify((model.requests[0]?.body as { tools: Array<{ name: string }> }).tools.filter((tool) => tool.name.startsWith("mcp__"))).length / 4);
    const { tokensBefore } = ofType(await services.sessions.events(id, 0), "compaction")[0].payload;
    expect(tokensBefore).toBeGreaterThan(builtinOnly + mcpSchemaTokens / 2);
  }, 90_000);
});

describe("hooks", () => {
  it("a PreToolUse hook that exits with 2 blocks a Bash command and the model sees why; UserPromptSubmit can refuse a prompt", async () => {
    const hooks = {
      hooks: {
        PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "grep -q 'rm -rf' && { echo 'no recursive deletes' >&2; exit 2; }; exit 0" }] }],
        UserPromptSubmit: [{ hooks: [{ type: "command", command: "grep -q forbidden && { echo 'that word is not allowed' >&2; exit 2; }; exit 0" }] }],
      },
    };
    const { id, workspace } = await newSession({ ".pincer/settings.json": JSON.stringify(hooks), "keep.txt": "keep" });
    model.reset();
    model.setScript([
      { toolCalls: [{ name: "Bash", input: { command: "rm -rf keep.txt" } }] },
      { expect: { toolResultIncludes: "no recursive deletes" }, toolCalls: [{ name: "Bash", input: { command: "echo fine" } }] },
      { expect: { toolResultIncludes: "fine" }, text: "Done." },
    ]);
    let events = await send(id, "clean up");
    expect(model.failures).toEqual([]);
    const results = ofType(events, "tool_result");
    expect(results[0].payload).toMatchObject({ isError: true });
    expect(results[0].payload.output).toContain("Blocked by a PreToolUse hook: no recursive deletes");
    expect(results[1].payload.isError).toBe(false);
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(path.join(workspace, "keep.txt"), "utf8")).toBe("keep");

    const before = model.requests.length;
    events = await send(id, "say the forbidden word");
    expect(model.requests.length).toBe(before);
    expect(ofType(events, "notice").at(-1)!.payload.text).toContain("that word is not allowed");
    expect(ofType(events, "user_message").map((e) => e.payload.text)).not.toContain("say the forbidden word");
  }, 60_000);

  it("a PreToolUse hook blocks a subagent's tool call too", async () => {
    const hooks = { hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "grep -q 'rm -rf' && { echo 'no recursive deletes' >&2; exit 2; }; exit 0" }] }] } };
    const { id, workspace } = await newSession({ ".pincer/settings.json": JSON.stringify(hooks), "keep.txt": "keep" });
    model.reset();
    model.setScript([
      { toolCalls: [{ name: "Task", input: { description: "Clean up", prompt: "Delete keep.txt." } }] },
      { expect: { systemIncludes: "You are a subagent" }, toolCalls: [{ name: "Bash", input: { command: "rm -rf keep.txt" } }] },
      { expect: { toolResultIncludes: "Blocked by a PreToolUse hook: no recursive deletes" }, text: "A hook refused the delete." },
      { expect: { toolResultIncludes: "A hook refused the delete." }, text: "Not deleted." },
    ]);
    await send(id, "clean up via a subagent");
    expect(model.failures).toEqual([]);
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(path.join(workspace, "keep.txt"), "utf8")).toBe("keep");
  }, 60_000);
});
