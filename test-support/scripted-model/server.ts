// A real HTTP model server on 127.0.0.1 that speaks the Anthropic Messages, OpenAI Chat Completions
// and OpenAI Responses streaming wire formats, replying from a script so tests run the real SDK clients.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { anthropicErrorBody, anthropicEvents } from "./anthropic-wire";
import { openaiResponsesEvents } from "./openai-responses-wire";
import { openaiChunks, openaiErrorBody } from "./openai-wire";
import { checkExpect, isErrorStep, PromptCache, promptText, type ScriptExpect, type ScriptedReply, type ScriptStep, viewRequest, type WireFormat } from "./script";

export type RecordedRequest = {
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: Record<string, unknown> | undefined;
  /** Which script step answered it (undefined when the script had run out, or a responder answered). */
  stepIndex: number | undefined;
  /** Which content responder (POST /__responders) answered it, if one did. */
  responderIndex?: number;
  /** performance.now() when the request arrived and when its response closed (overlap checks). */
  receivedAt: number;
  finishedAt?: number;
};

/** Answers a request by its content instead of the script (undefined: use the script). */
export type Responder = (body: Record<string, unknown>, format: WireFormat) => ScriptStep | undefined;

/**
 * The same over HTTP (POST /__responders {"responders": [...]}): a request every expectation in
 * `match` holds for takes the responder's next step; a responder whose steps are used up no longer
 * answers. For requests whose order is not fixed, such as parallel subagents or summaries.
 */
export type ContentResponder = { match: ScriptExpect; steps: ScriptStep[] };

export type ScriptFailure = { requestIndex: number; path: string; message: string };

export type ScriptedModelServer = {
  url: string;
  port: number;
  setScript(steps: ScriptStep[]): void;
  push(...steps: ScriptStep[]): void;
  /** Requests the responder answers do not use up script steps (e.g. summary requests). */
  setResponder(responder: Responder | undefined): void;
  /** Steps not yet consumed. */
  readonly remaining: number;
  readonly requests: RecordedRequest[];
  readonly failures: ScriptFailure[];
  /** Clears script, recorded requests, failures and the simulated prompt cache. */
  reset(): void;
  close(): Promise<void>;
};

export type ScriptedModelServerOptions = {
  port?: number;
  host?: string;
  script?: ScriptStep[];
  /** Log failures to stderr as they happen (default true). */
  logFailures?: boolean;
  /** Called with each SSE event of a reply right after it is written (benchmarks time tokens by it). */
  onWrite?: (chunk: string) => void;
};

const routes: Record<string, WireFormat> = {
  "/v1/messages": "anthropic",
  "/messages": "anthropic",
  "/v1/chat/completions": "openai",
  "/chat/completions": "openai",
  "/v1/responses": "openai-responses",
  "/responses": "openai-responses",
};

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });

const parseJson = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

const sendJson = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
};

/** Waits ms, or less if the client went away. */
const pause = (ms: number, response: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || response.destroyed) return resolve();
    const timer = setTimeout(done, ms);
    response.once("close", done);
    function done() {
      clearTimeout(timer);
      response.off("close", done);
      resolve();
    }
  });

const errorBody = (format: WireFormat, status: number, message: string) =>
  format === "anthropic" ? anthropicErrorBody(status, message) : openaiErrorBody(status, message);

const parseContentResponders = (value: unknown): ContentResponder[] | string => {
  const usage = '/__responders expects JSON {"responders": [{"match": {...}, "steps": [...]}]}';
  if (!Array.isArray(value)) return usage;
  const valid = value.every((entry: unknown) => {
    const candidate = entry as Partial<ContentResponder> | null;
    return candidate !== null && typeof candidate === "object" && typeof candidate.match === "object" && candidate.match !== null && Array.isArray(candidate.steps);
  });
  return valid ? (value as ContentResponder[]) : usage;
};

export async function startScriptedModelServer(options: ScriptedModelServerOptions = {}): Promise<ScriptedModelServer> {
  let script: ScriptStep[] = [...(options.script ?? [])];
  let cursor = 0;
  let responder: Responder | undefined;
  let contentResponders: Array<ContentResponder & { used: number }> = [];
  const requests: RecordedRequest[] = [];
  const failures: ScriptFailure[] = [];
  const caches: Record<WireFormat, PromptCache> = { anthropic: new PromptCache(), openai: new PromptCache(), "openai-responses": new PromptCache() };
  const sockets = new Set<Socket>();
  const logFailures = options.logFailures ?? true;

  const fail = (requestIndex: number, path: string, message: string) => {
    failures.push({ requestIndex, path, message });
    if (logFailures) console.error(`[scripted-model] request #${requestIndex} ${path}: ${message}`);
  };

  const reset = () => {
    script = [];
    cursor = 0;
    responder = undefined;
    contentResponders = [];
    requests.length = 0;
    failures.length = 0;
    for (const cache of Object.values(caches)) cache.clear();
  };

  const handleControl = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (request.method === "GET" && path === "/__requests") return sendJson(response, 200, { requests });
    if (request.method === "GET" && path === "/__failures") return sendJson(response, 200, { failures });
    if (request.method === "GET" && path === "/__health") return sendJson(response, 200, { ok: true, remaining: script.length - cursor });
    if (request.method !== "POST") return sendJson(response, 405, { error: `${request.method} ${path} is not supported` });
    if (path === "/__reset") {
      reset();
      return sendJson(response, 200, { ok: true });
    }
    const body = parseJson(await readBody(request));
    if (path === "/__responders") {
      const parsed = parseContentResponders(body?.responders);
      if (typeof parsed === "string") return sendJson(response, 400, { error: parsed });
      contentResponders = parsed.map((entry) => ({ ...entry, used: 0 }));
      return sendJson(response, 200, { ok: true, responders: contentResponders.length });
    }
    const steps = body?.steps;
    if (!Array.isArray(steps)) return sendJson(response, 400, { error: `${path} expects JSON {"steps": [...]}` });
    if (path === "/__script") {
      script = [...(steps as ScriptStep[])];
      cursor = 0;
      return sendJson(response, 200, { ok: true, remaining: script.length });
    }
    if (path === "/__push") {
      script.push(...(steps as ScriptStep[]));
      return sendJson(response, 200, { ok: true, remaining: script.length - cursor });
    }
    return sendJson(response, 404, { error: `unknown control endpoint ${path}` });
  };

  const answerByContent = (recorded: RecordedRequest, format: WireFormat, body: Record<string, unknown>): ScriptStep | undefined => {
    if (contentResponders.length === 0) return undefined;
    const view = viewRequest(format, body);
    const index = contentResponders.findIndex((entry) => entry.used < entry.steps.length && checkExpect(entry.match, view).length === 0);
    const entry = contentResponders[index];
    if (!entry) return undefined;
    recorded.responderIndex = index;
    return entry.steps[entry.used++];
  };

  const streamReply = async (response: ServerResponse, format: WireFormat, step: ScriptedReply, body: Record<string, unknown>, promptUsage: { totalTokens: number; cachedTokens: number }) => {
    const model = String(body.model ?? "scripted-model");
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    const usesCacheControl = JSON.stringify(body).includes('"cache_control"');
    const include = Array.isArray(body.include) ? body.include : [];
    const chunks =
      format === "anthropic"
        ? anthropicEvents(step, model, { ...promptUsage, usesCacheControl })
        : format === "openai"
          ? openaiChunks(step, model, promptUsage, streamOptions?.include_usage === true && !step.omitUsage)
          : openaiResponsesEvents(step, model, promptUsage, {
              includeEncryptedReasoning: include.includes("reasoning.encrypted_content"),
              instructions: typeof body.instructions === "string" ? body.instructions : null,
            });

    await pause(step.delayMs ?? 0, response);
    if (response.destroyed) return;
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    response.flushHeaders();
    for (const [index, chunk] of chunks.entries()) {
      if (response.destroyed) return;
      if (step.dropAfterChunks !== undefined && index >= step.dropAfterChunks) {
        response.socket?.destroy();
        return;
      }
      // Keep the socket open and silent; close() or the client ends it.
      if (step.stallAfterChunks !== undefined && index >= step.stallAfterChunks) return;
      if (index > 0) await pause(step.chunkDelayMs ?? 0, response);
      response.write(chunk);
      options.onWrite?.(chunk);
    }
    response.end();
  };

  const handleModel = async (request: IncomingMessage, response: ServerResponse, path: string, format: WireFormat) => {
    const raw = await readBody(request);
    const body = parseJson(raw);
    const requestIndex = requests.length;
    const recorded: RecordedRequest = { path, method: request.method ?? "", headers: request.headers, body, stepIndex: undefined, receivedAt: performance.now() };
    requests.push(recorded);
    response.once("close", () => {
      recorded.finishedAt = performance.now();
    });

    if (request.method !== "POST" || body === undefined) {
      return sendJson(response, 400, errorBody(format, 400, "scripted model: expected a POST with a JSON body"));
    }
    if (body.stream !== true) {
      return sendJson(response, 400, errorBody(format, 400, "scripted model: only streaming requests (stream: true) are supported"));
    }
    const answered = responder?.(body, format) ?? answerByContent(recorded, format, body);
    if (answered) {
      const promptUsage = caches[format].measure(promptText(format, body));
      if (isErrorStep(answered)) return sendJson(response, answered.error.status, answered.error.body ?? errorBody(format, answered.error.status, `scripted error ${answered.error.status}`), answered.error.headers);
      return streamReply(response, format, answered, body, promptUsage);
    }
    if (cursor >= script.length) {
      const message = `scripted model: the script ran out (request #${requestIndex} to ${path}, ${script.length} step(s) scripted)`;
      fail(requestIndex, path, message);
      // 400, not 5xx: clients must not retry into (and use up) the next scripted steps.
      return sendJson(response, 400, errorBody(format, 400, message));
    }
    const stepIndex = cursor++;
    const step = script[stepIndex] as ScriptStep;
    recorded.stepIndex = stepIndex;

    const problems = checkExpect(step.expect, viewRequest(format, body));
    if (problems.length > 0) {
      const message = `scripted model: step ${stepIndex} expectations failed: ${problems.join("; ")}`;
      fail(requestIndex, path, message);
      // 400, not 5xx: clients must not retry into (and use up) the next scripted steps.
      return sendJson(response, 400, errorBody(format, 400, message));
    }

    const promptUsage = caches[format].measure(promptText(format, body));
    if (isErrorStep(step)) {
      const { status, body: customBody, headers } = step.error;
      return sendJson(response, status, customBody ?? errorBody(format, status, `scripted error ${status}`), headers);
    }
    return streamReply(response, format, step, body, promptUsage);
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const format = routes[path];
    const work = path.startsWith("/__")
      ? handleControl(request, response, path)
      : format
        ? handleModel(request, response, path, format)
        : Promise.resolve(sendJson(response, 404, { error: `scripted model: no route for ${request.method} ${path}` }));
    work.catch((error: unknown) => {
      fail(requests.length - 1, path, `scripted model crashed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { error: String(error) });
      else response.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    port,
    setScript(steps) {
      script = [...steps];
      cursor = 0;
    },
    push(...steps) {
      script.push(...steps);
    },
    setResponder(next) {
      responder = next;
    },
    get remaining() {
      return script.length - cursor;
    },
    requests,
    failures,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
