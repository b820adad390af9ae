// Live fan-out of a session's stream to every watcher (tabs, teammates). Persisted events pass
// through as they are appended; token deltas are coalesced to about one message per frame and
// the in-flight partial reply is kept so a late joiner gets it as a snapshot.
import type { LiveMessage, SessionEvent } from "../agent/events";

export type Watcher = (message: LiveMessage) => void;

type Channel = {
  watchers: Set<Watcher>;
  partialText: string;
  status: string;
  pendingText: string;
  pendingThinking: string;
  pendingOutput: Map<string, string>;
  timer: NodeJS.Timeout | null;
};

export type FanOut = ReturnType<typeof createFanOut>;

export const createFanOut = (options: { frameMs?: number } = {}) => {
  const frameMs = options.frameMs ?? 16;
  const channels = new Map<string, Channel>();

  const channel = (sessionId: string): Channel => {
    const existing = channels.get(sessionId);
    if (existing) return existing;
    const created: Channel = {
      watchers: new Set(),
      partialText: "",
      status: "idle",
      pendingText: "",
      pendingThinking: "",
      pendingOutput: new Map(),
      timer: null,
    };
    channels.set(sessionId, created);
    return created;
  };

  const send = (ch: Channel, message: LiveMessage) => {
    for (const watcher of ch.watchers) watcher(message);
  };

  const flush = (ch: Channel) => {
    if (ch.timer) clearTimeout(ch.timer);
    ch.timer = null;
    if (ch.pendingThinking) send(ch, { kind: "thinking_delta", text: ch.pendingThinking });
    if (ch.pendingText) send(ch, { kind: "text_delta", text: ch.pendingText });
    for (const [toolUseId, chunk] of ch.pendingOutput) send(ch, { kind: "tool_output", toolUseId, chunk });
    ch.pendingText = "";
    ch.pendingThinking = "";
    ch.pendingOutput.clear();
  };

  const schedule = (ch: Channel) => {
    if (ch.timer) return;
    ch.timer = setTimeout(() => flush(ch), frameMs);
  };

  return {
    /** Registers a watcher; it first receives the snapshot of the in-flight reply. */
    subscribe(sessionId: string, watcher: Watcher): () => void {
      const ch = channel(sessionId);
      flush(ch);
      ch.watchers.add(watcher);
      watcher({ kind: "snapshot", partialText: ch.partialText, status: ch.status });
      return () => {
        ch.watchers.delete(watcher);
      };
    },
    publishEvent(sessionId: string, event: SessionEvent) {
      const ch = channel(sessionId);
      flush(ch); // deltas before the event that ends them
      if (event.type === "assistant_message") ch.partialText = "";
      send(ch, { kind: "event", event });
    },
    publishText(sessionId: string, text: string) {
      const ch = channel(sessionId);
      ch.partialText += text;
      ch.pendingText += text;
      schedule(ch);
    },
    publishThinking(sessionId: string, text: string) {
      const ch = channel(sessionId);
      ch.pendingThinking += text;
      schedule(ch);
    },
    publishToolOutput(sessionId: string, toolUseId: string, chunk: string) {
      const ch = channel(sessionId);
      ch.pendingOutput.set(toolUseId, (ch.pendingOutput.get(toolUseId) ?? "") + chunk);
      schedule(ch);
    },
    publishRetrying(sessionId: string, notice: { attempt: number; maxAttempts: number; delayMs: number; message: string }) {
      const ch = channel(sessionId);
      ch.pendingText = "";
      ch.pendingThinking = "";
      ch.partialText = "";
      flush(ch);
      send(ch, { kind: "retrying", attempt: notice.attempt, maxAttempts: notice.maxAttempts, delayMs: notice.delayMs, message: notice.message });
    },
    setStatus(sessionId: string, status: string) {
      const ch = channel(sessionId);
      flush(ch);
      ch.status = status;
      if (status !== "running") ch.partialText = "";
      send(ch, { kind: "status", status });
    },
    watcherCount(sessionId: string): number {
      return channels.get(sessionId)?.watchers.size ?? 0;
    },
  };
};
