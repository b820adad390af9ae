"use client";
import { useState } from "react";

type ComposerProps = {
  running: boolean;
  sending: boolean;
  error?: string;
  onSend: (text: string) => Promise<unknown>;
  onStop: () => void;
};

export function Composer({ running, sending, error, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState("");
  const submit = async () => {
    const trimmed = text.trim();
    if (!trimmed || running || sending) return;
    await onSend(trimmed).then(() => setText("")).catch(() => undefined);
  };
  return (
    <form
      className="border-t border-border p-3"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {error && <p className="mb-2 text-xs text-danger" data-testid="composer-error">{error}</p>}
      <div className="flex gap-2">
        <textarea
          data-testid="composer-input"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey) {
              event.preventDefault();
              void submit();
            }
          }}
          rows={2}
          placeholder={running ? "The agent is working…" : "Give the agent a task (Enter to send, Shift+Enter for a new line)"}
          className="min-h-[3rem] flex-1 resize-y rounded-md border border-input bg-card px-3 py-2 text-sm outline-none focus:border-ring"
        />
        {running ? (
          <button type="button" data-testid="stop-button" onClick={onStop} className="rounded-md bg-danger px-4 text-sm font-medium text-white">
            Stop
          </button>
        ) : (
          <button type="submit" data-testid="send-button" disabled={sending || !text.trim()} className="rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground disabled:opacity-50">
            Send
          </button>
        )}
      </div>
    </form>
  );
}
