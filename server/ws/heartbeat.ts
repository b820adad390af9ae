// Finds sockets whose peer vanished without closing (a closed laptop lid, a dropped network): every
// interval each socket is pinged, and one that has not answered the previous ping is cut off. It
// then closes like any other socket, so its watcher leaves the session's presence.
import type { WebSocket } from "ws";

export const createHeartbeat = (intervalMs: number) => {
  const sockets = new Set<WebSocket>();
  /** Pinged and not yet answered. */
  const waiting = new Set<WebSocket>();

  const timer = setInterval(() => {
    for (const ws of sockets) {
      if (waiting.has(ws)) {
        ws.terminate();
        continue;
      }
      waiting.add(ws);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();

  return {
    watch(ws: WebSocket) {
      sockets.add(ws);
      ws.on("pong", () => waiting.delete(ws));
      ws.once("close", () => {
        sockets.delete(ws);
        waiting.delete(ws);
      });
    },
    stop() {
      clearInterval(timer);
    },
  };
};
