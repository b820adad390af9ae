"use client";
// Review mode of one file's patch: each hunk drawn on its own with a toolbar to comment on its
// lines or revert just that hunk. Hunks are counted as the server counts them (server/review/hunks).

import dynamic from "next/dynamic";
import { useState } from "react";
import type { DiffFile } from "@/server/workspace/diff-types";
import { splitPatch } from "@/server/review/hunks";
import { languageForPath } from "./file-language";
import { hunkLineRange, hunkNewLines } from "./diff-hunk-lines";

const DiffFileBody = dynamic(() => import("./diff-file-body"), {
  ssr: false,
  loading: () => <div className="h-16 animate-pulse bg-card" />,
});

export type DiffComment = { path: string; side: "old" | "new"; line: number; endLine?: number; excerpt?: string; body: string };

export type DiffReviewActions = {
  revertFile(file: DiffFile): void;
  revertHunk(file: DiffFile, hunkIndex: number, hunkHeader: string): void;
  addComment(comment: DiffComment): Promise<unknown>;
  /** Fetches one file's patch (paged lists leave them out). */
  loadFile(file: DiffFile): Promise<DiffFile | null>;
};

export function DiffHunks({ file, mode, review }: { file: DiffFile; mode: "unified" | "split"; review: DiffReviewActions }) {
  const { header, hunks } = splitPatch(file.patch);
  return (
    <div className="flex flex-col">
      {hunks.map((hunk, index) => (
        <Hunk key={index} file={file} header={header} hunk={hunk} index={index} mode={mode} review={review} />
      ))}
    </div>
  );
}

function Hunk({ file, header, hunk, index, mode, review }: { file: DiffFile; header: string; hunk: string; index: number; mode: "unified" | "split"; review: DiffReviewActions }) {
  const hunkHeader = hunk.split("\n", 1)[0]!;
  const range = hunkLineRange(hunk);
  const [commenting, setCommenting] = useState(false);
  return (
    <div data-testid="diff-hunk" data-hunk-index={index} className="border-b border-border last:border-b-0">
      <div className="flex items-center gap-3 bg-accent/30 px-3 py-1 text-xs text-muted-foreground">
        <span className="truncate font-mono">{hunkHeader}</span>
        <button type="button" data-testid="comment-hunk" onClick={() => setCommenting(!commenting)} className="ml-auto hover:text-foreground">
          Comment
        </button>
        <button type="button" data-testid="revert-hunk" onClick={() => review.revertHunk(file, index, hunkHeader)} className="hover:text-danger">
          Revert hunk
        </button>
      </div>
      {commenting && <CommentForm file={file} hunk={hunk} defaultLine={range.first} onDone={() => setCommenting(false)} review={review} />}
      <DiffFileBody path={file.path} oldPath={file.oldPath} patch={header + hunk} language={languageForPath(file.path)} mode={mode} />
    </div>
  );
}

function CommentForm({ file, hunk, defaultLine, onDone, review }: { file: DiffFile; hunk: string; defaultLine: number; onDone: () => void; review: DiffReviewActions }) {
  const [line, setLine] = useState(String(defaultLine));
  const [endLine, setEndLine] = useState("");
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const first = Number(line);
    const last = endLine ? Number(endLine) : undefined;
    if (!Number.isInteger(first) || first < 1) return setError("Enter a line number");
    const excerpt = hunkNewLines(hunk, first, last ?? first).join("\n") || undefined;
    try {
      await review.addComment({ path: file.path, side: "new", line: first, endLine: last, excerpt, body });
      onDone();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <div data-testid="comment-form" className="flex flex-col gap-2 border-b border-border bg-card px-3 py-2 text-xs">
      <div className="flex items-center gap-2">
        <label className="flex items-center gap-1">
          Line
          <input data-testid="comment-line" value={line} onChange={(event) => setLine(event.target.value)} className="w-16 rounded border border-border bg-background px-1" />
        </label>
        <label className="flex items-center gap-1">
          to
          <input data-testid="comment-end-line" value={endLine} onChange={(event) => setEndLine(event.target.value)} placeholder="(one line)" className="w-20 rounded border border-border bg-background px-1" />
        </label>
      </div>
      <textarea data-testid="comment-body" value={body} onChange={(event) => setBody(event.target.value)} rows={3} placeholder="What should the agent change here?" className="rounded border border-border bg-background p-2" />
      {error && <p className="text-danger" data-testid="comment-error">{error}</p>}
      <div className="flex gap-2">
        <button type="button" data-testid="comment-save" onClick={() => void submit()} className="rounded bg-accent px-2 py-1 text-foreground">
          Add comment
        </button>
        <button type="button" onClick={onDone} className="px-2 py-1">
          Cancel
        </button>
      </div>
    </div>
  );
}
