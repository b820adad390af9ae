"use client";
// The review side of a session: pick what to compare (this turn, since start, between
// checkpoints), read the diff with comments and reverts, rewind to a checkpoint, and take the work
// out (commit, patch, push, pull request). Every result and error stays visible in the panel.
import dynamic from "next/dynamic";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/react";
import type { DiffReviewActions } from "@/components/diff-view";
import type { DiffFile } from "@/server/workspace/diff-types";
import { ReviewActions } from "./review-actions";
import { scopeFromChoice, type ScopeChoice } from "./review-scope";

const DiffView = dynamic(() => import("@/components/diff-view").then((m) => m.DiffView), { ssr: false, loading: () => <Note text="Loading diff…" /> });

export function ReviewPanel({ sessionId, lastChange, running }: { sessionId: string; lastChange: number; running: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<ScopeChoice>({ kind: "start", from: 0, to: null });
  const [page, setPage] = useState(0);
  const [notice, setNotice] = useState<{ kind: "ok" | "error"; text: string; testId: string } | null>(null);
  const scope = scopeFromChoice(choice);

  const checkpoints = useQuery(trpc.review.checkpoints.queryOptions({ sessionId }));
  const diff = useQuery(trpc.review.diff.queryOptions({ sessionId, scope, page }));
  const comments = useQuery(trpc.review.comments.queryOptions({ sessionId }));

  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.review.pathKey() });
  }, [queryClient, trpc]);

  // Follow the agent: a finished tool or turn may have changed the workspace.
  const seen = useRef(lastChange);
  useEffect(() => {
    if (seen.current === lastChange) return;
    seen.current = lastChange;
    refresh();
  }, [lastChange, refresh]);

  const onError = (testId: string) => (error: { message: string }) => setNotice({ kind: "error", text: error.message, testId });
  const revertFile = useMutation(trpc.review.revertFile.mutationOptions({ onSuccess: refresh, onError: onError("revert-error") }));
  const revertHunk = useMutation(trpc.review.revertHunk.mutationOptions({ onSuccess: refresh, onError: onError("revert-error") }));
  const addComment = useMutation(trpc.review.addComment.mutationOptions({ onSuccess: refresh }));
  const deleteComment = useMutation(trpc.review.deleteComment.mutationOptions({ onSuccess: refresh }));
  const sendComments = useMutation(
    trpc.review.sendComments.mutationOptions({
      onSuccess: (result) => {
        setNotice({ kind: "ok", text: `Sent ${result.sent} comment(s) to the agent.`, testId: "comments-sent" });
        refresh();
      },
      onError: onError("comments-error"),
    }),
  );
  const rewind = useMutation(
    trpc.review.rewind.mutationOptions({
      onSuccess: (result) => {
        setNotice({ kind: "ok", text: result.message, testId: "rewind-result" });
        refresh();
      },
      onError: onError("rewind-error"),
    }),
  );

  const review: DiffReviewActions = useMemo(
    () => ({
      revertFile: (file: DiffFile) => revertFile.mutate({ sessionId, scope, path: file.path, oldPath: file.oldPath }),
      revertHunk: (file: DiffFile, hunkIndex: number, hunkHeader: string) => revertHunk.mutate({ sessionId, scope, path: file.path, oldPath: file.oldPath, hunkIndex, hunkHeader }),
      addComment: (comment) => addComment.mutateAsync({ sessionId, ...comment }),
      loadFile: (file: DiffFile) => queryClient.fetchQuery(trpc.review.diffFile.queryOptions({ sessionId, scope, path: file.path, oldPath: file.oldPath })),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [sessionId, JSON.stringify(scope), queryClient, trpc],
  );

  const list = checkpoints.data?.checkpoints ?? [];
  const pages = diff.data ? Math.ceil(diff.data.total / diff.data.pageSize) : 0;

  return (
    <div className="flex h-full flex-col overflow-auto" data-testid="review-panel">
      <div className="flex flex-wrap items-center gap-2 border-b border-border px-3 py-2 text-sm">
        <label className="flex items-center gap-1">
          Show
          <select
            data-testid="review-scope"
            value={choice.kind}
            onChange={(event) => {
              setPage(0);
              setChoice({ ...choice, kind: event.target.value as ScopeChoice["kind"] });
            }}
            className="rounded border border-border bg-background px-1"
          >
            <option value="turn">this turn</option>
            <option value="start">since start</option>
            <option value="range">between checkpoints</option>
          </select>
        </label>
        {choice.kind === "range" && (
          <>
            <CheckpointSelect testId="scope-from" value={choice.from} numbers={list.map((c) => c.number)} onChange={(from) => setChoice({ ...choice, from: from ?? 0 })} />
            <span>→</span>
            <CheckpointSelect testId="scope-to" value={choice.to} numbers={list.map((c) => c.number)} allowWorkingTree onChange={(to) => setChoice({ ...choice, to })} />
          </>
        )}
        {running && <span className="text-xs text-warning">The agent is working; the diff follows it.</span>}
      </div>

      {notice && (
        <p data-testid={notice.testId} className={`border-b border-border px-3 py-2 text-xs ${notice.kind === "error" ? "text-danger" : "text-success"}`}>
          {notice.text}
          <button type="button" className="ml-2 text-muted-foreground" onClick={() => setNotice(null)}>
            ×
          </button>
        </p>
      )}

      <section className="border-b border-border px-3 py-2 text-xs" data-testid="checkpoint-list">
        <h2 className="mb-1 font-medium text-foreground">Checkpoints</h2>
        <ol className="flex flex-col gap-1">
          <CheckpointRow number={0} label="Start of the session" abandoned={false} onRewind={() => rewind.mutate({ sessionId, toCheckpoint: 0 })} disabled={running || rewind.isPending} />
          {list.map((checkpoint) => (
            <CheckpointRow
              key={checkpoint.number}
              number={checkpoint.number}
              label={`${checkpoint.reason === "pre_rewind" ? "Saved before a rewind" : `After turn ${checkpoint.turn}`} · ${checkpoint.files} file(s) +${checkpoint.additions} -${checkpoint.deletions}`}
              abandoned={checkpoint.abandoned}
              onRewind={() => rewind.mutate({ sessionId, toCheckpoint: checkpoint.number })}
              disabled={running || rewind.isPending}
            />
          ))}
        </ol>
      </section>

      {(comments.data?.length ?? 0) > 0 && (
        <section className="border-b border-border px-3 py-2 text-xs" data-testid="pending-comments">
          <h2 className="mb-1 font-medium text-foreground">Comments to send ({comments.data!.length})</h2>
          <ul className="flex flex-col gap-1">
            {comments.data!.map((comment) => (
              <li key={comment.id} data-testid="pending-comment" className="flex gap-2">
                <span className="font-mono">
                  {comment.path}:{comment.line}
                  {comment.endLine ? `-${comment.endLine}` : ""}
                </span>
                <span className="flex-1 truncate">{comment.body}</span>
                <button type="button" onClick={() => deleteComment.mutate({ sessionId, id: comment.id })} className="text-muted-foreground hover:text-danger">
                  Delete
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            data-testid="send-comments"
            disabled={sendComments.isPending || running}
            onClick={() => sendComments.mutate({ sessionId })}
            className="mt-2 rounded bg-accent px-2 py-1 text-foreground disabled:opacity-50"
          >
            Send comments to agent
          </button>
        </section>
      )}

      <ReviewActions sessionId={sessionId} running={running} onChanged={refresh} />

      <div className="p-3">
        {diff.error && <Note text={`Could not read the changes: ${diff.error.message}`} testId="diff-error" />}
        {!diff.data && !diff.error && <Note text="Reading changes…" />}
        {diff.data && (
          <>
            <DiffView
              diff={{ baseCommit: diff.data.scope.from, files: diff.data.files }}
              review={review}
              scopeLabel={`${diff.data.scope.fromLabel} → ${diff.data.scope.toLabel}${diff.data.total > diff.data.files.length ? ` · files ${page * diff.data.pageSize + 1}-${page * diff.data.pageSize + diff.data.files.length} of ${diff.data.total}` : ""}`}
            />
            {pages > 1 && (
              <div className="mt-2 flex items-center gap-2 text-xs" data-testid="diff-pager">
                <button type="button" data-testid="diff-prev-page" disabled={page === 0} onClick={() => setPage(page - 1)} className="rounded border border-border px-2 py-1 disabled:opacity-50">
                  Previous
                </button>
                <span>
                  Page {page + 1} of {pages}
                </span>
                <button type="button" data-testid="diff-next-page" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)} className="rounded border border-border px-2 py-1 disabled:opacity-50">
                  Next
                </button>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}

function CheckpointRow({ number, label, abandoned, onRewind, disabled }: { number: number; label: string; abandoned: boolean; onRewind: () => void; disabled: boolean }) {
  return (
    <li data-testid="checkpoint" data-number={number} data-abandoned={abandoned} className={`flex items-center gap-2 ${abandoned ? "opacity-50" : ""}`}>
      <span className="font-mono">#{number}</span>
      <span className="flex-1 truncate" title={abandoned ? "Rewound away: kept as history" : undefined}>
        {label}
        {abandoned ? " (rewound away)" : ""}
      </span>
      {!abandoned && (
        <button type="button" data-testid="rewind-button" disabled={disabled} onClick={onRewind} className="rounded border border-border px-2 py-0.5 hover:text-warning disabled:opacity-50">
          Rewind here
        </button>
      )}
    </li>
  );
}

function CheckpointSelect({ testId, value, numbers, allowWorkingTree, onChange }: { testId: string; value: number | null; numbers: number[]; allowWorkingTree?: boolean; onChange: (value: number | null) => void }) {
  return (
    <select
      data-testid={testId}
      value={value === null ? "worktree" : String(value)}
      onChange={(event) => onChange(event.target.value === "worktree" ? null : Number(event.target.value))}
      className="rounded border border-border bg-background px-1"
    >
      <option value="0">start</option>
      {numbers.map((number) => (
        <option key={number} value={number}>
          checkpoint {number}
        </option>
      ))}
      {allowWorkingTree && <option value="worktree">working tree</option>}
    </select>
  );
}

function Note({ text, testId }: { text: string; testId?: string }) {
  return (
    <p className="p-4 text-sm text-muted-foreground" data-testid={testId}>
      {text}
    </p>
  );
}
