// The model-drafted commit message through the review service with real parts: a session's
// container, the real Anthropic client against the scripted model server, and the fallback to the
// file-list draft when the model fails or no provider is configured.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSessionHarness, type SessionHarness } from "../../test-support/session-harness";
import { COMMIT_MESSAGE_SYSTEM, PATCH_SLICE_CHARS, cleanCommitMessage, commitMessagePrompt } from "./commit-message";
import { createReviewService, type ReviewService } from "./service";
import type { DiffFile } from "../workspace/diff-types";

let harness: SessionHarness;
let review: ReviewService;
let sessionId: string;

beforeAll(async () => {
  harness = await startSessionHarness();
  const { services } = harness;
  review = createReviewService({
    db: services.db,
    eventLog: services.eventLog,
    sessions: services.sessions,
    newId: services.newId,
    pushDir: path.join(harness.dataDir, "push"),
    resolveProvider: services.resolveProvider,
    createModelClient: services.createModelClient,
  });
  const session = await services.sessions.create({ ownerId: "local", workspaceId: "local", source: { kind: "empty" } });
  harness.track(session.id);
  await services.sessions.waitUntilReady(session.id);
  sessionId = session.id;
  await writeFile(path.join(harness.dataDir, "workspaces", sessionId, "greeting.txt"), "hello from the agent\n");
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe("draftCommitMessage", () => {
  it("asks the session's model with the change summary and the patch, no tools, few tokens", async () => {
    harness.model.setScript([{ expect: { systemIncludes: "commit message", lastUserTextIncludes: "added greeting.txt +1 -0" }, text: "```\nAdd a greeting for visitors\n\nSays hello.\n```" }]);
    const draft = await review.draftCommitMessage(sessionId);
    expect(harness.model.failures).toEqual([]);
    expect(draft).toEqual({ message: "Add a greeting for visitors\n\nSays hello.", files: 1, source: "model" });
    const body = harness.model.requests.at(-1)!.body as { tools?: unknown[]; max_tokens: number; system: unknown; messages: Array<{ content: unknown }> };
    expect(body.tools ?? []).toEqual([]);
    expect(body.max_tokens).toBeLessThanOrEqual(400);
    expect(JSON.stringify(body.system)).toContain(COMMIT_MESSAGE_SYSTEM);
    expect(JSON.stringify(body.messages)).toContain("+hello from the agent");
  });

  it("falls back to the file-list draft, saying why, when the model call fails", async () => {
    harness.model.setScript([{ error: { status: 401 } }]);
    const draft = await review.draftCommitMessage(sessionId);
    expect(draft.source).toBe("files");
    expect(draft.message).toBe("Add greeting.txt");
    expect(draft.note).toMatch(/The model could not draft the message \(.*401.*\), so it was drafted from the file list/);
  });

  it("gives the file-list draft without asking the model when useModel is false", async () => {
    harness.model.reset();
    const draft = await review.draftCommitMessage(sessionId, { useModel: false });
    expect(draft).toEqual({ message: "Add greeting.txt", files: 1, source: "files" });
    expect(harness.model.requests).toHaveLength(0);
  });

  it("falls back with a note when the workspace has no provider", async () => {
    await harness.services.db.provider.deleteMany({ where: { workspaceId: "local" } });
    harness.model.reset();
    const draft = await review.draftCommitMessage(sessionId);
    expect(draft).toMatchObject({ message: "Add greeting.txt", source: "files", note: expect.stringContaining("No model provider") });
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
});
