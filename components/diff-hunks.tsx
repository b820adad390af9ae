"use client";
// Review mode of one file's patch: each hunk drawn on its own with a toolbar to comment on its
// lines or revert just that hunk; clicking a line number (shift-click: a range) opens the comment
// box on those lines. Hunks are counted as the server counts them (server/review/hunks).

import dynamic from "next/dynamic";
import { useState } from "react";
import type { DiffFile } from "@/server/workspace/diff-types";
import { splitPatch } from "@/server/review/hunks";
import { languageForPath } from "./file-language";
import { hunkLineRange, hunkSideLines, selectLines, type LineSelection } from "./diff-hunk-lines";

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
  // null: no comment box; otherwise the lines it is about (a toolbar click starts at the hunk's first line).
  const [selection, setSelection] = useState<LineSelection | null>(null);
  // Remounts the form when a click picks new lines, so its fields show them.
  const [formKey, setFormKey] = useState(0);
  const select = (next: LineSelection | null) => {
    setSelection(next);
    setFormKey((key) => key + 1);
  };
  return (
    <div data-testid="diff-hunk" data-hunk-index={index} className="border-b border-border last:border-b-0">
      <div className="flex items-center gap-3 bg-accent/30 px-3 py-1 text-xs text-muted-foreground">
        <span className="truncate font-mono">{hunkHeader}</span>
        <span className="hidden text-muted-foreground/70 md:inline">click a line number to comment, shift-click for a range</span>
        <button type="button" data-testid="comment-hunk" onClick={() => select(selection ? null : { side: "new", line: range.first })} className="ml-auto hover:text-foreground">
          Comment
        </button>
        <button type="button" data-testid="revert-hunk" onClick={() => review.revertHunk(file, index, hunkHeader)} className="hover:text-danger">
          Revert hunk
        </button>
      </div>
      {selection && <CommentForm key={formKey} file={file} hunk={hunk} selection={selection} onDone={() => select(null)} review={review} />}
      <DiffFileBody
        path={file.path}
        oldPath={file.oldPath}
        patch={header + hunk}
        language={languageForPath(file.path)}
        mode={mode}
        onLineClick={(line, shift) => select(selectLines(selection, line, shift))}
      />
    </div>
  );
}

function CommentForm({ file, hunk, selection, onDone, review }: { file: DiffFile; hunk: string; selection: LineSelection; onDone: () => void; review: DiffReviewActions }) {
  const [line, setLine] = useState(String(selection.line));
  const [endLine, setEndLine] = useState(selection.endLine ? String(selection.endLine) : "");
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const side = selection.side;
  const submit = async () => {
    const first = Number(line);
    const last = endLine ? Number(endLine) : undefined;
    if (!Number.isInteger(first) || first < 1) return setError("Enter a line number");
    if (last !== undefined && (!Number.isInteger(last) || last < first)) return setError("The range must end at or after its first line");
    const excerpt = hunkSideLines(hunk, side, first, last ?? first).join("\n") || undefined;
    try {
      await review.addComment({ path: file.path, side, line: first, endLine: last, excerpt, body });
      onDone();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <div data-testid="comment-form" data-side={side} className="flex flex-col gap-2 border-b border-border bg-card px-3 py-2 text-xs">
      <div className="flex items-center gap-2">
        {side === "old" && <span className="text-danger">removed lines (old version)</span>}
        <label className="flex items-center gap-1">
          Line
          <input data-testid="comment-line" value={line} onChange={(event) => setLine(event.target.value)} className="w-16 rounded border border-border bg-background px-1" />
        </label>
        <label className="flex items-center gap-1">
          to
          <input data-testid="comment-end-line" value={endLine} onChange={(event) => setEndLine(event.target.value)} placeholder="(one line)" className="w-20 rounded border border-border bg-background px-1" />
        </label>
      </div>
      <textarea data-testid="comment-body" autoFocus value={body} onChange={(event) => setBody(event.target.value)} rows={3} placeholder="What should the agent change here?" className="rounded border border-border bg-background p-2" />
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
