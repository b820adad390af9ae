"use client";
// An invitation link: shows the workspace and role; signed out, sign up with it (password or a
// configured provider); signed in, join.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ProviderButtons } from "@/app/_components/provider-buttons";
import { useTRPC } from "@/lib/trpc/react";

export function InviteView({ token }: { token: string }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.invitations.preview.queryOptions({ token }));
  const me = useQuery(trpc.system.whoami.queryOptions());
  const accept = useMutation(trpc.invitations.accept.mutationOptions({ onSuccess: () => window.location.assign("/") }));

  if (preview.isPending || me.isPending) return <main className="p-8 text-muted-foreground">Loading…</main>;
  if (!preview.data?.valid) {
    return (
      <main className="mx-auto mt-16 max-w-sm space-y-3 p-6" data-testid="invite-invalid">
        <h1 className="text-lg font-medium">This invitation is no longer valid</h1>
        <p className="text-sm text-muted-foreground">It expired, was revoked or was already used. Ask an admin of the workspace for a new link.</p>
      </main>
    );
  }
  return (
    <main className="mx-auto mt-16 max-w-sm space-y-4 p-6">
      <h1 className="text-lg font-medium">Join {preview.data.workspaceName}</h1>
      <p className="text-sm text-muted-foreground">You are invited as {preview.data.role}.</p>
      {me.data ? (
        <button type="button" data-testid="invite-accept" onClick={() => accept.mutate({ token })} className="rounded-md bg-primary px-4 py-2 text-sm font-medium text-primary-foreground">
          Join as {me.data.user.name}
        </button>
      ) : (
        <div className="space-y-3">
          <Link href={`/sign-up?invite=${encodeURIComponent(token)}`} data-testid="invite-sign-up" className="inline-block rounded-md bg-primary px-4 py-2 text-sm font-medium text-primary-foreground">
            Create an account to join
          </Link>
          <ProviderButtons callbackPath="/" errorPath={`/sign-up?invite=${encodeURIComponent(token)}`} invite={token} />
          <p className="text-sm text-muted-foreground">
            Already have a password account? <Link href={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`} className="underline">Sign in</Link>, then join.
          </p>
        </div>
      )}
      {accept.error && <p className="text-sm text-danger">{accept.error.message}</p>}
    </main>
  );
}
