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
        const { toolUseId, output, isError } = event.payload;
        appendUser([{ type: "tool_result", toolUseId, content: output, isError }]);
        return;
      }
      default:
        return;
    }
  };

  for (const event of events) apply(event);
  return { apply, messages: () => messages };
};
