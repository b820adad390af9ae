// /ws/sessions/<id>/events?after=N — replays what the client missed, then streams live. The
// signed-in person on the socket counts as watching the session until it closes.
import type { WebSocket } from "ws";
import type { LiveMessage, SessionWatcher } from "../agent/events";
import type { Services } from "../services";

export const serveEventsSocket = async (ws: WebSocket, services: Services, sessionId: string, afterSeq: number, who: SessionWatcher) => {
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
  const unsubscribe = services.fanOut.subscribe(sessionId, (message) => (replaying ? queued.push(message) : send(message)), who);
  ws.on("close", unsubscribe);
  ws.on("error", unsubscribe);

  const missed = await services.sessions.events(sessionId, afterSeq);
  for (const event of missed) send({ kind: "event", event });
  replaying = false;
  for (const message of queued.splice(0)) send(message);
};
