"use client";
// The header's right side: the current workspace (a switcher when there are several), who is
// signed in, and sign-out. Renders nothing when signed out.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/lib/trpc/react";

export function AccountMenu() {
  const trpc = useTRPC();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const workspaces = useQuery({ ...trpc.workspaces.list.queryOptions(), enabled: Boolean(me.data) });
  const switchTo = useMutation(trpc.workspaces.switch.mutationOptions({ onSuccess: () => window.location.assign("/") }));

  if (!me.data) return null;
  const signOut = async () => {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    window.location.assign("/sign-in");
  };

  return (
    <div className="ml-auto flex items-center gap-3 text-sm">
      {workspaces.data && workspaces.data.length > 1 ? (
        <select
          aria-label="Workspace"
          data-testid="workspace-switcher"
          value={me.data.membership?.workspaceId ?? ""}
          onChange={(event) => switchTo.mutate({ workspaceId: event.target.value })}
          className="rounded-md border border-border bg-transparent px-2 py-1"
        >
          {workspaces.data.map((workspace) => (
            <option key={workspace.id} value={workspace.id}>
              {workspace.name} ({workspace.role})
            </option>
          ))}
        </select>
      ) : (
        <span className="text-muted-foreground" data-testid="workspace-name">
          {me.data.membership ? `${me.data.membership.workspaceName} (${me.data.membership.role})` : "No workspace"}
        </span>
      )}
      <Link href="/settings/members" className="text-muted-foreground hover:text-foreground" data-testid="nav-members">
        Members
      </Link>
      {(me.data.membership?.role === "admin" || me.data.membership?.role === "owner") && (
        <Link href="/settings/audit" className="text-muted-foreground hover:text-foreground" data-testid="nav-audit">
          Audit log
        </Link>
      )}
      <span data-testid="signed-in-as">{me.data.user.name}</span>
      <button type="button" onClick={() => void signOut()} className="text-muted-foreground hover:text-foreground" data-testid="sign-out">
        Sign out
      </button>
    </div>
  );
}
