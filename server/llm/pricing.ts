// What a turn cost: usage times a per-model price table (USD per million tokens). The defaults
// cover the common hosted models; PINCER_PRICES_FILE (JSON, same shape) adds or overrides entries.
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Usage } from "./model-client";

const price = z.object({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheRead: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof price>;
export const priceTable = z.record(z.string(), price);

/** Keys are model-name prefixes; the longest matching prefix wins. */
export const defaultPrices: Record<string, ModelPrice> = {
  "claude-opus-4-5": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-opus-4": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-sonnet-4": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-3-7-sonnet": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  "gpt-5-mini": { input: 0.25, output: 2, cacheRead: 0.025 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cacheRead: 0.005 },
  "gpt-5": { input: 1.25, output: 10, cacheRead: 0.125 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cacheRead: 0.1 },
  "gpt-4.1": { input: 2, output: 8, cacheRead: 0.5 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cacheRead: 0.075 },
  "gpt-4o": { input: 2.5, output: 10, cacheRead: 1.25 },
  o3: { input: 2, output: 8, cacheRead: 0.5 },
  "o4-mini": { input: 1.1, output: 4.4, cacheRead: 0.275 },
};

export const loadPrices = (file: string | undefined): Record<string, ModelPrice> => {
  if (!file) return defaultPrices;
  const parsed = priceTable.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`PINCER_PRICES_FILE ${file} is not a price table: ${parsed.error.issues[0]?.message}`);
  return { ...defaultPrices, ...parsed.data };
};

export const findPrice = (model: string, prices: Record<string, ModelPrice> = defaultPrices): ModelPrice | null => {
  const name = model.toLowerCase().replace(/^.*\//, ""); // "anthropic/claude-…" on OpenRouter
  const key = Object.keys(prices)
    .filter((prefix) => name.startsWith(prefix.toLowerCase()))
    .sort((a, b) => b.length - a.length)[0];
  return key ? prices[key] : null;
};

/** USD, or null when the model's price is unknown (local models, new names). */
export const costOf = (usage: Usage, model: string, prices?: Record<string, ModelPrice>): number | null => {
  const p = findPrice(model, prices);
  if (!p) return null;
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  return (
    usage.inputTokens * perToken(p.input) +
    usage.cacheReadTokens * perToken(p.cacheRead ?? p.input) +
    usage.cacheWriteTokens * perToken(p.cacheWrite ?? p.input) +
    usage.outputTokens * perToken(p.output)
  );
};
