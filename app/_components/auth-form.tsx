"use client";
// Sign-in and sign-up: plain posts to better-auth (/api/auth/*), which sets the session cookie;
// above the form, a button per configured OIDC / GitHub provider.
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ProviderButtons } from "./provider-buttons";

type Mode = "sign-in" | "sign-up";

/** Only paths on this site: `next` must not send a fresh sign-in elsewhere. */
const safeNext = (next: string | null) => (next && next.startsWith("/") && !next.startsWith("//") ? next : "/");

/** providerError: what a provider sign-in that failed came back with (providerErrorMessage). */
export function AuthForm({ mode, invite, next, providerError }: { mode: Mode; invite?: string; next?: string | null; providerError?: string | null }) {
  const [error, setError] = useState<string | null>(providerError ?? null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const body = mode === "sign-up" ? { name: form.get("name"), email: form.get("email"), password: form.get("password") } : { email: form.get("email"), password: form.get("password") };
    const response = await fetch(`/api/auth/${mode}/email`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(invite ? { "x-pincer-invite": invite } : {}) },
      body: JSON.stringify(body),
    }).catch(() => null);
    if (!response?.ok) {
      const detail = (await response?.json().catch(() => null)) as { message?: string } | null;
      setBusy(false);
      setError(detail?.message ?? (response?.status === 429 ? "Too many attempts: wait a minute and try again." : "Could not reach the server."));
      return;
    }
    window.location.assign(safeNext(next ?? null));
  };

  return (
    <main className="mx-auto mt-16 max-w-sm space-y-4 p-6">
      <h1 className="text-lg font-medium">{mode === "sign-in" ? "Sign in to Pincer" : "Create your Pincer account"}</h1>
      <ProviderButtons callbackPath={safeNext(next ?? null)} errorPath={mode === "sign-in" ? "/sign-in" : `/sign-up${invite ? `?invite=${encodeURIComponent(invite)}` : ""}`} invite={invite} />
      <form onSubmit={submit} className="space-y-3" data-testid={`${mode}-form`}>
        {mode === "sign-up" && <Field label="Name" name="name" type="text" autoComplete="name" />}
        <Field label="Email" name="email" type="email" autoComplete="email" />
        <Field label="Password" name="password" type="password" autoComplete={mode === "sign-in" ? "current-password" : "new-password"} minLength={8} />
        {error && <p className="text-sm text-danger" data-testid="auth-error">{error}</p>}
        <button type="submit" disabled={busy} data-testid={`${mode}-submit`} className="w-full rounded-md bg-primary px-4 py-2 text-sm font-medium text-primary-foreground disabled:opacity-50">
          {mode === "sign-in" ? "Sign in" : "Create account"}
        </button>
      </form>
      <p className="text-sm text-muted-foreground">
        {mode === "sign-in" ? (
          <>No account yet? <Link href="/sign-up" className="underline">Sign up</Link> (or open the invitation link you were sent).</>
        ) : (
          <>Already have an account? <Link href="/sign-in" className="underline">Sign in</Link></>
        )}
      </p>
    </main>
  );
}

function Field({ label, name, ...input }: { label: string; name: string; type: string; autoComplete: string; minLength?: number }) {
  return (
    <label className="block space-y-1 text-sm">
      <span>{label}</span>
      <input name={name} required data-testid={`auth-${name}`} className="w-full rounded-md border border-border bg-transparent px-3 py-2" {...input} />
    </label>
  );
}
