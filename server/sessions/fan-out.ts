// Live fan-out of a session's stream to every watcher (tabs, teammates). Persisted events pass
// through as they are appended; token deltas are coalesced to about one message per frame and
// the in-flight partial reply is kept so a late joiner gets it as a snapshot. Watchers that say
// who they are make up the session's presence: one entry per person however many tabs they have.
import type { LiveMessage, SessionEvent, SessionWatcher } from "../agent/events";

export type Watcher = (message: LiveMessage) => void;

type Channel = {
  watchers: Set<Watcher>;
  /** Who is watching, with how many of their subscriptions (tabs) are open. */
  present: Map<string, { who: SessionWatcher; tabs: number }>;
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
      present: new Map(),
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

  const watchersOf = (ch: Channel) => [...ch.present.values()].map((entry) => entry.who);
  const presence = (ch: Channel): LiveMessage => ({ kind: "presence", watchers: watchersOf(ch) });

  /** A new person (or a new name or role) is announced to everyone; another tab of someone already here only to itself. */
  const arrive = (ch: Channel, watcher: Watcher, who: SessionWatcher) => {
    const entry = ch.present.get(who.userId);
    if (entry && entry.who.name === who.name && entry.who.role === who.role) {
      entry.tabs += 1;
      return watcher(presence(ch));
    }
    ch.present.set(who.userId, { who, tabs: (entry?.tabs ?? 0) + 1 });
    send(ch, presence(ch));
  };

  const depart = (ch: Channel, who: SessionWatcher) => {
    const entry = ch.present.get(who.userId);
    if (!entry) return;
    entry.tabs -= 1;
    if (entry.tabs > 0) return;
    ch.present.delete(who.userId);
    send(ch, presence(ch));
  };

  const schedule = (ch: Channel) => {
    if (ch.timer) return;
    ch.timer = setTimeout(() => flush(ch), frameMs);
  };

  return {
    /**
     * Registers a watcher; it first receives the snapshot of the in-flight reply. With `who`, the
     * person joins the session's presence until the returned function (idempotent) is called.
     */
    subscribe(sessionId: string, watcher: Watcher, who?: SessionWatcher): () => void {
      const ch = channel(sessionId);
      flush(ch);
      ch.watchers.add(watcher);
      watcher({ kind: "snapshot", partialText: ch.partialText, status: ch.status });
      if (who) arrive(ch, watcher, who);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ch.watchers.delete(watcher);
        if (who) depart(ch, who);
      };
    },
    /** A watcher's role changed (demoted, promoted): everyone watching sees the new one. */
    changeRole(sessionId: string, userId: string, role: SessionWatcher["role"]) {
      const entry = channels.get(sessionId)?.present.get(userId);
      if (!entry || entry.who.role === role) return;
      entry.who = { ...entry.who, role };
      send(channel(sessionId), presence(channel(sessionId)));
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
    /** The people watching, in the order they came. */
    watchers(sessionId: string): SessionWatcher[] {
      const ch = channels.get(sessionId);
      return ch ? watchersOf(ch) : [];
    },
  };
};
