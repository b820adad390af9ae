"use client";
// Your own permission rules: the "user" source of every session you own, in any workspace. They sit
// after the team policy and the project's settings; deny beats ask beats allow across all of them,
// so your allow never loosens a team (or project) deny or ask, and they can never permit bypass mode.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/react";
import { RuleListFields, useRuleListText, type RuleListHints } from "./rule-lists";

const hints: RuleListHints = {
  deny: "Never allowed in your sessions.",
  ask: "Always asks in your sessions, even where a project or session rule allows it.",
  allow: "Allowed without asking, unless the team, the project or you deny or ask for it.",
};
type Rules = { allow: string[]; ask: string[]; deny: string[] };

export function UserRules() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.account.rules.queryOptions());
  // Held here, above the keyed form, so "Saved" survives the form resetting to the new rules.
  const save = useMutation(
    trpc.account.setRules.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.account.rules.queryKey() }),
    }),
  );
  if (rules.error) return <p className="text-sm text-danger" data-testid="user-rules-error">{rules.error.message}</p>;
  if (!rules.data) return <p className="text-sm text-muted-foreground">Reading your rules…</p>;
  // Keyed by the stored rules so a save (or one from another tab) resets the form to what is in force.
  return <UserRulesForm key={JSON.stringify(rules.data.rules)} rules={rules.data.rules} errors={rules.data.errors} save={save} />;
}

type SaveMutation = {
  mutate: (rules: Rules) => void;
  isPending: boolean;
  isSuccess: boolean;
  error: { message: string } | null;
};

function UserRulesForm({ rules, errors, save }: { rules: Rules; errors: string[]; save: SaveMutation }) {
  const { text, setText, lists } = useRuleListText(rules);

  return (
    <section className="space-y-4" data-testid="user-rules">
      <h2 className="font-medium">Your rules</h2>
      <p className="text-sm text-muted-foreground">
        Permission rules for every session you own, one per line, e.g. <code className="font-mono">Bash(npm run test:*)</code> or{" "}
        <code className="font-mono">Bash(git push:*)</code>. Deny beats ask beats allow; your allow rules cannot loosen the team policy&apos;s or a project&apos;s deny or
        ask, and cannot turn on bypass mode.
      </p>
      {errors.map((error) => (
        <p key={error} className="text-sm text-danger">{error}</p>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(lists());
        }}
        className="space-y-3 rounded-lg border border-border bg-card p-4 text-sm"
      >
        <RuleListFields text={text} setText={setText} hints={hints} testIdPrefix="user-rules" />
        {save.error && <p className="whitespace-pre-wrap text-danger" data-testid="user-rules-save-error">{save.error.message}</p>}
        {save.isSuccess && <p className="text-success" data-testid="user-rules-saved">Saved. It applies to the next tool call of each of your sessions.</p>}
        <button type="submit" data-testid="user-rules-save" disabled={save.isPending} className="rounded-md bg-primary px-4 py-2 font-medium text-primary-foreground disabled:opacity-50">
          {save.isPending ? "Saving…" : "Save your rules"}
        </button>
      </form>
    </section>
  );
}
