// /ws/sessions/<id>/events?after=N — replays what the client missed, then streams live.
import type { WebSocket } from "ws";
import type { LiveMessage } from "../agent/events";
import type { Services } from "../services";

export const serveEventsSocket = async (ws: WebSocket, services: Services, sessionId: string, afterSeq: number) => {
  let lastSeq = afterSeq;
  let replaying = true;
  const queued: LiveMessage[] = [];

  const send = (message: LiveMessage) => {
    if (message.kind === "event") {
      if (message.event.seq <= lastSeq) return; // already sent during replay
      lastSeq = message.event.seq;
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  // Subscribe before reading the log so nothing appended in between is missed.
  const unsubscribe = services.fanOut.subscribe(sessionId, (message) => (replaying ? queued.push(message) : send(message)));
  ws.on("close", unsubscribe);
  ws.on("error", unsubscribe);

  const missed = await services.sessions.events(sessionId, afterSeq);
  for (const event of missed) send({ kind: "event", event });
  replaying = false;
  for (const message of queued.splice(0)) send(message);
};
