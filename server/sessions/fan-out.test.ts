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

describe("fan-out presence", () => {
  const ada = { userId: "u-ada", name: "Ada", role: "owner" as const };
  const bob = { userId: "u-bob", name: "Bob", role: "viewer" as const };
  const presenceOf = (seen: LiveMessage[]) => seen.filter((m) => m.kind === "presence").map((m) => m.watchers.map((w) => w.name));

  it("counts a person once however many tabs they open, and announces only arrivals and departures", () => {
    const fanOut = createFanOut();
    const adaTab1: LiveMessage[] = [];
    const adaTab2: LiveMessage[] = [];
    const bobTab: LiveMessage[] = [];
    const closeAda1 = fanOut.subscribe("s", (m) => adaTab1.push(m), ada);
    const closeAda2 = fanOut.subscribe("s", (m) => adaTab2.push(m), ada);
    expect(presenceOf(adaTab1)).toEqual([["Ada"]]);
    expect(presenceOf(adaTab2)).toEqual([["Ada"]]);

    const closeBob = fanOut.subscribe("s", (m) => bobTab.push(m), bob);
    expect(presenceOf(adaTab1)).toEqual([["Ada"], ["Ada", "Bob"]]);
    expect(presenceOf(bobTab)).toEqual([["Ada", "Bob"]]);

    closeAda1();
    closeAda1();
    expect(presenceOf(bobTab)).toEqual([["Ada", "Bob"]]);
    expect(fanOut.watchers("s").map((w) => w.name)).toEqual(["Ada", "Bob"]);

    closeAda2();
    expect(presenceOf(bobTab)).toEqual([["Ada", "Bob"], ["Bob"]]);
    closeBob();
    expect(fanOut.watchers("s")).toEqual([]);
    expect(fanOut.watcherCount("s")).toBe(0);
  });

  it("announces a changed role when a person's new tab brings it, and leaves out anonymous subscribers", () => {
    const fanOut = createFanOut();
    const cli: LiveMessage[] = [];
    fanOut.subscribe("s", (m) => cli.push(m));
    expect(presenceOf(cli)).toEqual([]);
    fanOut.subscribe("s", () => {}, { ...bob, role: "member" });
    fanOut.subscribe("s", () => {}, bob);
    expect(cli.filter((m) => m.kind === "presence").map((m) => m.watchers)).toEqual([[{ ...bob, role: "member" }], [bob]]);
    expect(fanOut.watchers("other")).toEqual([]);
  });
});
