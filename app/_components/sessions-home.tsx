"use client";
// The front page: what to do first (provider, engine), a new-session form, every session.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/react";
import { StatusBadge } from "@/components/status-badge";
import { EngineBanner } from "@/components/engine-banner";

export function SessionsHome() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions());
  const sessions = useQuery({ ...trpc.sessions.list.queryOptions(), refetchInterval: 5_000 });

  return (
    <main className="mx-auto max-w-4xl space-y-8 p-6">
      {status.data && !status.data.hasProvider && (
        <div data-testid="setup-provider-banner" className="rounded-lg border border-warning/40 bg-warning/10 p-4 text-sm">
          <strong>No model provider yet.</strong> The agent needs one to work: add Anthropic, OpenAI or any OpenAI-compatible
          server (such as a local Ollama) in{" "}
          <Link href="/settings" className="underline">Settings</Link>.
        </div>
      )}
      <EngineBanner className="rounded-lg" />
      <NewSessionForm />
      <section>
        <h2 className="mb-3 text-sm font-medium text-muted-foreground">Sessions</h2>
        {sessions.data?.length === 0 && <p className="text-sm text-muted-foreground">No sessions yet.</p>}
        <ul className="divide-y divide-border rounded-lg border border-border" data-testid="session-list">
          {sessions.data?.map((session) => (
            <li key={session.id}>
              <Link href={`/sessions/${session.id}`} className="flex items-center gap-3 px-4 py-3 hover:bg-muted" data-testid="session-row">
                <span className="flex-1 truncate">{session.title}</span>
                <span className="truncate text-xs text-muted-foreground">{session.repoUrl ?? "empty workspace"}</span>
                <StatusBadge status={session.status} />
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

function NewSessionForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [kind, setKind] = useState<"empty" | "git">("empty");
  const [url, setUrl] = useState("");
  const [title, setTitle] = useState("");
  // The server's images, the default first; empty until the list arrives (the server then uses its default).
  const images = useQuery(trpc.sessions.images.queryOptions());
  const [image, setImage] = useState("");
  const create = useMutation(
    trpc.sessions.create.mutationOptions({ onSuccess: ({ id }) => router.push(`/sessions/${id}`) }),
  );
  return (
    <form
      className="space-y-3 rounded-lg border border-border bg-card p-4"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate({ title: title || undefined, source: kind === "git" ? { kind, url } : { kind }, image: image || undefined });
      }}
    >
      <h2 className="font-medium">New session</h2>
      <div className="flex gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input type="radio" checked={kind === "empty"} onChange={() => setKind("empty")} data-testid="source-empty" /> Empty workspace
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" checked={kind === "git"} onChange={() => setKind("git")} data-testid="source-git" /> Clone a git repository
        </label>
      </div>
      {images.data && images.data.length > 1 && (
        <label className="flex items-center gap-2 text-sm">
          <span className="text-muted-foreground">Sandbox image</span>
          <select
            data-testid="session-image-select"
            value={image || images.data[0]?.image}
            onChange={(event) => setImage(event.target.value)}
            className="rounded-md border border-input bg-background px-2 py-1 text-sm"
          >
            {images.data.map((option) => (
              <option key={option.image} value={option.image}>
                {option.label === option.image ? option.image : `${option.label} (${option.image})`}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === "git" && (
        <input
          data-testid="repo-url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="https://github.com/owner/repo.git"
          className="w-full rounded-md border border-input bg-background px-3 py-2 text-sm"
        />
      )}
      <div className="flex gap-2">
        <input
          data-testid="session-title-input"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          placeholder="Title (optional)"
          className="flex-1 rounded-md border border-input bg-background px-3 py-2 text-sm"
        />
        <button type="submit" data-testid="create-session" disabled={create.isPending} className="rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground disabled:opacity-50">
          {create.isPending ? "Creating…" : "Create session"}
        </button>
      </div>
      {create.error && <p className="text-sm text-danger" data-testid="create-error">{create.error.message}</p>}
    </form>
  );
}
