// Context figures from scripted sessions (test-support/long-session.ts): the largest request of a
// 200-turn session as a share of the window, the cache-read share between compactions, the
// harness's own time per model step, and how much of each request could be read from cache.
import type { SessionEvent } from "../server/agent/events";
import { isSummaryRequest, runLongSession } from "../test-support/long-session";
import { promptText, startScriptedModelServer } from "../test-support/scripted-model";
import type { Figure } from "./run";

const window = 30_000;

const p50 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const figure = (name: string, value: number, unit: string, floor: string | null = null): Figure => ({ name, value, unit, floor, ratio: null });

/** Cache reads over all input tokens, leaving out the first request after each trim or summary (a cold prefix by design). */
const cacheReadShare = (events: SessionEvent[]) => {
  let cold = true;
  let read = 0;
  let total = 0;
  for (const event of events) {
    if (event.type === "compaction" || event.type === "context_trimmed") cold = true;
    if (event.type !== "assistant_message") continue;
    const usage = event.payload.usage;
    if (!cold) {
      read += usage.cacheReadTokens;
      total += usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    }
    cold = false;
  }
  return total ? read / total : 0;
};

const commonPrefix = (a: string, b: string) => {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a.charCodeAt(index) === b.charCodeAt(index)) index++;
  return index;
};

export async function run(): Promise<Figure[]> {
  const long = await runLongSession({ turns: 200, window });
  await long.close();
  const figures = [
    figure("context_200_turns_max_request_share", round(Math.max(...long.requestTokens) / window), "share"),
    figure("cache_read_share_200_turns", round(cacheReadShare(long.events)), "share"),
  ];

  // Cache eligibility: the share of each request's prompt identical to the previous request's.
  const short = await runLongSession({ turns: 15, window: 200_000 });
  await short.close();
  const prompts = short.requests.filter((request) => !isSummaryRequest(request.body)).map((request) => promptText("anthropic", request.body as Record<string, unknown>));
  let shared = 0;
  let total = 0;
  for (let index = 1; index < prompts.length; index++) {
    shared += commonPrefix(prompts[index - 1], prompts[index]);
    total += prompts[index].length;
  }
  figures.push(figure("cache_eligible_share_30_steps", round(shared / total), "share"));

  // Harness overhead: a step's time minus the scripted server's own time; floor: a bare round trip.
  const server = await startScriptedModelServer({ logFailures: false });
  const plain = await runLongSession({ turns: 60, window: 200_000, plain: true, server });
  const serverMs = plain.requests.map((request) => (request.finishedAt ?? request.receivedAt) - request.receivedAt);
  const overhead = plain.stepMs.map((ms, index) => ms - (serverMs[index] ?? 0)).slice(10);
  const roundTrips: number[] = [];
  for (let index = 0; index < 60; index++) {
    const started = performance.now();
    const response = await fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-scripted", max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    await response.text();
    roundTrips.push(performance.now() - started);
  }
  await server.close();
  const floor = p50(roundTrips.slice(10));
  figures.push(figure("scripted_model_roundtrip_ms_p50", round(floor, 2), "ms"));
  figures.push(figure("harness_step_ms_p50", round(Math.max(0, p50(overhead)), 2), "ms", "scripted_model_roundtrip_ms_p50"));
  return figures;
}
