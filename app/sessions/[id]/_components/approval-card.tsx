"use client";
// An "ask" from the permission engine: what the agent wants to run, why it asks, and the answers.
import { useState } from "react";
import type { ApprovalItem } from "./transcript";

export type ApprovalChoice = "allow_once" | "allow_session" | "allow_project" | "deny";

const answered: Record<ApprovalChoice, string> = {
  allow_once: "Allowed once",
  allow_session: "Always allowed in this session",
  allow_project: "Always allowed in this project",
  deny: "Denied",
};

const subject = (toolName: string, input: unknown) => {
  const fields = (input ?? {}) as Record<string, unknown>;
  const main = fields.command ?? fields.file_path ?? fields.notebook_path ?? fields.path ?? fields.url ?? fields.pattern;
  return typeof main === "string" ? main : JSON.stringify(input, null, 2);
};

export function ApprovalCard({
  item,
  canAnswer,
  onAnswer,
}: {
  item: ApprovalItem;
  canAnswer: boolean;
  onAnswer: (choice: ApprovalChoice, message?: string) => Promise<unknown>;
}) {
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (item.answer) {
    return (
      <p data-testid="approval-answered" data-choice={item.answer.choice} className={`text-xs ${item.answer.choice === "deny" ? "text-danger" : "text-success"}`}>
        {answered[item.answer.choice]} by {item.answer.by}: {item.toolName} {item.answer.message ? `— “${item.answer.message}”` : ""}
      </p>
    );
  }

  const answer = async (choice: ApprovalChoice) => {
    setBusy(true);
    setError(null);
    await onAnswer(choice, message.trim() || undefined)
      .catch((cause: unknown) => setError(cause instanceof Error ? cause.message : String(cause)))
      .finally(() => setBusy(false));
  };

  return (
    <div data-testid="approval-card" data-request={item.requestId} className={`space-y-2 rounded-lg border p-3 text-sm ${item.dangerous ? "border-danger/60 bg-danger/5" : "border-warning/50 bg-warning/5"}`}>
      <div className="flex items-center gap-2">
        <span className="font-semibold">{item.toolName}</span>
        <span className="text-xs text-muted-foreground">needs your approval</span>
        {item.dangerous && <span className="rounded bg-danger/20 px-1.5 text-xs text-danger">dangerous</span>}
      </div>
      <pre data-testid="approval-subject" className="max-h-48 overflow-auto whitespace-pre-wrap rounded bg-background p-2 font-mono text-xs text-foreground">
        {subject(item.toolName, item.input)}
      </pre>
      <p data-testid="approval-reason" className="text-xs text-muted-foreground">
        Why: {item.reason}
        {item.rule ? ` (rule ${item.rule})` : ""}
      </p>
      {canAnswer ? (
        <>
          <input
            data-testid="approval-message"
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            placeholder="Optional message to the agent (sent with a denial)"
            className="w-full rounded-md border border-input bg-background px-2 py-1 text-xs"
          />
          <div className="flex flex-wrap gap-2">
            <button type="button" disabled={busy} data-testid="approve-once" onClick={() => void answer("allow_once")} className="rounded-md bg-primary px-3 py-1 text-xs font-medium text-primary-foreground disabled:opacity-50">
              Allow once
            </button>
            {item.suggestedRules.length > 0 && (
              <>
                <button type="button" disabled={busy} data-testid="approve-session" onClick={() => void answer("allow_session")} className="rounded-md border border-border px-3 py-1 text-xs disabled:opacity-50" title={item.suggestedRules.join(", ")}>
                  Always in this session
                </button>
                <button type="button" disabled={busy} data-testid="approve-project" onClick={() => void answer("allow_project")} className="rounded-md border border-border px-3 py-1 text-xs disabled:opacity-50" title={`Adds ${item.suggestedRules.join(", ")} to .pincer/settings.json`}>
                  Always in this project
                </button>
              </>
            )}
            <button type="button" disabled={busy} data-testid="deny" onClick={() => void answer("deny")} className="rounded-md bg-danger px-3 py-1 text-xs font-medium text-white disabled:opacity-50">
              Deny
            </button>
          </div>
          {item.suggestedRules.length > 0 && (
            <p className="text-[11px] text-muted-foreground" data-testid="approval-rules">
              “Always” adds {item.suggestedRules.length === 1 ? "the rule" : "the rules"} <code>{item.suggestedRules.join("  ")}</code>.
            </p>
          )}
          {error && <p className="text-xs text-danger" data-testid="approval-error">{error}</p>}
        </>
      ) : (
        <p className="text-xs text-muted-foreground">Waiting for someone who can approve.</p>
      )}
    </div>
  );
}
