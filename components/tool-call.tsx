"use client";
// A card for one tool call in the transcript: what was called, how it went, and its output.
// It renders the call's state machine as is: pending -> running -> done | error.

import { useEffect, useRef, useState } from "react";
import { editPreview, formatDuration, summarizeToolInput } from "./tool-call-summary";

export type ToolCallStatus = "pending" | "running" | "done" | "error";

export type ToolCallProps = {
  name: string;
  input: unknown;
  status: ToolCallStatus;
  /** Final output (the tool result). */
  output?: string;
  /** Output streamed so far while the tool runs. */
  liveOutput?: string;
  durationMs?: number;
  metadata?: Record<string, unknown>;
};

const PILL: Record<ToolCallStatus, { className: string; label: string }> = {
  pending: { className: "border-border bg-muted text-muted-foreground", label: "pending" },
  running: { className: "border-info/40 bg-info/10 text-info", label: "running" },
  done: { className: "border-success/40 bg-success/10 text-success", label: "done" },
  error: { className: "border-danger/40 bg-danger/10 text-danger", label: "error" },
};

export function ToolCall({ name, input, status, output, liveOutput, durationMs, metadata }: ToolCallProps) {
  const summary = summarizeToolInput(name, input);
  const edit = editPreview(name, input);
  const shownOutput = status === "running" ? (liveOutput ?? output ?? "") : (output ?? liveOutput ?? "");
  const hasBody = Boolean(edit) || shownOutput.length > 0 || status === "running";
  const autoOpen = status === "running" || status === "error";
  // null = follow the status; a click pins the user's choice.
  const [pinnedOpen, setPinnedOpen] = useState<boolean | null>(null);
  const open = hasBody && (pinnedOpen ?? autoOpen);
  const exitCode = typeof metadata?.exitCode === "number" ? metadata.exitCode : undefined;
  const truncated = metadata?.truncated === true;

  return (
    <div
      data-testid="tool-call"
      data-status={status}
      data-tool={name}
      className={`overflow-hidden rounded-lg border bg-card text-sm ${status === "error" ? "border-danger/40" : "border-border"}`}
    >
      <button
        type="button"
        onClick={() => hasBody && setPinnedOpen(!open)}
        aria-expanded={open}
        className={`flex w-full min-w-0 items-center gap-2 px-3 py-2 text-left ${hasBody ? "cursor-pointer hover:bg-accent/60" : "cursor-default"}`}
      >
        <Chevron open={open} visible={hasBody} />
        <span className="shrink-0 font-semibold text-foreground">{name}</span>
        <span
          title={summary.text}
          className={`min-w-0 flex-1 truncate text-muted-foreground ${summary.mono ? "font-mono text-[12.5px]" : ""}`}
        >
          {summary.text}
        </span>
        {exitCode !== undefined && exitCode !== 0 && (
          <span className="shrink-0 font-mono text-xs text-danger">exit {exitCode}</span>
        )}
        <StatusPill status={status} durationMs={durationMs} />
      </button>
      {open && (
        <div className="space-y-2 border-t border-border px-3 py-2">
          {edit && <EditStrings oldString={edit.oldString} newString={edit.newString} replaceAll={edit.replaceAll} />}
          {(shownOutput.length > 0 || status === "running") && (
            <OutputPre text={shownOutput} follow={status === "running"} error={status === "error"} />
          )}
          {truncated && <p className="text-xs text-muted-foreground">Output truncated.</p>}
        </div>
      )}
    </div>
  );
}

function StatusPill({ status, durationMs }: { status: ToolCallStatus; durationMs?: number }) {
  const pill = PILL[status];
  const duration = durationMs !== undefined && status !== "pending" ? formatDuration(durationMs) : "";
  return (
    <span
      data-testid="tool-call-status"
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium leading-4 ${pill.className}`}
    >
      {status === "running" && (
        <span aria-hidden className="size-2.5 animate-spin rounded-full border-[1.5px] border-info border-t-transparent" />
      )}
      {pill.label}
      {duration && <span className="font-mono opacity-80">{duration}</span>}
    </span>
  );
}

function OutputPre({ text, follow, error }: { text: string; follow: boolean; error: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  // While output streams in, keep the newest lines in view.
  useEffect(() => {
    if (follow && ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [text, follow]);
  return (
    <pre
      ref={ref}
      data-testid="tool-call-output"
      className={`max-h-80 overflow-auto whitespace-pre-wrap break-words rounded-md bg-background p-2 font-mono text-[12px] leading-[1.45] ${error ? "text-danger" : "text-foreground/90"}`}
    >
      {text || (follow ? "…" : "")}
    </pre>
  );
}

function EditStrings({ oldString, newString, replaceAll }: { oldString: string; newString: string; replaceAll: boolean }) {
  return (
    <div data-testid="tool-call-edit" className="overflow-hidden rounded-md border border-border font-mono text-[12px] leading-[1.45]">
      <pre className="max-h-48 overflow-auto whitespace-pre-wrap break-words bg-danger/10 px-2 py-1 text-danger/90">
        {prefixLines(oldString, "- ")}
      </pre>
      <pre className="max-h-48 overflow-auto whitespace-pre-wrap break-words border-t border-border bg-success/10 px-2 py-1 text-success/90">
        {prefixLines(newString, "+ ")}
      </pre>
      {replaceAll && <p className="border-t border-border px-2 py-1 font-sans text-xs text-muted-foreground">replace all</p>}
    </div>
  );
}

const prefixLines = (text: string, prefix: string): string =>
  text === "" ? `${prefix}(empty)` : text.split("\n").map((line) => prefix + line).join("\n");

function Chevron({ open, visible }: { open: boolean; visible: boolean }) {
  return (
    <svg
      aria-hidden
      viewBox="0 0 16 16"
      className={`size-3.5 shrink-0 text-muted-foreground transition-transform ${open ? "rotate-90" : ""} ${visible ? "" : "invisible"}`}
    >
      <path d="M6 4l4 4-4 4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
