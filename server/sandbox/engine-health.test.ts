// The watcher's logic against a clock moved by hand and a ping the test answers; the real engine
// behind a cuttable proxy is covered in engine-outage.test.ts.
import { describe, expect, it } from "vitest";
import { createEngineHealth, type Clock, type EngineState } from "./engine-health";

/** A clock whose sleeps end only when the test moves time past them. */
const manualClock = () => {
  let now = 0;
  const sleepers: { until: number; resolve: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const sleeper = { until: now + ms, resolve: () => resolve() };
        sleepers.push(sleeper);
        signal?.addEventListener("abort", () => {
          sleepers.splice(sleepers.indexOf(sleeper), 1);
          resolve();
        }, { once: true });
      }),
  };
  return {
    clock,
    /** The sleeps now pending, as ms from now (what the watcher waits for). */
    pending: () => sleepers.map((sleeper) => sleeper.until - now).sort((a, b) => a - b),
    async advance(ms: number) {
      now += ms;
      for (const sleeper of sleepers.filter((s) => s.until <= now)) {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        sleeper.resolve();
      }
      await settle();
    },
  };
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const quietLog = { warn: () => {}, log: () => {} };

describe("engine health watcher", () => {
  it("goes unreachable with the reason, backs off, and comes back ok; waiters and listeners hear it", async () => {
    const time = manualClock();
    let engineUp = false;
    let pings = 0;
    const warnings: string[] = [];
    const health = createEngineHealth({
      address: "127.0.0.1:2375",
      clock: time.clock,
      ping: async () => {
        pings += 1;
        if (!engineUp) throw new Error("connection refused");
      },
      okIntervalMs: 15_000,
      retryMs: 1_000,
      maxRetryMs: 4_000,
      log: { warn: (line: string) => warnings.push(line), log: () => {} },
    });
    const seen: EngineState["state"][] = [];
    health.onChange((state) => seen.push(state.state));
    const back = health.whenReachable();
    let backResolved = false;
    void back.then(() => (backResolved = true));

    health.start();
    await settle();
    expect(health.current()).toMatchObject({ state: "unreachable", address: "127.0.0.1:2375", reason: "connection refused" });
    // 1 s, 2 s, 4 s, then capped at 4 s (besides the ping's own timeout sleep).
    expect(time.pending()).toContain(1_000);
    await time.advance(1_000);
    expect(time.pending()).toContain(2_000);
    await time.advance(2_000);
    expect(time.pending()).toContain(4_000);
    await time.advance(4_000);
    expect(time.pending()).toContain(4_000);
    expect(pings).toBe(4);
    expect(warnings).toEqual(["Docker engine unreachable at 127.0.0.1:2375: connection refused; retrying."]);
    expect(backResolved).toBe(false);

    engineUp = true;
    await time.advance(4_000);
    expect(health.current().state).toBe("ok");
    expect(health.current().since).toBe(11_000);
    expect(backResolved).toBe(true);
    expect(seen).toEqual(["unreachable", "ok"]);
    expect(time.pending()).toContain(15_000);
    await health.stop();
  });

  it("a reported failure makes it ping at once instead of waiting for the next beat", async () => {
    const time = manualClock();
    let engineUp = true;
    const health = createEngineHealth({
      address: "/var/run/docker.sock",
      clock: time.clock,
      ping: async () => {
        if (!engineUp) throw new Error("no socket");
      },
      log: quietLog,
    });
    health.start();
    await settle();
    expect(health.current().state).toBe("ok");
    engineUp = false;
    health.reportUnreachable();
    await settle();
    expect(health.current()).toMatchObject({ state: "unreachable", reason: "no socket" });
    await health.stop();
  });

  it("a ping that never answers counts as a failure after the timeout", async () => {
    const time = manualClock();
    const health = createEngineHealth({ address: "tcp", clock: time.clock, ping: () => new Promise(() => {}), pingTimeoutMs: 5_000, log: quietLog });
    health.start();
    await settle();
    expect(health.current().state).toBe("unknown");
    await time.advance(5_000);
    expect(health.current()).toMatchObject({ state: "unreachable", reason: "no answer within 5 s" });
    void health.stop();
  });
});
