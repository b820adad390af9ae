import { describe, expect, it } from "vitest";
import { nextBackoffMs, terminalSocketUrl } from "./terminal-connection";

describe("terminalSocketUrl", () => {
  it("resolves a path against the page's origin with ws or wss", () => {
    expect(terminalSocketUrl("/ws/sessions/a/terminal", { protocol: "http:", host: "localhost:3000" }, 80, 24)).toBe(
      "ws://localhost:3000/ws/sessions/a/terminal?cols=80&rows=24",
    );
    expect(terminalSocketUrl("/ws/sessions/a/terminal", { protocol: "https:", host: "pincer.example" }, 100, 30)).toBe(
      "wss://pincer.example/ws/sessions/a/terminal?cols=100&rows=30",
    );
  });

  it("keeps an absolute URL and its query, replacing the size", () => {
    expect(terminalSocketUrl("ws://h:1/t?token=x&cols=1", { protocol: "https:", host: "other" }, 80, 24)).toBe(
      "ws://h:1/t?token=x&cols=80&rows=24",
    );
    expect(terminalSocketUrl("https://h/t", { protocol: "http:", host: "other" }, 1, 2)).toBe("wss://h/t?cols=1&rows=2");
  });
});

describe("nextBackoffMs", () => {
  it("doubles from 500 ms up to 10 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(nextBackoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
