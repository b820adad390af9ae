import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { costOf, findPrice, loadPrices } from "./pricing";

const usage = { inputTokens: 1_000_000, cacheReadTokens: 1_000_000, cacheWriteTokens: 0, outputTokens: 100_000 };

describe("pricing", () => {
  it("prices a turn by the longest matching model prefix", () => {
    expect(findPrice("claude-opus-4-5-20251101")?.input).toBe(5);
    expect(findPrice("claude-opus-4-1")?.input).toBe(15);
    expect(costOf(usage, "claude-sonnet-4-5")).toBeCloseTo(3 + 0.3 + 1.5, 6);
    expect(costOf(usage, "openai/gpt-5-mini")).toBeCloseTo(0.25 + 0.025 + 0.2, 6);
  });

  it("says unknown (null) for models without a price", () => {
    expect(costOf(usage, "qwen3-coder:30b")).toBeNull();
  });

  it("lets a prices file add and override entries, and rejects a malformed one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "prices-"));
    const file = path.join(dir, "prices.json");
    writeFileSync(file, JSON.stringify({ "qwen3-coder": { input: 0.1, output: 0.2 } }));
    expect(costOf(usage, "qwen3-coder:30b", loadPrices(file))).toBeCloseTo(0.1 + 0.1 + 0.02, 6);
    writeFileSync(file, JSON.stringify({ bad: { input: "free" } }));
    expect(() => loadPrices(file)).toThrow(/not a price table/);
  });
});
