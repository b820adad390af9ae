// Projects the event log onto the provider-neutral message list. The loop feeds every event it
// records through the same projection, so "rebuilt from the log" and "what the model saw" agree.
import type { ContentBlock, Message } from "../llm/model-client";
import type { SessionEvent } from "./events";

export type MessageProjection = {
  apply(event: SessionEvent): void;
  messages(): Message[];
};

export const createMessageProjection = (events: Iterable<SessionEvent> = []): MessageProjection => {
  const messages: Message[] = [];
  // Where the conversation stood at each checkpoint, so a rewind can cut back to it: the message
  // count and the length of the last message (user content may still be appended to it).
  const marks = new Map<number, { length: number; lastLength: number }>([[0, { length: 0, lastLength: 0 }]]);

  // Consecutive user content (tool results, then a new prompt) must share one user message.
  const appendUser = (blocks: ContentBlock[]) => {
    const last = messages.at(-1);
    if (last?.role === "user") {
      last.content.push(...blocks);
      return;
    }
    messages.push({ role: "user", content: blocks });
  };

  const apply = (event: SessionEvent) => {
    switch (event.type) {
      case "user_message": {
        const { text, context } = event.payload;
        appendUser(context ? [{ type: "text", text: context }, { type: "text", text }] : [{ type: "text", text }]);
        return;
      }
      case "assistant_message": {
        if (event.payload.content.length === 0) return;
        messages.push({ role: "assistant", content: structuredClone(event.payload.content) });
        return;
      }
      case "tool_result": {
        const { toolUseId, output, isError, images } = event.payload;
        appendUser([{ type: "tool_result", toolUseId, content: output, isError, ...(images?.length ? { images } : {}) }]);
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
        const last = messages.at(-1);
        if (last) last.content.length = Math.min(last.content.length, mark.lastLength);
        for (const number of [...marks.keys()]) if (number > event.payload.toCheckpoint) marks.delete(number);
        return;
      }
      default:
        return;
    }
  };

  for (const event of events) apply(event);
  return { apply, messages: () => messages };
};
