"use client";
import { useEffect, useRef } from "react";
import { Markdown } from "@/components/markdown";
import { ToolCall } from "@/components/tool-call";
import { formatCost, type TranscriptItem } from "./transcript";
import { ApprovalCard, type ApprovalChoice } from "./approval-card";
import { QuestionCard } from "./question-card";
import { CompactionMarker } from "./compaction-marker";
import { SubagentTranscript } from "./subagent-transcript";

export function Transcript({
  items,
  onAnswer,
  onAnswerQuestion,
  canAct,
}: {
  items: TranscriptItem[];
  onAnswer: (requestId: string, choice: ApprovalChoice, message?: string) => Promise<unknown>;
  onAnswerQuestion: (requestId: string, answers: string[]) => Promise<unknown>;
  /** Viewers see approvals and questions but cannot answer them. */
  canAct: boolean;
}) {
  const bottom = useRef<HTMLDivElement>(null);
  const container = useRef<HTMLDivElement>(null);
  // Follow new output only when the reader is already at the bottom.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 200;
    if (nearBottom) bottom.current?.scrollIntoView({ block: "end" });
  }, [items]);

  return (
    <div ref={container} className="min-h-0 flex-1 space-y-3 overflow-y-auto px-4 py-4" data-testid="transcript">
      {items.length === 0 && <p className="text-sm text-muted-foreground">Describe a task for the agent below.</p>}
      {groupRewound(items).map((group) => {
        if (!group.rewound) return <Item key={itemKey(group.items[0]!)} item={group.items[0]!} onAnswer={onAnswer} onAnswerQuestion={onAnswerQuestion} canAct={canAct} />;
        // Turns a rewind cut away: kept as history, dimmed, and no longer what the model sees.
        return (
          <div key={`r${itemKey(group.items[0]!)}`} data-testid="rewound-group" className="space-y-3 rounded-md border border-dashed border-border px-3 py-2 opacity-50">
            <p className="text-[11px] uppercase tracking-wide text-muted-foreground">rewound · kept as history, the agent no longer sees this</p>
            {group.items.map((item) => (
              <Item key={itemKey(item)} item={item} onAnswer={onAnswer} onAnswerQuestion={onAnswerQuestion} canAct={canAct} />
            ))}
          </div>
        );
      })}
      <div ref={bottom} />
    </div>
  );
}

const itemKey = (item: TranscriptItem): string => {
  switch (item.kind) {
    case "tool":
      return `t${item.id}`;
    case "approval":
      return `p${item.requestId}`;
    case "question":
      return `q${item.requestId}`;
    default:
      return `${item.kind}${item.seq}`;
  }
};

/** Consecutive rewound items form one group; every other item stands alone. */
const groupRewound = (items: TranscriptItem[]): Array<{ rewound: boolean; items: TranscriptItem[] }> => {
  const groups: Array<{ rewound: boolean; items: TranscriptItem[] }> = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (item.rewound && last?.rewound) last.items.push(item);
    else groups.push({ rewound: item.rewound === true, items: [item] });
  }
  return groups;
};

function Item({
  item,
  onAnswer,
  onAnswerQuestion,
  canAct,
}: {
  item: TranscriptItem;
  onAnswer: (requestId: string, choice: ApprovalChoice, message?: string) => Promise<unknown>;
  onAnswerQuestion: (requestId: string, answers: string[]) => Promise<unknown>;
  canAct: boolean;
}) {
        switch (item.kind) {
          case "user":
            return (
              <div key={`u${item.seq}`} data-testid="user-message" className="ml-auto max-w-[85%] whitespace-pre-wrap rounded-lg bg-accent px-3 py-2 text-sm">
                {item.text}
              </div>
            );
          case "assistant":
            return (
              <div key={`a${item.seq}`} data-testid="assistant-message">
                <Markdown text={item.text} streaming={item.streaming} />
              </div>
            );
          case "thinking":
            return (
              <details key={`k${item.seq}`} data-testid="thinking" open={item.streaming} className="rounded-md border border-border px-3 py-1 text-xs text-muted-foreground">
                <summary className="cursor-pointer select-none">{item.streaming ? "Thinking…" : "Thought"}</summary>
                <p className="whitespace-pre-wrap pt-1">{item.text}</p>
              </details>
            );
          case "question":
            return <QuestionCard key={`q${item.requestId}`} item={item} canAnswer={canAct} onAnswer={(answers) => onAnswerQuestion(item.requestId, answers)} />;
          case "approval":
            return <ApprovalCard key={`p${item.requestId}`} item={item} canAnswer={canAct} onAnswer={(choice, message) => onAnswer(item.requestId, choice, message)} />;
          case "tool":
            if (item.children) {
              return (
                <div key={`t${item.id}`} data-testid="subagent-group">
                  <ToolCall {...item} />
                  <SubagentTranscript items={item.children} summary={item.subagent} />
                </div>
              );
            }
            return <ToolCall key={`t${item.id}`} {...item} />;
          case "compaction":
            return <CompactionMarker key={`c${item.seq}`} item={item} />;
          case "notice":
            return (
              <p key={`n${item.seq}`} data-testid={item.tone === "error" ? "error-notice" : "info-notice"} className={`whitespace-pre-wrap text-xs ${item.tone === "error" ? "text-danger" : "text-muted-foreground"}`}>
                {item.text}
              </p>
            );
          case "turn_end":
            return (
              <p key={`e${item.seq}`} data-testid="turn-end" data-reason={item.reason} className="border-t border-border pt-1 text-right text-[11px] text-muted-foreground">
                {item.reason === "end_turn" ? "turn finished" : `turn ended: ${item.reason.replace("_", " ")}`} · {item.steps} step{item.steps === 1 ? "" : "s"} ·{" "}
                {item.usage.inputTokens + item.usage.cacheReadTokens + item.usage.cacheWriteTokens} in ({item.usage.cacheReadTokens} cached) / {item.usage.outputTokens} out · {formatCost(item.costUsd)}
              </p>
            );
        }
}
