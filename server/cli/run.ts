// `npx pincer run "<task>"`: the same agent loop without the browser, in a sandbox on the given
// workspace, printing events as JSON lines or as readable text. The exit code says how it ended.
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { LiveMessage } from "../agent/events";
import { createModelClient } from "../llm/create-model-client";
import type { ProviderConfig, ProviderKind } from "../llm/model-client";
import { createDockerDriver } from "../sandbox/docker";
import { createFanOut } from "../sessions/fan-out";
import { createMemoryEventLog } from "../sessions/memory-event-log";
import { createSessionRunner } from "../sessions/runner";
import { permissionModes, type CheckPermission, type PermissionMode } from "../sessions/approvals";
import { localTeamSource } from "../permissions/team-policy";
import { createPermissionGate } from "../sessions/permission-gate";
import { builtinTools, toolSchemas } from "../tools/registry";
import { createMarkdownPrinter } from "./markdown-ansi";

const usage = `usage: pincer run "<task>" [--workspace DIR] [--provider anthropic|openai|openai-responses|openai-compatible]
       [--model NAME] [--base-url URL] [--output-format text|stream-json] [--max-steps N] [--image IMAGE]
       [--permission-mode default|acceptEdits|plan|bypassPermissions] [--allow RULE]... [--deny RULE]...
Nobody can answer an approval in a headless run: what would ask is refused, with the reason.
The API key comes from ANTHROPIC_API_KEY, OPENAI_API_KEY or PINCER_API_KEY.`;

/** How the turn ended, as the process exit code. */
export const exitCodes: Record<string, number> = {
  end_turn: 0,
  error: 1,
  max_steps: 3,
  repeated_failure: 4,
  max_tokens: 5,
  aborted: 130,
};

type Options = {
  task: string;
  workspace: string;
  provider: ProviderConfig;
  format: "text" | "stream-json";
  maxSteps: number;
  image: string;
  mode: PermissionMode;
  /** Rules from --allow / --deny, checked like a user's settings. */
  rules: { allow: string[]; deny: string[] };
};

class UsageError extends Error {}

export const parseRunArgs = (argv: string[], env: Record<string, string | undefined>): Options => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: "string" },
      provider: { type: "string" },
      model: { type: "string" },
      "base-url": { type: "string" },
      "output-format": { type: "string", default: "text" },
      "max-steps": { type: "string", default: "50" },
      image: { type: "string", default: env.SANDBOX_IMAGE ?? "pincer-sandbox:latest" },
      "permission-mode": { type: "string", default: "default" },
      allow: { type: "string", multiple: true, default: [] },
      deny: { type: "string", multiple: true, default: [] },
    },
  });
  const task = positionals.join(" ").trim();
  if (!task) throw new UsageError("Give the task as the first argument.");
  const kind = (values.provider ?? (env.ANTHROPIC_API_KEY ? "anthropic" : env.OPENAI_API_KEY ? "openai" : "")) as ProviderKind;
  if (!["anthropic", "openai", "openai-responses", "openai-compatible"].includes(kind)) {
    throw new UsageError("Choose a provider with --provider (or set ANTHROPIC_API_KEY / OPENAI_API_KEY).");
  }
  const apiKey = env.PINCER_API_KEY ?? (kind === "anthropic" ? env.ANTHROPIC_API_KEY : env.OPENAI_API_KEY) ?? "";
  const model = values.model ?? env.PINCER_MODEL;
  if (!model) throw new UsageError("Name the model with --model.");
  if (kind === "openai-compatible" && !values["base-url"]) throw new UsageError("An OpenAI-compatible provider needs --base-url.");
  const format = values["output-format"];
  if (format !== "text" && format !== "stream-json") throw new UsageError("--output-format is text or stream-json.");
  const workspace = path.resolve(values.workspace ?? process.cwd());
  if (!existsSync(workspace) || !statSync(workspace).isDirectory()) throw new UsageError(`No such directory: ${workspace}`);
  const mode = values["permission-mode"] as PermissionMode;
  if (!permissionModes.includes(mode)) throw new UsageError(`--permission-mode is one of ${permissionModes.join(", ")}.`);
  const maxSteps = Number(values["max-steps"]);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new UsageError("--max-steps is a positive whole number.");
  return {
    task,
    workspace,
    provider: { kind, apiKey, model, baseUrl: values["base-url"] },
    format,
    maxSteps,
    image: values.image ?? "pincer-sandbox:latest",
    mode,
    rules: { allow: values.allow ?? [], deny: values.deny ?? [] },
  };
};

const summarizeInput = (input: unknown): string => {
  const fields = (input ?? {}) as Record<string, unknown>;
  const main = fields.command ?? fields.file_path ?? fields.path ?? fields.pattern ?? fields.url;
  const text = typeof main === "string" ? main : JSON.stringify(input);
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
};

/** Readable text: streamed markdown, tool calls as compact lines. */
const textPrinter = (write: (text: string) => void, colour: boolean) => {
  const markdown = createMarkdownPrinter(write, { colour });
  const dim = (text: string) => (colour ? `\u001b[2m${text}\u001b[22m` : text);
  const red = (text: string) => (colour ? `\u001b[31m${text}\u001b[39m` : text);
  let queue = Promise.resolve();
  const later = (work: () => Promise<void> | void) => {
    queue = queue.then(work);
  };
  return {
    handle(message: LiveMessage) {
      if (message.kind === "text_delta") return later(() => markdown.write(message.text));
      if (message.kind === "retrying") return later(() => write(dim(`\n[${message.message}; retrying]\n`)));
      if (message.kind !== "event") return;
      const { event } = message;
      if (event.type === "assistant_message") return later(() => markdown.end());
      if (event.type === "tool_call") {
        const summary = summarizeInput(event.payload.input);
        return later(() => write(`● ${event.payload.name}(${summary})\n`));
      }
      if (event.type === "tool_result") {
        const lines = event.payload.output.split("\n");
        const head = lines.slice(0, 4).join("\n  ");
        const more = lines.length > 4 ? dim(`\n  … ${lines.length - 4} more lines`) : "";
        const body = `  ⎿ ${head}${more}\n`;
        return later(() => write(event.payload.isError ? red(body) : dim(body)));
      }
      if (event.type === "error") return later(() => write(red(`error: ${event.payload.message}\n`)));
      if (event.type === "sandbox_status" && event.payload.state !== "ready") return later(() => write(dim(`${event.payload.message}\n`)));
      if (event.type === "turn_finished") {
        const u = event.payload.usage;
        return later(() => write(dim(`\n— ${event.payload.reason} · ${event.payload.steps} steps · ${u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens} in (${u.cacheReadTokens} cached) / ${u.outputTokens} out\n`)));
      }
    },
    flush: () => queue,
  };
};

export const runHeadless = async (options: Options, write: (text: string) => void, colour: boolean): Promise<number> => {
  const sessionId = `run${randomBytes(5).toString("hex")}`;
  const driver = createDockerDriver({ labelPrefix: "pincer-run" });
  const fanOut = createFanOut({ frameMs: 5 });
  const eventLog = createMemoryEventLog((id, event) => fanOut.publishEvent(id, event));
  const gate = createPermissionGate({
    workspaceDirFor: () => options.workspace,
    // A local run is trusted: whoever starts it chooses the mode, bypass included.
    extraSources: async () => [localTeamSource("pincer run (local)"), { name: "user", origin: "command line", allow: options.rules.allow, ask: [], deny: options.rules.deny }],
  });
  const checkPermission: CheckPermission = async (request) => {
    const verdict = await gate.check(request);
    if (verdict.decision !== "ask") return verdict;
    return {
      ...verdict,
      decision: "deny",
      reason: `${verdict.reason}; this needs approval, which a headless run cannot give. Rerun with --allow '<rule>' or another --permission-mode.`,
    };
  };
  const runner = createSessionRunner(
    {
      eventLog,
      fanOut,
      driver,
      tools: builtinTools,
      toolSchemas: toolSchemas(builtinTools),
      createModelClient,
      resolveProvider: async () => options.provider,
      checkPermission,
      persistProjectRules: gate.persistProjectRules,
      setStatus: async () => undefined,
      limits: { maxSteps: options.maxSteps, maxTokens: 16_000, maxOutputChars: 30_000 },
    },
    sessionId,
    {
      sessionId,
      ownerId: "cli",
      workspaceDir: options.workspace,
      image: options.image,
      network: "none",
      memoryBytes: 2048 * 1024 * 1024,
      nanoCpus: 1e9,
      pidsLimit: 512,
    },
  );

  const text = textPrinter(write, colour);
  fanOut.subscribe(sessionId, (message) => {
    if (options.format === "stream-json") {
      if (message.kind === "snapshot" || message.kind === "status") return;
      // A subagent's events name the Task call that started them; the agent's own have no parent.
      const parentId = message.kind === "event" && message.event.type === "subagent_event" ? message.event.payload.parentToolUseId : null;
      write(`${JSON.stringify({ ...message, parentId })}\n`);
      return;
    }
    text.handle(message);
  });

  const interrupt = () => void runner.stop();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    await runner.startSandbox();
    if (options.mode !== "default") await runner.setMode(options.mode, "cli");
    await runner.sendMessage(options.task, "cli", true);
    await runner.idle();
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    await driver.destroy(sessionId).catch(() => undefined);
  }
  await text.flush();
  const events = await eventLog.listSince(sessionId, 0);
  const finished = events.findLast((event) => event.type === "turn_finished");
  if (!finished || finished.type !== "turn_finished") return 1;
  return exitCodes[finished.payload.reason] ?? 1;
};

const main = async () => {
  try {
    const options = parseRunArgs(process.argv.slice(2), process.env);
    const code = await runHeadless(options, (text) => process.stdout.write(text), Boolean(process.stdout.isTTY));
    process.exit(code);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      console.error(`pincer run: ${error.message}\n${usage}`);
      process.exit(2);
    }
    console.error(`pincer run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
};

if (import.meta.url === `file://${process.argv[1]}`) void main();
