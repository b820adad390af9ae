// One HTTP server on one port: tRPC under /api/trpc, WebSockets under /ws/..., everything else
// to Next. Kept apart from index.ts so tests can start it with their own services.
import http from "node:http";
import type { Duplex } from "node:stream";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { WebSocketServer } from "ws";
import { appRouter } from "./trpc/root";
import type { User } from "./trpc/init";
import type { Services } from "./services";
import { serveEventsSocket } from "./ws/events-socket";
import { serveTerminalSocket } from "./ws/terminal-socket";

type NextHandlers = {
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;
  upgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> | void;
};

export type ServerOptions = {
  services: Services;
  /** Who is asking; null means anonymous (refused by protected procedures and sockets). */
  identify: (req: http.IncomingMessage) => Promise<User | null>;
  next?: NextHandlers;
};

const socketRoute = /^\/ws\/sessions\/([A-Za-z0-9_-]{1,100})\/(events|terminal)$/;

export const createPincerServer = ({ services, identify, next }: ServerOptions) => {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: async ({ req }) => ({ user: await identify(req), services }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith("/api/trpc/")) return void trpc(req, res);
    if (url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (!next) {
      res.writeHead(404).end("Not found");
      return;
    }
    void Promise.resolve(next.handle(req, res)).catch((error: unknown) => {
      console.error("Next handler failed:", error);
      if (!res.headersSent) res.writeHead(500).end("Internal error");
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/ws/")) {
      if (next?.upgrade) return void next.upgrade(req, socket, head);
      return void socket.destroy();
    }
    const match = socketRoute.exec(url.pathname);
    void (async () => {
      const user = await identify(req);
      const sessionId = match?.[1];
      const owned = user && sessionId ? await services.db.session.findFirst({ where: { id: sessionId, ownerId: user.id }, select: { id: true } }) : null;
      if (!match || !sessionId || !owned) {
        socket.end(`HTTP/1.1 ${user ? "404 Not Found" : "401 Unauthorized"}\r\nConnection: close\r\n\r\n`);
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => {
        if (match[2] === "events") {
          void serveEventsSocket(ws, services, sessionId, Number(url.searchParams.get("after")) || 0).catch((error: unknown) => {
            console.error("events socket failed:", error);
            ws.close(1011, "internal error");
          });
          return;
        }
        const cols = clamp(Number(url.searchParams.get("cols")) || 80, 2, 1000);
        const rows = clamp(Number(url.searchParams.get("rows")) || 24, 2, 500);
        void serveTerminalSocket(ws, services, sessionId, { cols, rows });
      });
    })().catch((error: unknown) => {
      console.error("upgrade failed:", error);
      socket.destroy();
    });
  });

  return { server, sockets };
};

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(value)));
