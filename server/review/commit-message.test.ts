// The model-drafted commit message through the review service with real parts: a session's
// container, the real Anthropic client against the scripted model server, the draft cache per
// change, and the fallback to the file-list draft when the model fails, is too slow or no provider
// is configured.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSessionHarness, type SessionHarness } from "../../test-support/session-harness";
import type { SessionEvent } from "../agent/events";
import { defaultRetryOptions } from "../llm/retry";
import type { DiffFile } from "../workspace/diff-types";
import { COMMIT_MESSAGE_SYSTEM, PATCH_SLICE_CHARS, cleanCommitMessage, commitMessagePrompt, createCommitDraftCache, sessionTask, shapeCommitMessage } from "./commit-message";
import { createReviewService, type ReviewService } from "./service";

let harness: SessionHarness;
let review: ReviewService;
let sessionId: string;

const reviewWith = (options: { commitDraftTimeoutMs?: number } = {}) => {
  const { services } = harness;
  return createReviewService({
    db: services.db,
    eventLog: services.eventLog,
    sessions: services.sessions,
    newId: services.newId,
    pushDir: path.join(harness.dataDir, "push"),
    resolveProvider: services.resolveProvider,
    createModelClient: services.createModelClient,
    ...options,
  });
};
const workspaceFile = (name: string) => path.join(harness.dataDir, "workspaces", sessionId, name);
type RequestBody = { tools?: unknown[]; max_tokens: number; system: unknown; messages: Array<{ content: unknown }> };

beforeAll(async () => {
  harness = await startSessionHarness();
  review = reviewWith();
  const session = await harness.services.sessions.create({ ownerId: "local", workspaceId: "local", source: { kind: "empty" } });
  harness.track(session.id);
  await harness.services.sessions.waitUntilReady(session.id);
  sessionId = session.id;
  await harness.services.eventLog.append(sessionId, "user_message", { text: "Greet the visitors of the site", author: "You" });
  await writeFile(workspaceFile("greeting.txt"), "hello from the agent\n");
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe("draftCommitMessage", () => {
  it("asks the session's model with the task, the change summary and the patch, no tools, few tokens", async () => {
    harness.model.setScript([
      {
        expect: { systemIncludes: "commit message", lastUserTextIncludes: "The task the agent was given:\nGreet the visitors of the site" },
        text: "```\nAdd a greeting for visitors\nSays hello to whoever opens the site.\n```",
      },
    ]);
    const draft = await review.draftCommitMessage(sessionId);
    expect(harness.model.failures).toEqual([]);
    // The body gets git's blank line after the subject.
    expect(draft).toEqual({ message: "Add a greeting for visitors\n\nSays hello to whoever opens the site.", files: 1, source: "model", model: "claude-scripted" });
    const body = harness.model.requests.at(-1)!.body as RequestBody;
    expect(body.tools ?? []).toEqual([]);
    expect(body.max_tokens).toBeLessThanOrEqual(400);
    expect(JSON.stringify(body.system)).toContain(COMMIT_MESSAGE_SYSTEM);
    expect(JSON.stringify(body.messages)).toContain("added greeting.txt +1 -0");
    expect(JSON.stringify(body.messages)).toContain("+hello from the agent");
  });

  it("drafts a change once: the same diff is answered from the cache, a new diff or fresh asks again", async () => {
    harness.model.reset();
    const again = await review.draftCommitMessage(sessionId);
    expect(again).toMatchObject({ message: "Add a greeting for visitors\n\nSays hello to whoever opens the site.", source: "model" });
    expect(harness.model.requests).toHaveLength(0);

    harness.model.setScript([{ text: "Ask the model again" }]);
    expect(await review.draftCommitMessage(sessionId, { fresh: true })).toMatchObject({ message: "Ask the model again", source: "model" });
    expect(harness.model.requests).toHaveLength(1);

    await writeFile(workspaceFile("greeting.txt"), "hello again from the agent\n");
    harness.model.setScript([{ expect: { lastUserTextIncludes: "+hello again from the agent" }, text: "Greet visitors again" }]);
    const [first, second] = await Promise.all([review.draftCommitMessage(sessionId), review.draftCommitMessage(sessionId)]);
    expect(harness.model.failures).toEqual([]);
    expect(first).toMatchObject({ message: "Greet visitors again", source: "model" });
    expect(second).toEqual(first);
    // Two callers at once share one request.
    expect(harness.model.requests).toHaveLength(2);
  });

  it("falls back to the file-list draft, saying why, on a server error, and asks again next time", async () => {
    await writeFile(workspaceFile("farewell.txt"), "bye\n");
    harness.model.setScript(Array.from({ length: defaultRetryOptions.maxAttempts }, () => ({ error: { status: 500 } })));
    const draft = await review.draftCommitMessage(sessionId);
    expect(draft).toMatchObject({ source: "files", message: "Add 2 files (farewell.txt, greeting.txt)" });
    expect(draft.model).toBeUndefined();
    expect(draft.note).toMatch(/The model could not draft the message \(.*server error \(500\).*\), so it was drafted from the file list/);

    // A failure is not cached.
    harness.model.setScript([{ text: "Say goodbye too" }]);
    expect(await review.draftCommitMessage(sessionId)).toMatchObject({ message: "Say goodbye too", source: "model" });
  });

  it("falls back when the provider rate-limits for longer than a draft may wait", async () => {
    await writeFile(workspaceFile("farewell.txt"), "bye bye\n");
    harness.model.reset();
    harness.model.setScript([{ error: { status: 429, headers: { "retry-after": "120" } } }]);
    const draft = await review.draftCommitMessage(sessionId);
    expect(harness.model.requests).toHaveLength(1);
    expect(draft.source).toBe("files");
    expect(draft.note).toMatch(/could not draft the message \(.*rate limit reached \(429\)/);
  });

  it("falls back when the model does not answer in time", async () => {
    await writeFile(workspaceFile("farewell.txt"), "see you\n");
    harness.model.setScript([{ text: "Too late", delayMs: 5_000 }]);
    const draft = await reviewWith({ commitDraftTimeoutMs: 200 }).draftCommitMessage(sessionId);
    expect(draft.source).toBe("files");
    expect(draft.note).toContain("could not draft the message (no answer within 0.2 s)");
  });

  it("gives the file-list draft without asking the model when useModel is false", async () => {
    harness.model.reset();
    const draft = await review.draftCommitMessage(sessionId, { useModel: false });
    expect(draft).toEqual({ message: "Add 2 files (farewell.txt, greeting.txt)", files: 2, source: "files" });
    expect(harness.model.requests).toHaveLength(0);
  });

  it("does not ask the model while the agent's turn runs", async () => {
    harness.model.reset();
    // The reply stalls, so the turn runs until it is stopped.
    harness.model.setScript([{ text: "Still thinking about it.", stallAfterChunks: 2 }]);
    await harness.services.sessions.sendMessage(sessionId, "keep going", "You");
    expect(harness.services.sessions.running(sessionId)).toBe(true);
    const draft = await review.draftCommitMessage(sessionId);
    expect(draft).toMatchObject({ source: "files", note: expect.stringContaining("The agent is still working") });
    await harness.services.sessions.stop(sessionId);
    await harness.services.sessions.idle(sessionId);
    // The turn's own request only.
    expect(harness.model.requests).toHaveLength(1);
    expect(harness.model.failures).toEqual([]);
  });

  it("falls back with a note when the workspace has no provider", async () => {
    await harness.services.db.provider.deleteMany({ where: { workspaceId: "local" } });
    harness.model.reset();
    const draft = await review.draftCommitMessage(sessionId, { fresh: true });
    expect(draft).toMatchObject({ message: "Add 2 files (farewell.txt, greeting.txt)", source: "files", note: expect.stringContaining("No model provider") });
    expect(harness.model.requests).toHaveLength(0);
  });
});

describe("commitMessagePrompt", () => {
  const file = (name: string, patch: string): DiffFile => ({ path: name, status: "modified", additions: 1, deletions: 1, binary: false, patch, truncated: false });

  it("bounds the patch slice and says how much was cut", () => {
    const big = file("big.txt", "x".repeat(PATCH_SLICE_CHARS + 500));
    const prompt = commitMessagePrompt([big], [big]);
    expect(prompt).toContain("modified big.txt +1 -1");
    expect(prompt).toContain("[patch cut: 500 more characters]");
    expect(prompt.length).toBeLessThan(PATCH_SLICE_CHARS + 200);
  });

  it("cleans fences and quotes from the reply", () => {
    expect(cleanCommitMessage('"Fix the parser"\n')).toBe("Fix the parser");
    expect(cleanCommitMessage("```text\nFix it\n```")).toBe("Fix it");
  });

  it("keeps the subject within 72 characters, cut at a word, and puts a blank line before the body", () => {
    const long = "Rewrite the session event replay so late joiners see every missed event in order";
    const shaped = shapeCommitMessage(`${long}\nBody line.`);
    const [subject, blank, body] = shaped.split("\n");
    expect(subject!.length).toBeLessThanOrEqual(72);
    expect(subject).toBe("Rewrite the session event replay so late joiners see every missed…");
    expect(blank).toBe("");
    expect(body).toBe("Body line.");
    expect(shapeCommitMessage("Fix it\n\nBecause.")).toBe("Fix it\n\nBecause.");
  });
});

describe("sessionTask", () => {
  const ask = (seq: number, text: string) => ({ seq, type: "user_message", payload: { text, author: "You" }, createdAt: "" }) as SessionEvent;

  it("is the first request, plus the latest one when it differs", () => {
    expect(sessionTask([])).toBeUndefined();
    expect(sessionTask([ask(1, "Fix the login page")])).toBe("Fix the login page");
    expect(sessionTask([ask(1, "Fix the login page"), ask(2, "also the logout")])).toBe("Fix the login page\n\nLatest request:\nalso the logout");
  });
});

describe("createCommitDraftCache", () => {
  it("forgets the least recently used draft past its capacity", async () => {
    const cache = createCommitDraftCache(2);
    const asked: string[] = [];
    const ask = (key: string) => () => {
      asked.push(key);
      return Promise.resolve(`message ${key}`);
    };
    await cache.draft("a", ask("a"));
    await cache.draft("b", ask("b"));
    await cache.draft("a", ask("a"));
    await cache.draft("c", ask("c"));
    await cache.draft("a", ask("a"));
    await cache.draft("b", ask("b"));
    expect(asked).toEqual(["a", "b", "c", "b"]);
    expect(cache.size).toBe(2);
  });
});
