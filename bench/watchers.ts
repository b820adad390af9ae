// Ten browsers watching one streaming session (issue 8): the server CPU each extra watcher adds,
// and how long a token takes from the model writing it to the first and the tenth watcher's page
// painting it. A real Pincer process (the Next build in PINCER_NEXT_DIST_DIR, else .next), ten
// signed-in accounts in real Chromium pages, the scripted model streaming numbered tokens at a
// steady rate. A token's clock starts when the scripted model writes its text delta, so Pincer's
// whole path (parse, coalescing to ~one message per 16 ms frame, fan-out, WebSocket, React) is
// inside the figure. Both clocks are Date.now() on this machine.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { createDockerDriver } from "../server/sandbox/docker";
import { chromiumLaunchOptions } from "../test-support/chromium";
import { createHttpClient, type HttpClient } from "../test-support/http-client";
import { startScriptedModelServer, type ScriptedModelServer } from "../test-support/scripted-model";
import { createTempDb, type TempDb } from "../test-support/temp-db";
import type { Figure } from "./run";

const root = path.resolve(import.meta.dirname, "..");
const WATCHERS = 10;
/** Tokens per turn and the pause between them: 50 tokens/s for 6 s. */
const TOKENS = 300;
const TOKEN_GAP_MS = 20;
/** CPU and latency are taken over these tokens of each turn (the steady middle, 4 s). */
const WINDOW = { from: 50, to: 250 };

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const figure = (name: string, value: number, unit: string, floor: string | null = null): Figure => ({ name, value: round(value), unit, floor, ratio: null });

/** Fixed-width tokens so every text delta carries exactly one: "k00001 ". */
const token = (n: number) => `k${String(n).padStart(5, "0")} `;
const tokenPattern = /k(\d{5})/g;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** The process's user + system CPU in ms, from /proc (all threads). */
const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
const cpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
};

const startPincer = async (temp: TempDb, port: number) => {
  const distDir = process.env.PINCER_NEXT_DIST_DIR ?? ".next";
  if (!existsSync(path.join(root, distDir, "BUILD_ID"))) throw new Error(`No Next build in ${distDir}: run \`npx next build\` first.`);
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: temp.dir,
      DATABASE_URL: temp.url,
      PINCER_SECRET_KEY: randomBytes(32).toString("base64"),
      PINCER_POOL_SIZE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); Date.now() - started < 60_000; ) {
    if (child.exitCode !== null) throw new Error(`Pincer exited (${child.exitCode}):\n${output}`);
    if (await fetch(`${base}/healthz`).then((response) => response.ok, () => false)) return { child, base };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`Pincer did not answer /healthz within 60 s:\n${output}`);
};

const stopPincer = async (child: ChildProcess) => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
};

/** The owner, a scripted provider, nine invited viewers, and a ready session. */
const setUpWorkspace = async (client: HttpClient, model: ScriptedModelServer) => {
  const owner = await client.signUp("Bench Owner", "owner@bench.test");
  await client.trpc(owner, "providers.save", { kind: "anthropic", baseUrl: model.url, apiKey: "sk-bench", model: "claude-scripted" }, "POST");
  const cookies = [owner];
  for (let index = 2; index <= WATCHERS; index++) {
    const { token: invite } = await client.trpc<{ token: string }>(owner, "invitations.create", { role: "viewer" }, "POST");
    cookies.push(await client.signUp(`Watcher ${index}`, `watcher${index}@bench.test`, invite));
  }
  const { id: sessionId } = await client.trpc<{ id: string }>(owner, "sessions.create", { title: "Watched", source: { kind: "empty" } }, "POST");
  for (const started = Date.now(); ; ) {
    const { status } = await client.trpc<{ status: string }>(owner, "sessions.get", { sessionId });
    if (status === "idle") break;
    if (status === "error" || Date.now() - started > 60_000) throw new Error(`The session's sandbox did not start (status ${status}).`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { owner, cookies, sessionId };
};

/**
 * Runs in every page before its scripts: notes when each token first appears in the DOM, stamped
 * after the frame that shows it (requestAnimationFrame, then a task, so the paint has happened).
 * Plain source text: tsx would add helpers to a function that the page does not have.
 */
const recordTokenPaints = `(() => {
  const paints = new Map();
  const pending = new Set();
  let scheduled = false;
  const note = (text) => {
    for (const match of text.matchAll(${tokenPattern.toString()})) {
      const n = Number(match[1]);
      if (!paints.has(n)) pending.add(n);
    }
  };
  const stamp = () => {
    const at = Date.now();
    for (const n of pending) if (!paints.has(n)) paints.set(n, at);
    pending.clear();
    scheduled = false;
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "characterData") note(record.target.data);
      else for (const node of record.addedNodes) note(node.textContent ?? "");
    }
    if (pending.size === 0 || scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = stamp;
      channel.port2.postMessage(null);
    });
  }).observe(document, { subtree: true, childList: true, characterData: true });
  window.tokenPaints = () => [...paints];
})();`;

const openWatcher = async (browser: Browser, base: string, cookie: string, sessionId: string) => {
  const context = await browser.newContext();
  // A production server sets __Secure- cookies; Chromium keeps them for 127.0.0.1 over http as for https.
  const host = new URL(base).hostname;
  await context.addCookies(cookie.split("; ").map((pair) => ({ name: pair.slice(0, pair.indexOf("=")), value: pair.slice(pair.indexOf("=") + 1), domain: host, path: "/", secure: true, httpOnly: true, sameSite: "Lax" as const })));
  await context.addInitScript({ content: recordTokenPaints });
  const page = await context.newPage();
  await page.goto(`${base}/sessions/${sessionId}`);
  await page.getByTestId("session-title").filter({ hasText: "Watched" }).waitFor();
  return page;
};

/** What the scripted model streams next, and who hears of each token it writes. */
type Feed = { text: string; writes: Map<number, number>; onToken: (n: number, at: number) => void };

type Run = { client: HttpClient; owner: string; sessionId: string; pid: number; feed: Feed };

/** Streams turn `turn` (tokens numbered from `first`); returns the server's CPU ms per second over the window. */
const streamTurn = async (run: Run, turn: number, first: number, pages: Page[]) => {
  const numbers = Array.from({ length: TOKENS }, (_, index) => first + index);
  const windowStart = first + WINDOW.from;
  const windowEnd = first + WINDOW.to;
  const cpu = { start: 0, end: 0, startAt: 0, endAt: 0 };
  const reached = new Promise<void>((resolve) => {
    run.feed.onToken = (n, at) => {
      if (n === windowStart) Object.assign(cpu, { start: cpuMs(run.pid), startAt: at });
      if (n !== windowEnd) return;
      Object.assign(cpu, { end: cpuMs(run.pid), endAt: at });
      resolve();
    };
  });
  run.feed.text = numbers.map(token).join("");
  await run.client.trpc(run.owner, "sessions.send", { sessionId: run.sessionId, text: `stream turn ${turn}` }, "POST");
  await reached;
  // Every page has painted the last token and shows the turn's end before the next turn starts.
  const last = numbers.at(-1) ?? 0;
  await Promise.all(pages.map((page) => page.waitForFunction(`window.tokenPaints().some(([seen]) => seen === ${last})`, undefined, { timeout: 60_000 })));
  await Promise.all(pages.map((page) => page.getByTestId("turn-end").nth(turn - 1).waitFor({ timeout: 60_000 })));
  return { cpuPerSecond: ((cpu.end - cpu.start) / (cpu.endAt - cpu.startAt)) * 1000, range: [windowStart, windowEnd] as const };
};

/** Token-to-paint latencies on one page for the tokens in range. */
const latencies = async (page: Page, writes: Map<number, number>, [from, to]: readonly [number, number]) => {
  const paints = (await page.evaluate("window.tokenPaints()")) as Array<[number, number]>;
  return paints.filter(([n]) => n >= from && n <= to && writes.has(n)).map(([n, at]) => at - (writes.get(n) ?? at));
};

export async function run(): Promise<Figure[]> {
  const feed: Feed = { text: "", writes: new Map(), onToken: () => {} };
  const model = await startScriptedModelServer({
    logFailures: false,
    onWrite: (chunk) => {
      const at = Date.now();
      for (const match of chunk.matchAll(tokenPattern)) {
        const n = Number(match[1]);
        feed.writes.set(n, at);
        feed.onToken(n, at);
      }
    },
  });
  // Every request (including any the harness makes besides the turn) gets the current turn's tokens.
  model.setResponder(() => ({ text: feed.text, textChunks: TOKENS, chunkDelayMs: TOKEN_GAP_MS }));
  const temp = await createTempDb();
  await temp.db.$disconnect();
  const pincer = await startPincer(temp, await freePort());
  const browser = await chromium.launch(chromiumLaunchOptions);
  let sessionId = "";
  try {
    const client = createHttpClient(pincer.base);
    const workspace = await setUpWorkspace(client, model);
    sessionId = workspace.sessionId;
    const run: Run = { client, owner: workspace.owner, sessionId, pid: pincer.child.pid ?? 0, feed };

    const firstPage = await openWatcher(browser, pincer.base, workspace.cookies[0], sessionId);
    const alone = await streamTurn(run, 1, 1, [firstPage]);
    const aloneLatency = await latencies(firstPage, feed.writes, alone.range);

    const pages = [firstPage];
    // Watchers 2-9 come together; the tenth only once they are all connected, so it is the last
    // one the fan-out sends to. Every page's presence row then counts all ten.
    pages.push(...(await Promise.all(workspace.cookies.slice(1, -1).map((cookie) => openWatcher(browser, pincer.base, cookie, sessionId)))));
    await Promise.all(pages.map((page) => page.getByLabel(`${WATCHERS - 1} watching`).waitFor()));
    pages.push(await openWatcher(browser, pincer.base, workspace.cookies[WATCHERS - 1], sessionId));
    await Promise.all(pages.map((page) => page.getByLabel(`${WATCHERS} watching`).waitFor()));
    const crowd = await streamTurn(run, 2, TOKENS + 1, pages);
    const first = await latencies(pages[0], feed.writes, crowd.range);
    const tenth = await latencies(pages[WATCHERS - 1], feed.writes, crowd.range);
    const expected = WINDOW.to - WINDOW.from + 1;
    if (first.length < expected || tenth.length < expected || aloneLatency.length < expected) throw new Error("A page did not report every token of the window.");
    console.error(`(watchers: 1 watcher ${round(alone.cpuPerSecond)} CPU ms/s, token-to-paint p50 ${p50(aloneLatency)} ms; 10 watchers ${round(crowd.cpuPerSecond)} CPU ms/s)`);

    return [
      figure("watcher_added_cpu_ms_per_s", (crowd.cpuPerSecond - alone.cpuPerSecond) / (WATCHERS - 1), "ms/s"),
      figure("watcher1_token_paint_ms_p50", p50(first), "ms"),
      figure("watcher10_token_paint_ms_p50", p50(tenth), "ms", "watcher1_token_paint_ms_p50"),
    ];
  } finally {
    await browser.close();
    await stopPincer(pincer.child);
    await model.close();
    if (sessionId) await createDockerDriver().destroy(sessionId).catch((error: unknown) => console.error("Could not remove the bench session's sandbox:", error));
    await temp.cleanup();
  }
}
