// Wraps a ModelClient with retries (exponential backoff with jitter, honouring retry-after) and a
// stall watchdog: a stream that sends nothing for stallTimeoutMs is aborted and retried.
import { type ModelClient, ModelError, type ModelRequest, type ModelResponse, type StreamOptions } from "./model-client";

export type RetryOptions = {
  /** Total attempts including the first (default 4). */
  maxAttempts?: number;
  /** Delay before the first retry, doubled each time (default 1000 ms). */
  initialDelayMs?: number;
  /** Cap on the backoff delay (default 30 s). */
  maxDelayMs?: number;
  /** A retry-after longer than this is not waited for: the error surfaces (default 60 s). */
  maxRetryAfterMs?: number;
  /** Abort and retry an attempt that receives nothing for this long (default 90 s; 0 disables). */
  stallTimeoutMs?: number;
  /** Injected for tests; must reject when signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injected for tests; returns [0, 1). */
  random?: () => number;
};

export const defaultRetryOptions = {
  maxAttempts: 4,
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  stallTimeoutMs: 90_000,
} as const;

const formatDuration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

const abortedError = () => new ModelError("aborted", "The model request was stopped");

export const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

/** Delay before retry number `retry` (1-based): retry-after when given, else backoff with jitter. */
export function retryDelayMs(retry: number, error: ModelError, options: { initialDelayMs: number; maxDelayMs: number; random: () => number }): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  const backoff = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (retry - 1));
  // Equal jitter: half fixed, half random, so parallel sessions spread out.
  return Math.round(backoff / 2 + (backoff / 2) * options.random());
}

export function withRetry(client: ModelClient, options: RetryOptions = {}): ModelClient {
  const maxAttempts = Math.max(1, options.maxAttempts ?? defaultRetryOptions.maxAttempts);
  const stallTimeoutMs = options.stallTimeoutMs ?? defaultRetryOptions.stallTimeoutMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? defaultRetryOptions.maxRetryAfterMs;
  const sleep = options.sleep ?? abortableSleep;
  const backoff = {
    initialDelayMs: options.initialDelayMs ?? defaultRetryOptions.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? defaultRetryOptions.maxDelayMs,
    random: options.random ?? Math.random,
  };

  /** One attempt, aborted early (as a connection error) when the stream goes quiet. */
  async function attempt(request: ModelRequest, streamOptions: StreamOptions): Promise<ModelResponse> {
    const { signal } = streamOptions;
    if (stallTimeoutMs <= 0) return client.stream(request, streamOptions);
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", forwardAbort, { once: true });
    let stalled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const armWatchdog = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, stallTimeoutMs);
    };
    armWatchdog();
    try {
      return await client.stream(request, {
        signal: controller.signal,
        onActivity: () => {
          armWatchdog();
          streamOptions.onActivity?.();
        },
        onDelta: (delta) => {
          armWatchdog();
          streamOptions.onDelta?.(delta);
        },
      });
    } catch (error) {
      if (stalled && !signal.aborted) {
        throw new ModelError("connection", `The model stream stalled: nothing received for ${formatDuration(stallTimeoutMs)}`, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", forwardAbort);
    }
  }

  async function stream(request: ModelRequest, streamOptions: StreamOptions): Promise<ModelResponse> {
    const { signal } = streamOptions;
    for (let attemptNumber = 1; ; attemptNumber++) {
      if (signal.aborted) throw abortedError();
      try {
        return await attempt(request, streamOptions);
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        if (signal.aborted) throw error.kind === "aborted" ? error : new ModelError("aborted", "The model request was stopped", { cause: error });
        if (!error.retryable) throw error;
        if (attemptNumber >= maxAttempts) {
          throw new ModelError(error.kind, `${error.message} (gave up after ${attemptNumber} attempts)`, {
            status: error.status,
            retryAfterMs: error.retryAfterMs,
            cause: error,
          });
        }
        const delayMs = retryDelayMs(attemptNumber, error, backoff);
        if (delayMs > maxRetryAfterMs) {
          throw new ModelError(error.kind, `${error.message} (the provider asked to wait ${formatDuration(delayMs)}, longer than the ${formatDuration(maxRetryAfterMs)} allowed)`, {
            status: error.status,
            retryAfterMs: error.retryAfterMs,
            cause: error,
          });
        }
        streamOptions.onDelta?.({ type: "retrying", attempt: attemptNumber + 1, maxAttempts, delayMs, kind: error.kind, message: error.message });
        await sleep(delayMs, signal);
      }
    }
  }

  return { provider: client.provider, stream };
}
