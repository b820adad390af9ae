"use client";
// Model providers: the agent needs one. Keys are write-only from here: saved, never shown again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/react";

type Kind = "anthropic" | "openai" | "openai-responses" | "openai-compatible";

const defaults: Record<Kind, { model: string; baseUrl: string; hint: string }> = {
  anthropic: { model: "claude-sonnet-4-5", baseUrl: "", hint: "Your Anthropic API key (sk-ant-…)" },
  openai: { model: "gpt-5", baseUrl: "", hint: "Your OpenAI API key (sk-…)" },
  "openai-responses": { model: "gpt-5", baseUrl: "", hint: "Your OpenAI API key (sk-…)" },
  "openai-compatible": { model: "qwen3-coder", baseUrl: "http://localhost:11434/v1", hint: "API key, if the server needs one" },
};

export function ProviderSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const providers = useQuery(trpc.providers.list.queryOptions());
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.system.status.queryKey() });
  };
  const remove = useMutation(trpc.providers.remove.mutationOptions({ onSuccess: refresh }));
  const setDefault = useMutation(trpc.providers.setDefault.mutationOptions({ onSuccess: refresh }));

  return (
    <section className="space-y-4">
      <h2 className="font-medium">Model providers</h2>
      {providers.data?.length === 0 && (
        <p className="text-sm text-muted-foreground" data-testid="no-providers">
          No provider yet. Add one below; the first becomes the default for new turns.
        </p>
      )}
      <ul className="divide-y divide-border rounded-lg border border-border" data-testid="provider-list">
        {providers.data?.map((provider) => (
          <li key={provider.id} className="flex items-center gap-3 px-4 py-3 text-sm" data-testid="provider-row">
            <span className="font-medium">{provider.label}</span>
            <span className="text-muted-foreground">{provider.kind}</span>
            <span className="font-mono text-xs">{provider.model}</span>
            {provider.baseUrl && <span className="truncate text-xs text-muted-foreground">{provider.baseUrl}</span>}
            <span className="ml-auto flex gap-2">
              {provider.isDefault ? (
                <span className="text-xs text-success">default</span>
              ) : (
                <button type="button" className="text-xs underline" onClick={() => setDefault.mutate({ id: provider.id })}>
                  Make default
                </button>
              )}
              <button type="button" className="text-xs text-danger underline" onClick={() => remove.mutate({ id: provider.id })}>
                Remove
              </button>
            </span>
          </li>
        ))}
      </ul>
      <ProviderForm onSaved={refresh} />
    </section>
  );
}

function ProviderForm({ onSaved }: { onSaved: () => void }) {
  const trpc = useTRPC();
  const [kind, setKind] = useState<Kind>("anthropic");
  const [model, setModel] = useState(defaults.anthropic.model);
  const [baseUrl, setBaseUrl] = useState("");
  const [apiKey, setApiKey] = useState("");
  const save = useMutation(
    trpc.providers.save.mutationOptions({
      onSuccess: () => {
        setApiKey("");
        onSaved();
      },
    }),
  );
  const choose = (next: Kind) => {
    setKind(next);
    setModel(defaults[next].model);
    setBaseUrl(defaults[next].baseUrl);
  };
  return (
    <form
      className="space-y-3 rounded-lg border border-border bg-card p-4 text-sm"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate({ kind, model, baseUrl, apiKey });
      }}
    >
      <h3 className="font-medium">Add a provider</h3>
      <label className="block">
        <span className="text-muted-foreground">Provider</span>
        <select data-testid="provider-kind" value={kind} onChange={(event) => choose(event.target.value as Kind)} className="mt-1 w-full rounded-md border border-input bg-background px-3 py-2">
          <option value="anthropic">Anthropic</option>
          <option value="openai">OpenAI</option>
          <option value="openai-responses">OpenAI (Responses API)</option>
          <option value="openai-compatible">OpenAI-compatible (Ollama, vLLM, llama.cpp, OpenRouter…)</option>
        </select>
      </label>
      <label className="block">
        <span className="text-muted-foreground">Base URL {kind === "openai-compatible" ? "" : "(optional, for a proxy)"}</span>
        <input data-testid="provider-base-url" value={baseUrl} onChange={(event) => setBaseUrl(event.target.value)} placeholder={kind === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1"} className="mt-1 w-full rounded-md border border-input bg-background px-3 py-2" />
      </label>
      <label className="block">
        <span className="text-muted-foreground">API key</span>
        <input data-testid="provider-api-key" type="password" autoComplete="off" value={apiKey} onChange={(event) => setApiKey(event.target.value)} placeholder={defaults[kind].hint} className="mt-1 w-full rounded-md border border-input bg-background px-3 py-2" />
      </label>
      <label className="block">
        <span className="text-muted-foreground">Model</span>
        <input data-testid="provider-model" value={model} onChange={(event) => setModel(event.target.value)} className="mt-1 w-full rounded-md border border-input bg-background px-3 py-2 font-mono" />
      </label>
      {save.error && <p className="text-danger" data-testid="provider-error">{save.error.message}</p>}
      {save.isSuccess && <p className="text-success" data-testid="provider-saved">Saved. New turns use the default provider.</p>}
      <button type="submit" data-testid="provider-save" disabled={save.isPending} className="rounded-md bg-primary px-4 py-2 font-medium text-primary-foreground disabled:opacity-50">
        Save provider
      </button>
    </form>
  );
}
