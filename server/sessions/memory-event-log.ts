// An EventLog kept in memory: for headless runs (`npx pincer run`), where there is no database.
import { widenEvent, type SessionEvent } from "../agent/events";
import type { EventLog } from "./event-log";

export const createMemoryEventLog = (onAppend?: (sessionId: string, event: SessionEvent) => void): EventLog => {
  const logs = new Map<string, SessionEvent[]>();
  return {
    async append(sessionId, type, payload) {
      const log = logs.get(sessionId) ?? [];
      logs.set(sessionId, log);
      const event = { seq: log.length + 1, type, payload, createdAt: new Date().toISOString() } as SessionEvent<typeof type>;
      log.push(widenEvent(event));
      onAppend?.(sessionId, widenEvent(event));
      return event;
    },
    async listSince(sessionId, afterSeq) {
      return (logs.get(sessionId) ?? []).filter((event) => event.seq > afterSeq);
    },
  };
};
