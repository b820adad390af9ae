import { describe, expect, it } from "vitest";
import { type ModelClient, type ModelDelta, ModelError, type ModelRequest, type ModelResponse, type StreamOptions } from "./model-client";
import { retryDelayMs, withRetry } from "./retry";

const request: ModelRequest = { model: "m", system: "", tools: [], messages: [], maxTokens: 10 };
const ok: ModelResponse = { content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage: { inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1 } };

/** A fake provider: each call runs the next scripted behaviour. */
function fakeClient(behaviours: ((options: StreamOptions) => Promise<ModelResponse>)[]): ModelClient & { calls: number } {
  const client = {
    provider: "anthropic" as const,
    calls: 0,
    stream: (_request: ModelRequest, options: StreamOptions) => {
      const behaviour = behaviours[client.calls++];
      if (!behaviour) throw new Error("fake client: no more behaviours");
      return behaviour(options);
    },
  };
  return client;
}

const fail = (error: ModelError) => () => Promise.reject(error);
const succeed = () => () => Promise.resolve(ok);
/** Never answers; rejects as an adapter does when its signal aborts. */
const hang = () => (options: StreamOptions) =>
  new Promise<ModelResponse>((_resolve, reject) => {
    options.signal.addEventListener("abort", () => reject(new ModelError("aborted", "stopped")), { once: true });
  });

const recordSleeps = () => {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
};

describe("retryDelayMs", () => {
  const options = { initialDelayMs: 1000, maxDelayMs: 8000, random: () => 1 };
  it("doubles per retry up to the cap", () => {
    const error = new ModelError("server", "x");
    expect([1, 2, 3, 4, 5].map((retry) => retryDelayMs(retry, error, options))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });
  it("adds jitter between half and the full backoff", () => {
    const error = new ModelError("server", "x");
    expect(retryDelayMs(2, error, { ...options, random: () => 0 })).toBe(1000);
    expect(retryDelayMs(2, error, { ...options, random: () => 0.5 })).toBe(1500);
  });
  it("uses retry-after when the provider gave one", () => {
    expect(retryDelayMs(1, new ModelError("rate_limit", "x", { retryAfterMs: 7000 }), options)).toBe(7000);
  });
});

describe("withRetry", () => {
  it("retries retryable errors and returns the first success", async () => {
    const { sleeps, sleep } = recordSleeps();
    const client = fakeClient([fail(new ModelError("server", "boom", { status: 500 })), fail(new ModelError("overloaded", "busy", { status: 529 })), succeed()]);
    const deltas: ModelDelta[] = [];
    const response = await withRetry(client, { sleep, random: () => 0.5 }).stream(request, { signal: new AbortController().signal, onDelta: (delta) => deltas.push(delta) });
    expect(response).toBe(ok);
    expect(client.calls).toBe(3);
    expect(sleeps).toEqual([750, 1500]);
    expect(deltas).toEqual([
      { type: "retrying", attempt: 2, maxAttempts: 4, delayMs: 750, kind: "server", message: "boom" },
      { type: "retrying", attempt: 3, maxAttempts: 4, delayMs: 1500, kind: "overloaded", message: "busy" },
    ]);
  });

  it("does not retry auth, bad_request or bad_response errors", async () => {
    for (const kind of ["auth", "bad_request", "bad_response"] as const) {
      const client = fakeClient([fail(new ModelError(kind, kind)), succeed()]);
      await expect(withRetry(client, recordSleeps()).stream(request, { signal: new AbortController().signal })).rejects.toMatchObject({ kind });
      expect(client.calls).toBe(1);
    }
  });

  it("gives up after maxAttempts and says so", async () => {
    const client = fakeClient([1, 2, 3].map(() => fail(new ModelError("rate_limit", "Anthropic rate limit reached (429): slow down", { status: 429 }))));
    const error = await withRetry(client, { ...recordSleeps(), maxAttempts: 3 }).stream(request, { signal: new AbortController().signal }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "rate_limit", status: 429, message: "Anthropic rate limit reached (429): slow down (gave up after 3 attempts)" });
    expect(client.calls).toBe(3);
  });

  it("surfaces a retry-after longer than allowed instead of waiting", async () => {
    const client = fakeClient([fail(new ModelError("rate_limit", "limited", { retryAfterMs: 600_000 })), succeed()]);
    const error = await withRetry(client, { ...recordSleeps(), maxRetryAfterMs: 60_000 }).stream(request, { signal: new AbortController().signal }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "rate_limit" });
    expect((error as Error).message).toMatch(/asked to wait 600 s, longer than the 60 s allowed/);
    expect(client.calls).toBe(1);
  });

  it("aborts a stalled attempt as a connection error and retries", async () => {
    const client = fakeClient([hang(), succeed()]);
    const started = Date.now();
    const response = await withRetry(client, { ...recordSleeps(), stallTimeoutMs: 50 }).stream(request, { signal: new AbortController().signal });
    expect(response).toBe(ok);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(client.calls).toBe(2);
  });

  it("keeps a slow stream alive while it shows activity", async () => {
    const trickle = (options: StreamOptions) =>
      new Promise<ModelResponse>((resolve) => {
        let ticks = 0;
        const timer = setInterval(() => {
          options.onActivity?.();
          if (++ticks === 6) {
            clearInterval(timer);
            resolve(ok);
          }
        }, 20);
      });
    const client = fakeClient([trickle]);
    await expect(withRetry(client, { ...recordSleeps(), stallTimeoutMs: 60 }).stream(request, { signal: new AbortController().signal })).resolves.toBe(ok);
  });

  it("reports the last stall after the final attempt", async () => {
    const client = fakeClient([hang(), hang()]);
    const error = await withRetry(client, { ...recordSleeps(), stallTimeoutMs: 20, maxAttempts: 2 }).stream(request, { signal: new AbortController().signal }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "connection", message: "The model stream stalled: nothing received for 20 ms (gave up after 2 attempts)" });
  });

  it("passes the caller's abort through as aborted, without retrying", async () => {
    const client = fakeClient([hang(), succeed()]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await expect(withRetry(client, recordSleeps()).stream(request, { signal: controller.signal })).rejects.toMatchObject({ kind: "aborted" });
    expect(client.calls).toBe(1);
  });

  it("stops waiting between attempts when the caller aborts", async () => {
    const client = fakeClient([fail(new ModelError("server", "boom")), succeed()]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const started = Date.now();
    await expect(withRetry(client, { initialDelayMs: 5000 }).stream(request, { signal: controller.signal })).rejects.toMatchObject({ kind: "aborted" });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(client.calls).toBe(1);
  });

  it("does not start when already aborted", async () => {
    const client = fakeClient([succeed()]);
    await expect(withRetry(client).stream(request, { signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: "aborted" });
    expect(client.calls).toBe(0);
  });

  it("lets non-model errors (bugs) through untouched", async () => {
    const bug = new TypeError("cannot read x of undefined");
    const client = fakeClient([() => Promise.reject(bug)]);
    await expect(withRetry(client).stream(request, { signal: new AbortController().signal })).rejects.toBe(bug);
  });
});
