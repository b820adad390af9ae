import { describe, expect, it } from "vitest";
import type { LiveMessage, SessionEvent } from "../agent/events";
import { createFanOut } from "./fan-out";

const event = (seq: number): SessionEvent =>
  ({ seq, type: "user_message", payload: { text: `m${seq}`, author: "u" }, createdAt: "" }) as SessionEvent;
const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe("fan-out", () => {
  it("coalesces token deltas into about one message per frame", async () => {
    const fanOut = createFanOut({ frameMs: 10 });
    const seen: LiveMessage[] = [];
    fanOut.subscribe("s", (m) => seen.push(m));
    for (const piece of ["a", "b", "c", "d"]) fanOut.publishText("s", piece);
    await tick();
    expect(seen.filter((m) => m.kind === "text_delta")).toEqual([{ kind: "text_delta", text: "abcd" }]);
  });

  it("flushes pending deltas before an event so order holds", () => {
    const fanOut = createFanOut({ frameMs: 1000 });
    const seen: LiveMessage[] = [];
    fanOut.subscribe("s", (m) => seen.push(m));
    fanOut.publishText("s", "hello");
    fanOut.publishEvent("s", event(1));
    expect(seen.map((m) => m.kind)).toEqual(["snapshot", "text_delta", "event"]);
  });

  it("gives a late joiner the in-flight partial reply as a snapshot", () => {
    const fanOut = createFanOut();
    fanOut.setStatus("s", "running");
    fanOut.publishText("s", "Work");
    fanOut.publishText("s", "ing on it");
    const seen: LiveMessage[] = [];
    fanOut.subscribe("s", (m) => seen.push(m));
    expect(seen[0]).toEqual({ kind: "snapshot", partialText: "Working on it", status: "running" });
  });

  it("sends every watcher the same stream and stops after unsubscribe", () => {
    const fanOut = createFanOut();
    const a: LiveMessage[] = [];
    const b: LiveMessage[] = [];
    fanOut.subscribe("s", (m) => a.push(m));
    const stopB = fanOut.subscribe("s", (m) => b.push(m));
    fanOut.publishEvent("s", event(1));
    stopB();
    fanOut.publishEvent("s", event(2));
    expect(a.filter((m) => m.kind === "event")).toHaveLength(2);
    expect(b.filter((m) => m.kind === "event")).toHaveLength(1);
    expect(fanOut.watcherCount("s")).toBe(1);
  });
});
