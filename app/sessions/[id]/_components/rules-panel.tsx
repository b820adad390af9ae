"use client";
// The permission rules in force for this session and where each comes from. Deny beats ask beats allow.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/react";

const lists = ["deny", "ask", "allow"] as const;
const tone = { deny: "text-danger", ask: "text-warning", allow: "text-success" };

export function RulesPanel({ sessionId, refreshKey }: { sessionId: string; refreshKey: number }) {
  const trpc = useTRPC();
  const rules = useQuery({ ...trpc.sessions.rules.queryOptions({ sessionId }), queryKeyHashFn: () => `rules-${sessionId}-${refreshKey}` });
  if (rules.error) return <p className="p-4 text-sm text-danger">{rules.error.message}</p>;
  if (!rules.data) return <p className="p-4 text-sm text-muted-foreground">Reading rules…</p>;
  return (
    <div className="h-full space-y-4 overflow-auto p-4 text-sm" data-testid="rules-panel">
      <p>
        Mode: <strong data-testid="rules-mode">{rules.data.mode}</strong>. Deny rules always win, then ask, then allow; anything else is decided by the mode
        (reading commands and files in the workspace are allowed, the rest asks).
      </p>
      {rules.data.errors.map((error) => (
        <p key={error} className="text-xs text-danger">Ignored: {error}</p>
      ))}
      {rules.data.sources.map((source) => (
        <section key={`${source.name}-${source.origin}`} data-testid="rules-source" data-source={source.name} className="rounded-lg border border-border p-3">
          <h3 className="text-xs text-muted-foreground">
            <span className="font-medium text-foreground">{source.name}</span> · {source.origin}
          </h3>
          {lists.every((list) => source[list].length === 0) && <p className="text-xs text-muted-foreground">no rules</p>}
          {lists.map((list) =>
            source[list].map((rule) => (
              <p key={`${list}-${rule}`} className="font-mono text-xs">
                <span className={`mr-2 ${tone[list]}`}>{list}</span>
                {rule}
              </p>
            )),
          )}
        </section>
      ))}
    </div>
  );
}
