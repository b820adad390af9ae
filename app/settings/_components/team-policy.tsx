"use client";
// The workspace's permission policy: rules every session here starts from, which no project file or
// session answer can loosen, and whether bypass mode may be used. Admins edit it; others read it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/react";
import { RuleListFields, useRuleListText, type RuleListHints } from "./rule-lists";

const hints: RuleListHints = {
  deny: "Never allowed, whatever else says so.",
  ask: "Always asks, even where a project or session rule allows it.",
  allow: "Allowed without asking (unless denied or asked above).",
};
type Policy = { allow: string[]; ask: string[]; deny: string[]; allowBypass: boolean };

export function TeamPolicy() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.workspaces.policy.queryOptions());
  // Held here, above the keyed form, so "Saved" survives the form resetting to the new policy.
  const save = useMutation(
    trpc.workspaces.setPolicy.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.workspaces.policy.queryKey() }),
    }),
  );
  if (policy.error) return <p className="text-sm text-danger" data-testid="team-policy-error">{policy.error.message}</p>;
  if (!policy.data) return <p className="text-sm text-muted-foreground">Reading the team policy…</p>;
  // Keyed by the stored policy so a save (or another admin's) resets the form to what is in force.
  return <TeamPolicyForm key={JSON.stringify(policy.data.policy)} policy={policy.data.policy} errors={policy.data.errors} canEdit={policy.data.canEdit} save={save} />;
}

type SaveMutation = {
  mutate: (policy: Policy) => void;
  isPending: boolean;
  isSuccess: boolean;
  error: { message: string } | null;
};

function TeamPolicyForm({ policy, errors, canEdit, save }: { policy: Policy; errors: string[]; canEdit: boolean; save: SaveMutation }) {
  const { text, setText, lists } = useRuleListText(policy);
  const [allowBypass, setAllowBypass] = useState(policy.allowBypass);

  return (
    <section className="space-y-4" data-testid="team-policy">
      <h2 className="font-medium">Team policy</h2>
      <p className="text-sm text-muted-foreground">
        Permission rules for every session in this workspace, one per line, e.g. <code className="font-mono">Bash(npm run test:*)</code> or{" "}
        <code className="font-mono">Edit(./infra/**)</code>. Deny beats ask beats allow; a project&apos;s settings or a session&apos;s answers cannot loosen a team deny or ask.
        {!canEdit && " Only admins can change it."}
      </p>
      {errors.map((error) => (
        <p key={error} className="text-sm text-danger">{error}</p>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate({ ...lists(), allowBypass });
        }}
        className="space-y-3 rounded-lg border border-border bg-card p-4 text-sm"
      >
        <RuleListFields text={text} setText={setText} hints={hints} testIdPrefix="team-policy" readOnly={!canEdit} />
        <label className="flex items-center gap-2">
          <input type="checkbox" data-testid="team-policy-allow-bypass" checked={allowBypass} disabled={!canEdit} onChange={(event) => setAllowBypass(event.target.checked)} />
          <span>Allow bypass mode in this workspace</span>
          <span className="text-muted-foreground">(deny and ask rules, protected paths and dangerous commands still apply)</span>
        </label>
        {save.error && <p className="whitespace-pre-wrap text-danger" data-testid="team-policy-save-error">{save.error.message}</p>}
        {save.isSuccess && <p className="text-success" data-testid="team-policy-saved">Saved. It applies to the next tool call of every session here.</p>}
        {canEdit && (
          <button type="submit" data-testid="team-policy-save" disabled={save.isPending} className="rounded-md bg-primary px-4 py-2 font-medium text-primary-foreground disabled:opacity-50">
            {save.isPending ? "Saving…" : "Save policy"}
          </button>
        )}
      </form>
    </section>
  );
}
