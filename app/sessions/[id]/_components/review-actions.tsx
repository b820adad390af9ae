"use client";
// Taking the work out of the sandbox: commit, download the patch, push a branch (with a stored
// credential), open or update the pull request. Each shows its result or the remote's error.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/lib/trpc/react";

export function ReviewActions({ sessionId, onChanged }: { sessionId: string; onChanged: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remote = useQuery(trpc.review.remote.queryOptions({ sessionId }));
  // The prefill is the instant file-list draft; the model is asked only on "Draft with model".
  const draft = useQuery(trpc.review.draftCommitMessage.queryOptions({ sessionId, useModel: false }));
  const [message, setMessage] = useState("");
  const [remoteUrl, setRemoteUrl] = useState("");
  const [branch, setBranch] = useState(`pincer/${sessionId.slice(0, 8)}`);
  const [force, setForce] = useState(false);
  const [username, setUsername] = useState("");
  const [secret, setSecret] = useState("");
  const [forge, setForge] = useState<"none" | "github" | "gitlab">("none");
  const [apiBaseUrl, setApiBaseUrl] = useState("");
  const [prTitle, setPrTitle] = useState("");
  const [patchError, setPatchError] = useState<string | null>(null);
  const [drafting, setDrafting] = useState<{ pending: boolean; note?: string; error?: string }>({ pending: false });

  useEffect(() => {
    if (draft.data && message === "") setMessage(draft.data.message);
  }, [draft.data, message]);
  useEffect(() => {
    if (remote.data?.remoteUrl && remoteUrl === "") setRemoteUrl(remote.data.remoteUrl);
    if (remote.data?.branch) setBranch(remote.data.branch);
  }, [remote.data, remoteUrl]);

  const commit = useMutation(trpc.review.commit.mutationOptions({ onSuccess: onChanged }));
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

  const draftWithModel = async () => {
    setDrafting({ pending: true });
    try {
      const result = await queryClient.fetchQuery({ ...trpc.review.draftCommitMessage.queryOptions({ sessionId, useModel: true }), staleTime: 0 });
      setMessage(result.message);
      setDrafting({ pending: false, note: result.note });
    } catch (error) {
      setDrafting({ pending: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  const input = "rounded border border-border bg-background px-2 py-1";
  const button = "rounded bg-accent px-2 py-1 text-foreground disabled:opacity-50";

  return (
    <section className="flex flex-col gap-3 border-b border-border px-3 py-2 text-xs" data-testid="review-actions">
      <div className="flex flex-wrap items-center gap-2">
        <input data-testid="commit-message" value={message} onChange={(event) => setMessage(event.target.value)} placeholder="Commit message" className={`${input} min-w-64 flex-1`} />
        <button type="button" data-testid="draft-commit-message" disabled={drafting.pending} onClick={() => void draftWithModel()} className={button}>
          {drafting.pending ? "Drafting…" : "Draft with model"}
        </button>
        <button type="button" data-testid="commit-button" disabled={commit.isPending} onClick={() => commit.mutate({ sessionId, message })} className={button}>
          Commit
        </button>
        <button type="button" data-testid="download-patch" onClick={() => void downloadPatch()} className={button}>
          Download patch
        </button>
      </div>
      {drafting.note && <p data-testid="commit-draft-note" className="text-warning">{drafting.note}</p>}
      {drafting.error && <p data-testid="commit-draft-error" className="text-danger">{drafting.error}</p>}
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
        <input data-testid="pr-title" value={prTitle} onChange={(event) => setPrTitle(event.target.value)} placeholder={message || "Pull request title"} className={`${input} min-w-64 flex-1`} />
        <button type="button" data-testid="open-pr" disabled={openPr.isPending || !remote.data?.branch} onClick={() => openPr.mutate({ sessionId, title: prTitle || message || "Changes from Pincer", body: "" })} className={button}>
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
