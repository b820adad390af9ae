// "Commit" with a message the session's model drafts: a short system prompt, the change summary
// and a bounded slice of the patch, no tools. When the model cannot be asked or fails, the draft
// comes from the file list and says why.
import type { ModelClient } from "../llm/model-client";
import type { DiffFile } from "../workspace/diff-types";
import { draftCommitMessage } from "./commit";

/** How much of the patch the model sees, and how many files of it. */
export const PATCH_SLICE_CHARS = 12_000;
export const PATCH_SLICE_FILES = 20;
const SUMMARY_FILES = 200;
const MAX_TOKENS = 400;
const TIMEOUT_MS = 45_000;

export const COMMIT_MESSAGE_SYSTEM = [
  "You write git commit messages for a change a coding agent made.",
  "Reply with the commit message only: a subject line in the imperative mood of at most 72 characters,",
  "then optionally a blank line and a short body (at most a few lines) on what changed and why.",
  "No code fences, no quotes, no preamble.",
].join(" ");

export type CommitMessageDraft = {
  message: string;
  files: number;
  source: "model" | "files";
  /** Why the draft came from the file list instead of the model. */
  note?: string;
};

/** The user message: every file with status and counts (bounded), then the start of the patch. */
export const commitMessagePrompt = (files: DiffFile[], patches: DiffFile[]): string => {
  const summary = files
    .slice(0, SUMMARY_FILES)
    .map((file) => `${file.status} ${file.oldPath ? `${file.oldPath} -> ` : ""}${file.path}${file.binary ? " (binary)" : ` +${file.additions} -${file.deletions}`}`);
  if (files.length > SUMMARY_FILES) summary.push(`... and ${files.length - SUMMARY_FILES} more files`);
  const patch = patches.map((file) => file.patch).join("");
  const slice = patch.length > PATCH_SLICE_CHARS ? `${patch.slice(0, PATCH_SLICE_CHARS)}\n[patch cut: ${patch.length - PATCH_SLICE_CHARS} more characters]` : patch;
  return `Changed files (${files.length}):\n${summary.join("\n")}\n\nPatch:\n${slice || "(no text patch)"}`;
};

/** The model's reply as a commit message: text blocks only, fences and surrounding quotes removed. */
export const cleanCommitMessage = (reply: string): string =>
  reply
    .trim()
    .replace(/^```[a-z]*\n([\s\S]*?)\n```$/, "$1")
    .replace(/^"([\s\S]*)"$/, "$1")
    .trim();

export const askModelForCommitMessage = async (input: { client: ModelClient; model: string; files: DiffFile[]; patches: DiffFile[]; signal?: AbortSignal }): Promise<string> => {
  const response = await input.client.stream(
    {
      model: input.model,
      system: COMMIT_MESSAGE_SYSTEM,
      tools: [],
      messages: [{ role: "user", content: [{ type: "text", text: commitMessagePrompt(input.files, input.patches) }] }],
      maxTokens: MAX_TOKENS,
    },
    { signal: input.signal ?? AbortSignal.timeout(TIMEOUT_MS) },
  );
  const text = response.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("");
  const message = cleanCommitMessage(text);
  if (!message) throw new Error("the model replied with no text");
  return message;
};

/**
 * The draft for the commit box. `loadPatches` fetches the patches of the first files (the file
 * list comes without them).
 */
export const draftCommitMessageFor = async (input: {
  files: DiffFile[];
  /** The session's model; null when no provider is configured. */
  resolveModel: () => Promise<{ client: ModelClient; name: string } | null>;
  loadPatches: (files: DiffFile[]) => Promise<DiffFile[]>;
  signal?: AbortSignal;
}): Promise<CommitMessageDraft> => {
  const fromFiles = (note: string): CommitMessageDraft => ({ message: draftCommitMessage(input.files), files: input.files.length, source: "files", note });
  if (input.files.length === 0) return fromFiles("Nothing to commit: the working tree matches HEAD.");
  try {
    const model = await input.resolveModel();
    if (!model) return fromFiles("No model provider is configured for this workspace, so the message was drafted from the file list.");
    const patches = await input.loadPatches(input.files.filter((file) => !file.binary).slice(0, PATCH_SLICE_FILES));
    const message = await askModelForCommitMessage({ client: model.client, model: model.name, files: input.files, patches, signal: input.signal });
    return { message, files: input.files.length, source: "model" };
  } catch (error) {
    // Shown under the commit box: the reviewer still gets a usable message.
    return fromFiles(`The model could not draft the message (${error instanceof Error ? error.message : String(error)}), so it was drafted from the file list.`);
  }
};
