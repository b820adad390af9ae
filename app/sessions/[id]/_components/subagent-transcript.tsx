"use client";
// A subagent's own transcript, nested under the Task card that started it (live while it runs),
// with its tokens and cost. Task cards inside it nest their children the same way.
import { Markdown } from "@/components/markdown";
import { ToolCall } from "@/components/tool-call";
import { formatCost, type SubagentSummary, type TranscriptItem } from "./transcript";

export function SubagentTranscript({ items, summary }: { items: TranscriptItem[]; summary?: SubagentSummary }) {
  return (
    <div data-testid="subagent-transcript" className="ml-4 space-y-2 border-l-2 border-border pl-3">
      {summary && (
        <p data-testid="subagent-usage" className="text-[11px] text-muted-foreground">
          {summary.agent} · {summary.finished ? "finished" : "working…"} · {summary.tokensIn} in / {summary.tokensOut} out · {formatCost(summary.costUsd)}
        </p>
      )}
      {items.map((item) => {
        switch (item.kind) {
          case "user":
            return (
              <p key={`u${item.seq}`} data-testid="subagent-prompt" className="whitespace-pre-wrap rounded bg-accent px-2 py-1 text-xs">
                {item.text}
              </p>
            );
          case "assistant":
            return (
              <div key={`a${item.seq}`} className="text-sm">
                <Markdown text={item.text} streaming={item.streaming} />
              </div>
            );
          case "tool":
            return (
              <div key={`t${item.id}`} data-testid={item.children ? "subagent-group" : undefined}>
                <ToolCall {...item} />
                {item.children && <SubagentTranscript items={item.children} summary={item.subagent} />}
              </div>
            );
          case "notice":
            return (
              <p key={`n${item.seq}`} className={`text-xs ${item.tone === "error" ? "text-danger" : "text-muted-foreground"}`}>
                {item.text}
              </p>
            );
          default:
            return null;
        }
      })}
    </div>
  );
}
