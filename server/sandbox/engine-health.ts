// Watches whether the container engine answers, one watcher per server process. It pings on a slow
// beat while all is well and on a quick, backing-off beat while the engine is away; a failed call
// elsewhere (reportUnreachable) makes it look at once. The UI shows its state as a banner, and the
// warm pool waits on it instead of retrying on its own.

export type EngineState = {
  state: "unknown" | "ok" | "unreachable";
  /** Where the engine is expected: a socket path or host:port. */
  address: string;
  /** Why the last ping failed (only while unreachable). */
  reason?: string;
  /** When the current state began (ms since the epoch, from the clock). */
  since: number;
};

/** Time as the watcher sees it; tests pass one they move by hand. */
export type Clock = {
  now(): number;
  /** Resolves after ms, or early when signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

export type EngineHealthOptions = {
  address: string;
  /** Resolves when the engine answers; rejects with the reason it does not. */
  ping: () => Promise<void>;
  clock?: Clock;
  /** Between pings while the engine answers. Default 15 s. */
  okIntervalMs?: number;
  /** First wait after a failed ping; doubles up to maxRetryMs. Defaults 1 s and 10 s. */
  retryMs?: number;
  maxRetryMs?: number;
  /** A ping with no answer after this long counts as failed. Default 5 s. */
  pingTimeoutMs?: number;
  /** Turns a ping failure into a short reason ("connection refused (ECONNREFUSED)"). */
  describe?: (error: unknown) => string;
  log?: Pick<Console, "warn" | "log">;
};

export type EngineHealth = ReturnType<typeof createEngineHealth>;

export const createEngineHealth = (options: EngineHealthOptions) => {
  const clock = options.clock ?? systemClock;
  const okIntervalMs = options.okIntervalMs ?? 15_000;
  const retryMs = options.retryMs ?? 1_000;
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  const describe = options.describe ?? ((error: unknown) => (error instanceof Error ? error.message : String(error)));
  const log = options.log ?? console;

  let current: EngineState = { state: "unknown", address: options.address, since: clock.now() };
  const listeners = new Set<(state: EngineState) => void>();
  let reachableWaiters: (() => void)[] = [];
  let wake = new AbortController();
  let stopped = true;
  let loop: Promise<void> | null = null;

  const set = (next: Omit<EngineState, "address" | "since">) => {
    if (next.state === current.state && next.reason === current.reason) return;
    const previous = current.state;
    current = { ...next, address: options.address, since: clock.now() };
    if (next.state === "unreachable" && previous !== "unreachable") log.warn(`Docker engine unreachable at ${options.address}: ${next.reason}; retrying.`);
    if (next.state === "ok" && previous === "unreachable") log.log(`Docker engine at ${options.address} is reachable again.`);
    if (next.state === "ok") {
      const waiters = reachableWaiters;
      reachableWaiters = [];
      for (const resolve of waiters) resolve();
    }
    for (const listener of listeners) listener(current);
  };

  /** One ping, bounded by pingTimeoutMs; returns the failure reason or null. */
  const probe = async (): Promise<string | null> => {
    const timeout = new AbortController();
    const timedOut = clock.sleep(pingTimeoutMs, timeout.signal).then(() => `no answer within ${Math.round(pingTimeoutMs / 1000)} s`);
    const answered = options.ping().then(
      () => null,
      (error: unknown) => describe(error),
    );
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      timeout.abort();
    }
  };

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      const reason = await probe();
      if (stopped) return;
      failures = reason === null ? 0 : failures + 1;
      set(reason === null ? { state: "ok" } : { state: "unreachable", reason });
      const wait = reason === null ? okIntervalMs : Math.min(maxRetryMs, retryMs * 2 ** (failures - 1));
      await clock.sleep(wait, wake.signal);
      if (wake.signal.aborted) wake = new AbortController();
    }
  };

  return {
    current: (): EngineState => current,

    /** Starts the ping loop (idempotent). */
    start() {
      if (!stopped) return;
      stopped = false;
      loop = run();
    },

    /** Stops the loop; resolves when the last ping has settled. */
    async stop() {
      stopped = true;
      wake.abort();
      await loop;
    },

    /** A call to the engine just failed as unreachable: ping now rather than at the next beat. */
    reportUnreachable() {
      if (current.state !== "unreachable") wake.abort();
    },

    /** Resolves once the engine answers (at once while it does). */
    whenReachable(): Promise<void> {
      if (current.state === "ok") return Promise.resolve();
      return new Promise((resolve) => reachableWaiters.push(resolve));
    },

    /** Called on every change of state; returns the unsubscribe function. */
    onChange(listener: (state: EngineState) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
