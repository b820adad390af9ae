// Appends events to a session's ordered log and reads them back. Sequence numbers are assigned
// here, one writer per session at a time, so seq is gap-free and strictly increasing.
import type { PrismaClient } from "../generated/prisma/client";
import { widenEvent, type PersistedEventPayloads, type PersistedEventType, type SessionEvent } from "../agent/events";

export type EventLog = {
  append<T extends PersistedEventType>(sessionId: string, type: T, payload: PersistedEventPayloads[T]): Promise<SessionEvent<T>>;
  listSince(sessionId: string, afterSeq: number): Promise<SessionEvent[]>;
};

export const createEventLog = (db: PrismaClient, onAppend?: (sessionId: string, event: SessionEvent) => void): EventLog => {
  // Chained per session so concurrent appends (parallel tools) get distinct, ordered seqs.
  const tails = new Map<string, Promise<unknown>>();

  const appendNow = async <T extends PersistedEventType>(sessionId: string, type: T, payload: PersistedEventPayloads[T]) => {
    const event = await db.$transaction(async (tx) => {
      const session = await tx.session.update({
        where: { id: sessionId },
        data: { lastSeq: { increment: 1 } },
        select: { lastSeq: true },
      });
      return tx.event.create({
        data: { sessionId, seq: session.lastSeq, type, payload: JSON.stringify(payload) },
      });
    });
    const appended = { seq: event.seq, type, payload, createdAt: event.createdAt.toISOString() } as SessionEvent<T>;
    onAppend?.(sessionId, widenEvent(appended));
    return appended;
  };

  return {
    append(sessionId, type, payload) {
      const previous = tails.get(sessionId) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => appendNow(sessionId, type, payload));
      tails.set(sessionId, next);
      void next.finally(() => {
        if (tails.get(sessionId) === next) tails.delete(sessionId);
      }).catch(() => undefined);
      return next;
    },
    async listSince(sessionId, afterSeq) {
      const rows = await db.event.findMany({
        where: { sessionId, seq: { gt: afterSeq } },
        orderBy: { seq: "asc" },
      });
      return rows.map((row) => toSessionEvent(row));
    },
  };
};

const toSessionEvent = (row: { seq: number; type: string; payload: string; createdAt: Date }): SessionEvent =>
  ({ seq: row.seq, type: row.type, payload: JSON.parse(row.payload), createdAt: row.createdAt.toISOString() }) as SessionEvent;
