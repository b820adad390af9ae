"use client";
// "Continue with <provider>" for each configured OIDC / GitHub provider: better-auth answers with
// the provider's authorize URL and the browser goes there. An invitation rides along in a header
// (kept in better-auth's OAuth state) so a new account can join through it.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/react";

/** Where the provider flow ends: `callbackPath` on success, `errorPath` with ?error=… otherwise. */
export function ProviderButtons({ callbackPath, errorPath, invite }: { callbackPath: string; errorPath: string; invite?: string }) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.system.signInProviders.queryOptions());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!providers.data?.length) return null;

  const start = async (provider: string) => {
    setBusy(true);
    setError(null);
    const response = await fetch("/api/auth/sign-in/social", {
      method: "POST",
      headers: { "content-type": "application/json", ...(invite ? { "x-pincer-invite": invite } : {}) },
      body: JSON.stringify({ provider, callbackURL: callbackPath, errorCallbackURL: errorPath }),
    }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as { url?: string; message?: string } | null;
    if (response?.ok && body?.url) return window.location.assign(body.url);
    setBusy(false);
    setError(body?.message ?? "Could not reach the server.");
  };

  return (
    <div className="space-y-2">
      {providers.data.map((provider) => (
        <button key={provider.id} type="button" disabled={busy} data-testid={`continue-with-${provider.id}`} onClick={() => void start(provider.id)}
          className="w-full rounded-md border border-border px-4 py-2 text-sm font-medium hover:bg-muted disabled:opacity-50">
          Continue with {provider.name}
        </button>
      ))}
      {error && <p className="text-sm text-danger" data-testid="provider-error">{error}</p>}
    </div>
  );
}
