"use client";
// Taking the work out of the sandbox: commit, download the patch, push a branch (with a stored
// credential), open or update the pull request. Each shows its result or the remote's error.
// Opening the commit form asks the session's model for a message (once per change, never mid-turn);
// it fills the field unless the user has typed there, and says who drafted it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/react";
import type { CommitMessageDraft } from "@/server/review/commit-message";

export function ReviewActions({ sessionId, running, onChanged }: { sessionId: string; running: boolean; onChanged: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remote = useQuery(trpc.review.remote.queryOptions({ sessionId }));
  const [commitOpen, setCommitOpen] = useState(false);
  const draft = useQuery({ ...trpc.review.draftCommitMessage.queryOptions({ sessionId }), enabled: commitOpen && !running });
  const [message, setMessage] = useState("");
  /** The user typed in the field: no draft replaces their text (only "Redraft" does, on request). */
  const [edited, setEdited] = useState(false);
  const [shownDraft, setShownDraft] = useState<CommitMessageDraft | null>(null);
  const [redrafting, setRedrafting] = useState<{ pending: boolean; error?: string }>({ pending: false });
  const [remoteUrl, setRemoteUrl] = useState("");
  const [branch, setBranch] = useState(`pincer/${sessionId.slice(0, 8)}`);
  const [force, setForce] = useState(false);
  const [username, setUsername] = useState("");
  const [secret, setSecret] = useState("");
  const [forge, setForge] = useState<"none" | "github" | "gitlab">("none");
  const [apiBaseUrl, setApiBaseUrl] = useState("");
  const [prTitle, setPrTitle] = useState("");
  const [patchError, setPatchError] = useState<string | null>(null);

  // Each draft is offered once, when it arrives: one that lands while the user has typed is dropped.
  const offered = useRef<CommitMessageDraft | undefined>(undefined);
  useEffect(() => {
    // While a refetch runs, the data is the previous change's draft.
    if (!draft.data || draft.isFetching || offered.current === draft.data) return;
    offered.current = draft.data;
    if (edited) return;
    setMessage(draft.data.message);
    setShownDraft(draft.data);
  }, [draft.data, draft.isFetching, edited]);
  useEffect(() => {
    if (remote.data?.remoteUrl && remoteUrl === "") setRemoteUrl(remote.data.remoteUrl);
    if (remote.data?.branch) setBranch(remote.data.branch);
  }, [remote.data, remoteUrl]);

  const commit = useMutation(
    trpc.review.commit.mutationOptions({
      onSuccess: () => {
        setCommitOpen(false);
        setMessage("");
        setEdited(false);
        setShownDraft(null);
        // That draft was for the change just committed.
        queryClient.removeQueries({ queryKey: trpc.review.draftCommitMessage.queryKey({ sessionId }) });
        onChanged();
      },
    }),
  );
  const saveCredential = useMutation(trpc.review.saveCredential.mutationOptions({ onSuccess: () => setSecret("") }));
  const push = useMutation(trpc.review.push.mutationOptions({ onSuccess: () => void remote.refetch() }));
  const openPr = useMutation(trpc.review.openPullRequest.mutationOptions({ onSuccess: () => void remote.refetch() }));

  const downloadPatch = async () => {
    setPatchError(null);
    try {
      const { filename, patch } = await queryClient.fetchQuery({ ...trpc.review.patch.queryOptions({ sessionId }), staleTime: 0 });
      const url = URL.createObjectURL(new Blob([patch], { type: "text/x-patch" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
    } catch (error) {
      setPatchError(error instanceof Error ? error.message : String(error));
    }
  };

  /** Another model draft of the same change, on request: replaces the field. */
  const redraft = async () => {
    setRedrafting({ pending: true });
    try {
      const result = await queryClient.fetchQuery({ ...trpc.review.draftCommitMessage.queryOptions({ sessionId, fresh: true }), staleTime: 0 });
      setMessage(result.message);
      setEdited(false);
      setShownDraft(result);
      setRedrafting({ pending: false });
    } catch (error) {
      setRedrafting({ pending: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  const subjectLine = message.split("\n")[0]!.trim();
  const input = "rounded border border-border bg-background px-2 py-1";
  const button = "rounded bg-accent px-2 py-1 text-foreground disabled:opacity-50";

  return (
    <section className="flex flex-col gap-3 border-b border-border px-3 py-2 text-xs" data-testid="review-actions">
      <div className="flex flex-wrap items-center gap-2">
        {!commitOpen && (
          <button type="button" data-testid="open-commit-form" onClick={() => setCommitOpen(true)} className={button}>
            Commit…
          </button>
        )}
        <button type="button" data-testid="download-patch" onClick={() => void downloadPatch()} className={button}>
          Download patch
        </button>
      </div>
      {commitOpen && (
        <div data-testid="commit-form" className="flex flex-col gap-2">
          <textarea
            data-testid="commit-message"
            value={message}
            onChange={(event) => {
              setMessage(event.target.value);
              setEdited(true);
            }}
            rows={6}
            placeholder={draft.isFetching ? "Drafting a message with the session's model… (type to write your own)" : "Commit message"}
            className={`${input} font-mono`}
          />
          <div className="flex flex-wrap items-center gap-2">
            <DraftStatus running={running} drafting={draft.isFetching || redrafting.pending} draft={shownDraft} showingDraft={shownDraft !== null && message === shownDraft.message} />
            <span className="flex-1" />
            <button type="button" data-testid="draft-commit-message" disabled={running || draft.isFetching || redrafting.pending} onClick={() => void redraft()} className={button}>
              {redrafting.pending ? "Drafting…" : "Redraft"}
            </button>
            <button type="button" data-testid="commit-button" disabled={commit.isPending || message.trim() === ""} onClick={() => commit.mutate({ sessionId, message })} className={button}>
              Commit
            </button>
            <button type="button" data-testid="commit-cancel" onClick={() => setCommitOpen(false)} className={button}>
              Cancel
            </button>
          </div>
          {draft.error && <p data-testid="commit-draft-error" className="text-danger">{draft.error.message}</p>}
          {redrafting.error && <p data-testid="commit-draft-error" className="text-danger">{redrafting.error}</p>}
        </div>
      )}
      {commit.data && <p data-testid="commit-result" className="text-success">Committed {commit.data.commit.slice(0, 8)} on {commit.data.branch || "detached HEAD"}.</p>}
      {commit.error && <p data-testid="commit-error" className="text-danger">{commit.error.message}</p>}
      {patchError && <p data-testid="patch-error" className="text-danger">{patchError}</p>}

      <div className="flex flex-wrap items-center gap-2">
        <input data-testid="push-remote" value={remoteUrl} onChange={(event) => setRemoteUrl(event.target.value)} placeholder="https://host/owner/repo.git" className={`${input} min-w-64 flex-1`} />
        <input data-testid="push-branch" value={branch} onChange={(event) => setBranch(event.target.value)} className={`${input} w-44`} />
        <label className="flex items-center gap-1">
          <input type="checkbox" data-testid="push-force" checked={force} onChange={(event) => setForce(event.target.checked)} />
          force
        </label>
        <button type="button" data-testid="push-button" disabled={push.isPending} onClick={() => push.mutate({ sessionId, remoteUrl, branch, force })} className={button}>
          {push.isPending ? "Pushing…" : "Push branch"}
        </button>
      </div>
      {push.data && (
        <p data-testid="push-result" className="text-success">
          Pushed {push.data.commit.slice(0, 8)} to {push.data.branch}.{push.data.uncommittedChanges ? " Uncommitted changes were not pushed: commit them first." : ""}
        </p>
      )}
      {push.error && <pre data-testid="push-error" className="whitespace-pre-wrap text-danger">{push.error.message}</pre>}

      <details data-testid="credential-form">
        <summary className="cursor-pointer text-muted-foreground">Git credential for this remote (stored encrypted, never given to the agent)</summary>
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <input data-testid="credential-username" value={username} onChange={(event) => setUsername(event.target.value)} placeholder="user name" className={`${input} w-32`} />
          <input data-testid="credential-secret" type="password" value={secret} onChange={(event) => setSecret(event.target.value)} placeholder="token or password" className={`${input} w-40`} />
          <select data-testid="credential-forge" value={forge} onChange={(event) => setForge(event.target.value as typeof forge)} className={input}>
            <option value="none">no PR API</option>
            <option value="github">GitHub / Gitea / Forgejo</option>
            <option value="gitlab">GitLab</option>
          </select>
          <input data-testid="credential-api" value={apiBaseUrl} onChange={(event) => setApiBaseUrl(event.target.value)} placeholder="API URL (self-hosted)" className={`${input} w-48`} />
          <button
            type="button"
            data-testid="credential-save"
            onClick={() => saveCredential.mutate({ remoteUrl, username, secret, forge, apiBaseUrl: apiBaseUrl || undefined })}
            className={button}
          >
            Save credential
          </button>
        </div>
        {saveCredential.data && <p data-testid="credential-saved" className="text-success">Saved for {saveCredential.data.host}.</p>}
        {saveCredential.error && <p data-testid="credential-error" className="text-danger">{saveCredential.error.message}</p>}
      </details>

      <div className="flex flex-wrap items-center gap-2">
        <input data-testid="pr-title" value={prTitle} onChange={(event) => setPrTitle(event.target.value)} placeholder={subjectLine || "Pull request title"} className={`${input} min-w-64 flex-1`} />
        <button type="button" data-testid="open-pr" disabled={openPr.isPending || !remote.data?.branch} onClick={() => openPr.mutate({ sessionId, title: prTitle || subjectLine || "Changes from Pincer", body: "" })} className={button}>
          {remote.data?.pullRequestNumber ? "Update pull request" : "Open pull request"}
        </button>
        {remote.data?.pullRequestUrl && (
          <a data-testid="pr-link" href={remote.data.pullRequestUrl} target="_blank" rel="noreferrer" className="text-info underline">
            #{remote.data.pullRequestNumber}
          </a>
        )}
      </div>
      {openPr.error && <p data-testid="pr-error" className="text-danger">{openPr.error.message}</p>}
    </section>
  );
}

/** Where the message in the field came from: the model (by name), or the file list and why. */
function DraftStatus({ running, drafting, draft, showingDraft }: { running: boolean; drafting: boolean; draft: CommitMessageDraft | null; showingDraft: boolean }) {
  if (running) return <span data-testid="commit-draft-status" className="text-muted-foreground">The agent is working; the model drafts a message when the turn ends.</span>;
  if (drafting) return <span data-testid="commit-draft-status" className="text-muted-foreground">Drafting with the session&apos;s model…</span>;
  if (!draft || !showingDraft) return null;
  if (draft.source === "model") {
    return (
      <span data-testid="commit-draft-source" className="text-info">
        Drafted by {draft.model}: edit it before committing.
      </span>
    );
  }
  return draft.note ? (
    <span data-testid="commit-draft-note" className="text-warning">
      {draft.note}
    </span>
  ) : null;
}
