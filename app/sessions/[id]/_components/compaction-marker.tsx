"use client";
// Where the model's view of the session was compacted: tokens before/after and the summary it
// continues from (collapsed). Everything above the marker stays in the log and on screen.
import { Markdown } from "@/components/markdown";
import type { CompactionItem } from "./transcript";

export function CompactionMarker({ item }: { item: CompactionItem }) {
  return (
    <details data-testid="compaction-marker" className="rounded-md border border-dashed border-border px-3 py-1 text-xs text-muted-foreground">
      <summary className="cursor-pointer select-none">
        Context {item.trigger === "manual" ? "compacted on request" : "compacted"}: {item.tokensBefore.toLocaleString()} → {item.tokensAfter.toLocaleString()} tokens
        {item.focus ? ` · focus: ${item.focus}` : ""}
      </summary>
      <div className="pt-1" data-testid="compaction-summary">
        <Markdown text={item.summary} streaming={false} />
      </div>
    </details>
  );
}
