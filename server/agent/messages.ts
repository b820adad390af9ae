// Projects the event log onto the provider-neutral message list. The loop feeds every event it
// records through the same projection, so "rebuilt from the log" and "what the model saw" agree.
import type { ContentBlock, Message } from "../llm/model-client";
import type { SessionEvent } from "./events";
import { summaryMessage, trimToolOutput } from "./compaction";

export type MessageProjection = {
  apply(event: SessionEvent): void;
  messages(): Message[];
  /** The seq of the event that began each message (compaction picks where to cut by it). */
  startSeqs(): number[];
  /** The environment/instructions note of the first prompt (carried over by compactions). */
  contextNote(): string | undefined;
};

export const createMessageProjection = (events: Iterable<SessionEvent> = []): MessageProjection => {
  const messages: Message[] = [];
  const startSeqs: number[] = [];
  let contextNote: string | undefined;
  // Where the conversation stood at each checkpoint, so a rewind can cut back to it: the message
  // count and the length of the last message (user content may still be appended to it).
  const marks = new Map<number, { length: number; lastLength: number }>([[0, { length: 0, lastLength: 0 }]]);

  // Consecutive user content (tool results, then a new prompt) must share one user message.
  const appendUser = (seq: number, blocks: ContentBlock[]) => {
    const last = messages.at(-1);
    if (last?.role === "user") {
      last.content.push(...blocks);
      return;
    }
    messages.push({ role: "user", content: blocks });
    startSeqs.push(seq);
  };

  const apply = (event: SessionEvent) => {
    switch (event.type) {
      case "user_message": {
        const { text, context } = event.payload;
        if (context && contextNote === undefined) contextNote = context;
        appendUser(event.seq, context ? [{ type: "text", text: context }, { type: "text", text }] : [{ type: "text", text }]);
        return;
      }
      case "assistant_message": {
        if (event.payload.content.length === 0) return;
        messages.push({ role: "assistant", content: structuredClone(event.payload.content) });
        startSeqs.push(event.seq);
        return;
      }
      case "tool_result": {
        const { toolUseId, output, isError, images } = event.payload;
        appendUser(event.seq, [{ type: "tool_result", toolUseId, content: output, isError, ...(images?.length ? { images } : {}) }]);
        return;
      }
      case "checkpoint": {
        marks.set(event.payload.number, { length: messages.length, lastLength: messages.at(-1)?.content.length ?? 0 });
        return;
      }
      case "rewind": {
        // The turns after the checkpoint stay in the log as history; the model no longer sees them.
        const mark = marks.get(event.payload.toCheckpoint);
        if (!mark) return;
        messages.length = Math.min(messages.length, mark.length);
        startSeqs.length = messages.length;
        const last = messages.at(-1);
        if (last) last.content.length = Math.min(last.content.length, mark.lastLength);
        for (const number of [...marks.keys()]) if (number > event.payload.toCheckpoint) marks.delete(number);
        return;
      }
      // --- context (compaction.ts): trimmed tool results and summaries, replayed exactly ---
      case "context_trimmed": {
        const ids = new Set(event.payload.toolUseIds);
        for (const message of messages) {
          for (const [index, block] of message.content.entries()) {
            if (block.type !== "tool_result" || !ids.has(block.toolUseId)) continue;
            message.content[index] = { type: "tool_result", toolUseId: block.toolUseId, content: trimToolOutput(block.content, event.payload.keepChars), isError: block.isError };
          }
        }
        return;
      }
      case "compaction": {
        // Every message that began before keptFromSeq becomes one summary message.
        const firstKept = startSeqs.findIndex((seq) => seq >= event.payload.keptFromSeq);
        const cut = firstKept === -1 ? messages.length : firstKept;
        messages.splice(0, cut, summaryMessage(event.payload.summary, event.payload.context));
        startSeqs.splice(0, cut, event.seq);
        if (event.payload.context !== undefined) contextNote = event.payload.context;
        // Checkpoints inside the summarised part can only rewind to the summary itself.
        for (const [number, mark] of marks) {
          if (mark.length === 0) continue;
          marks.set(number, mark.length >= cut ? { ...mark, length: mark.length - cut + 1 } : { length: 1, lastLength: messages[0].content.length });
        }
        return;
      }
      case "conversation_cleared": {
        // /clear: a fresh conversation; checkpoints from before it cannot be rewound to in it.
        messages.length = 0;
        startSeqs.length = 0;
        contextNote = undefined;
        marks.clear();
        marks.set(0, { length: 0, lastLength: 0 });
        return;
      }
      default:
        return;
    }
  };

  for (const event of events) apply(event);
  return { apply, messages: () => messages, startSeqs: () => startSeqs, contextNote: () => contextNote };
};
