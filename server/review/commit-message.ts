// "Commit" with a message the session's model drafts: a short system prompt, the session's task,
// the change summary and a bounded slice of the patch, no tools. Drafts are cached by what the
// model would see, so the same change is drafted once. When the model cannot be asked, fails or
// is too slow, the draft comes from the file list and says why.
import { createHash } from "node:crypto";
import type { SessionEvent } from "../agent/events";
import type { ModelClient } from "../llm/model-client";
import type { DiffFile } from "../workspace/diff-types";
import { draftCommitMessage } from "./commit";

/** How much of the patch the model sees, and how many files of it. */
export const PATCH_SLICE_CHARS = 12_000;
export const PATCH_SLICE_FILES = 20;
export const SUBJECT_MAX_CHARS = 72;
const TASK_CHARS = 1_500;
const SUMMARY_FILES = 200;
const MAX_TOKENS = 400;
/** The draft fills a form the user is looking at: better the file-list message than a long wait. */
export const DRAFT_TIMEOUT_MS = 20_000;

export const COMMIT_MESSAGE_SYSTEM = [
  "You write git commit messages for a change a coding agent made.",
  `Reply with the commit message only: a subject line in the imperative mood of at most ${SUBJECT_MAX_CHARS} characters,`,
  "a blank line, then a short body (a few lines, wrapped at 72 characters) summarising what changed and why.",
  "Describe the change the patch shows; use the task only to explain why.",
  "No code fences, no quotes, no preamble.",
].join(" ");

export type CommitMessageDraft = {
  message: string;
  files: number;
  source: "model" | "files";
  /** The model that wrote it (source "model"). */
  model?: string;
  /** Why the draft came from the file list instead of the model. */
  note?: string;
};

/** What the session was asked to do: its first request and, when different, the latest one. */
export const sessionTask = (events: SessionEvent[]): string | undefined => {
  const asks = events.flatMap((event) => (event.type === "user_message" ? [(event as SessionEvent<"user_message">).payload.text.trim()] : [])).filter(Boolean);
  const bounded = (text: string) => (text.length > TASK_CHARS ? `${text.slice(0, TASK_CHARS)} [cut]` : text);
  const [first, last] = [asks[0], asks.at(-1)];
  if (!first) return undefined;
  return last && last !== first ? `${bounded(first)}\n\nLatest request:\n${bounded(last)}` : bounded(first);
};

/** The user message: the task, every file with status and counts (bounded), then the start of the patch. */
export const commitMessagePrompt = (files: DiffFile[], patches: DiffFile[], task?: string): string => {
  const summary = files
    .slice(0, SUMMARY_FILES)
    .map((file) => `${file.status} ${file.oldPath ? `${file.oldPath} -> ` : ""}${file.path}${file.binary ? " (binary)" : ` +${file.additions} -${file.deletions}`}`);
  if (files.length > SUMMARY_FILES) summary.push(`... and ${files.length - SUMMARY_FILES} more files`);
  const patch = patches.map((file) => file.patch).join("");
  const slice = patch.length > PATCH_SLICE_CHARS ? `${patch.slice(0, PATCH_SLICE_CHARS)}\n[patch cut: ${patch.length - PATCH_SLICE_CHARS} more characters]` : patch;
  const context = task ? `The task the agent was given:\n${task}\n\n` : "";
  return `${context}Changed files (${files.length}):\n${summary.join("\n")}\n\nPatch:\n${slice || "(no text patch)"}`;
};

/** The model's reply as a commit message: text blocks only, fences and surrounding quotes removed. */
export const cleanCommitMessage = (reply: string): string =>
  reply
    .trim()
    .replace(/^```[a-z]*\n([\s\S]*?)\n```$/, "$1")
    .replace(/^"([\s\S]*)"$/, "$1")
    .trim();

/** Git's shape: a subject of at most 72 characters (cut at a word), then a blank line before the body. */
export const shapeCommitMessage = (message: string): string => {
  const [subject = "", ...body] = message.split("\n");
  const cut = subject.slice(0, SUBJECT_MAX_CHARS - 1);
  const atWord = cut.lastIndexOf(" ") > SUBJECT_MAX_CHARS / 2 ? cut.slice(0, cut.lastIndexOf(" ")) : cut;
  const fitted = subject.length > SUBJECT_MAX_CHARS ? `${atWord.trimEnd()}…` : subject.trimEnd();
  if (body.length === 0) return fitted;
  return [fitted, "", ...(body[0]?.trim() === "" ? body.slice(1) : body)].join("\n");
};

export const askModelForCommitMessage = async (input: { client: ModelClient; model: string; prompt: string; timeoutMs?: number }): Promise<string> => {
  const timeoutMs = input.timeoutMs ?? DRAFT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await input.client.stream(
      { model: input.model, system: COMMIT_MESSAGE_SYSTEM, tools: [], messages: [{ role: "user", content: [{ type: "text", text: input.prompt }] }], maxTokens: MAX_TOKENS },
      { signal },
    );
    const text = response.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("");
    const message = cleanCommitMessage(text);
    if (!message) throw new Error("the model replied with no text");
    return shapeCommitMessage(message);
  } catch (error) {
    if (signal.aborted) throw new Error(`no answer within ${Math.round(timeoutMs / 100) / 10} s`);
    throw error;
  }
};

export type CommitDraftCache = ReturnType<typeof createCommitDraftCache>;

/**
 * Model drafts by a hash of what the model sees (so by diff, task and model). Callers asking for
 * the same draft at once share one request; a failed request is forgotten, so asking again retries.
 */
export const createCommitDraftCache = (capacity = 200) => {
  const entries = new Map<string, Promise<string>>();
  return {
    keyOf: (parts: string[]) => createHash("sha256").update(JSON.stringify(parts)).digest("hex"),
    /** fresh: ask again even when a draft is cached (the user asked for another one). */
    draft(key: string, ask: () => Promise<string>, fresh = false): Promise<string> {
      const cached = fresh ? undefined : entries.get(key);
      // Re-inserted on every use: the Map's order is then least recently used first.
      const pending = cached ?? ask();
      entries.delete(key);
      entries.set(key, pending);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
      pending.catch(() => entries.get(key) === pending && entries.delete(key));
      return pending;
    },
    get size() {
      return entries.size;
    },
  };
};

/**
 * The draft for the commit box. `loadPatches` fetches the patches of the first files (the file
 * list comes without them); `cacheScope` keeps one session's drafts apart from another's.
 */
export const draftCommitMessageFor = async (input: {
  files: DiffFile[];
  task?: string;
  /** The session's model; null when no provider is configured. */
  resolveModel: () => Promise<{ client: ModelClient; name: string } | null>;
  loadPatches: (files: DiffFile[]) => Promise<DiffFile[]>;
  cache: CommitDraftCache;
  cacheScope: string;
  fresh?: boolean;
  timeoutMs?: number;
}): Promise<CommitMessageDraft> => {
  const fromFiles = (note: string): CommitMessageDraft => ({ message: draftCommitMessage(input.files), files: input.files.length, source: "files", note });
  if (input.files.length === 0) return fromFiles("Nothing to commit: the working tree matches HEAD.");
  try {
    const model = await input.resolveModel();
    if (!model) return fromFiles("No model provider is configured for this workspace, so the message was drafted from the file list.");
    const patches = await input.loadPatches(input.files.filter((file) => !file.binary).slice(0, PATCH_SLICE_FILES));
    const prompt = commitMessagePrompt(input.files, patches, input.task);
    const key = input.cache.keyOf([input.cacheScope, model.name, COMMIT_MESSAGE_SYSTEM, prompt]);
    const message = await input.cache.draft(key, () => askModelForCommitMessage({ client: model.client, model: model.name, prompt, timeoutMs: input.timeoutMs }), input.fresh);
    return { message, files: input.files.length, source: "model", model: model.name };
  } catch (error) {
    // Shown under the commit box: the reviewer still gets a usable message.
    return fromFiles(`The model could not draft the message (${error instanceof Error ? error.message : String(error)}), so it was drafted from the file list.`);
  }
};
