// One HTTP server on one port: better-auth under /api/auth, tRPC under /api/trpc, WebSockets
// under /ws/..., everything else to Next (signed-out page loads go to sign-in first). Kept apart
// from index.ts so tests can start it with their own services.
import http from "node:http";
import type { Duplex } from "node:stream";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { WebSocketServer } from "ws";
import { hasRole, type Role } from "./auth/roles";
import { membershipIn } from "./auth/workspaces";
import type { Identity } from "./auth/auth";
import { appRouter } from "./trpc/root";
import { SandboxError } from "./sandbox/sandbox";
import type { Services } from "./services";
import { serveEventsSocket } from "./ws/events-socket";
import { createHeartbeat } from "./ws/heartbeat";
import { serveTerminalSocket } from "./ws/terminal-socket";

type NextHandlers = {
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;
  upgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> | void;
};

export type ServerOptions = {
  services: Services;
  /** Who is asking; null means anonymous (refused by protected procedures and sockets). */
  identify: (req: http.IncomingMessage) => Promise<Identity | null>;
  /** better-auth's handler, and whether the install still waits for its first account. */
  auth?: { handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void; needsFirstAccount: () => Promise<boolean> };
  next?: NextHandlers;
  /** How often sockets are pinged; one silent for a whole interval is cut off (default 30 s). */
  heartbeatMs?: number;
};

/** Pages a signed-out browser may load; everything else sends it to sign-in. */
const openPage = /^\/(sign-in|sign-up|invite\/[^/]+)\/?$/;
const pageRequest = (req: http.IncomingMessage, pathname: string) =>
  req.method === "GET" && !/^\/(_next|api|ws|healthz|favicon)/.test(pathname) && !/\.[a-z0-9]+$/i.test(pathname);

/** CSRF and socket hijacking: a browser's cross-site request carries an Origin that is not this host. */
const crossSite = (req: http.IncomingMessage) => {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
};

/** Mutations are same-origin (crossSite), so a browser's Origin is this server as the browser reaches it. */
const requestOrigin = (req: http.IncomingMessage) => req.headers.origin ?? (req.headers.host ? `http://${req.headers.host}` : null);

const socketRoute = /^\/ws\/sessions\/([A-Za-z0-9_-]{1,100})\/(events|terminal)$/;

export const createPincerServer = ({ services, identify, auth, next, heartbeatMs = 30_000 }: ServerOptions) => {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: async ({ req }) => {
      const identity = await identify(req);
      return { user: identity?.user ?? null, membership: identity?.membership ?? null, services, origin: requestOrigin(req) };
    },
    onError: ({ error, path }) => {
      // An engine outage is logged once by the engine watcher, not on every request it fails.
      if (error.cause instanceof SandboxError && error.cause.code === "engine_unreachable") return;
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });

  /** Signed-out page loads go to sign-up on a fresh install, else to sign-in (and back after). */
  const signInRedirect = async (req: http.IncomingMessage, pathname: string) => {
    if (!auth || !pageRequest(req, pathname) || openPage.test(pathname)) return null;
    if (await identify(req)) return null;
    if (await auth.needsFirstAccount()) return "/sign-up";
    return pathname === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(req.url ?? "/")}`;
  };

  const handleRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? "/";
    const pathname = new URL(url, "http://localhost").pathname;
    if (url.startsWith("/api/auth/") && auth) return auth.handler(req, res);
    if (url.startsWith("/api/trpc/")) {
      if (crossSite(req)) return void res.writeHead(403, { "content-type": "text/plain" }).end("Cross-site request refused");
      return trpc(req, res);
    }
    if (url === "/healthz") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    if (!next) return void res.writeHead(404).end("Not found");
    const redirect = await signInRedirect(req, pathname);
    if (redirect) return void res.writeHead(302, { location: redirect, "cache-control": "no-store" }).end();
    await next.handle(req, res);
  };

  const server = http.createServer((req, res) => {
    void handleRequest(req, res).catch((error: unknown) => {
      console.error("Request failed:", error);
      if (!res.headersSent) res.writeHead(500).end("Internal error");
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  const heartbeat = createHeartbeat(heartbeatMs);
  server.on("close", heartbeat.stop);

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/ws/")) {
      if (next?.upgrade) return void next.upgrade(req, socket, head);
      return void socket.destroy();
    }
    const match = socketRoute.exec(url.pathname);
    void (async () => {
      const identity = await identify(req);
      const sessionId = match?.[1];
      // Any member of the session's workspace may watch; another workspace's session does not exist.
      const session = identity && sessionId ? await services.db.session.findUnique({ where: { id: sessionId }, select: { workspaceId: true } }) : null;
      const membership = identity && session ? await membershipIn(services.db, identity.user.id, session.workspaceId) : null;
      if (!match || !sessionId || !identity || !session || !membership || crossSite(req)) {
        socket.end(`HTTP/1.1 ${identity ? "404 Not Found" : "401 Unauthorized"}\r\nConnection: close\r\n\r\n`);
        return;
      }
      const writable = hasRole(membership.role, "member");
      sockets.handleUpgrade(req, socket, head, (ws) => {
        const kind = match[2] === "events" ? "events" : "terminal";
        const onRoleChange = kind === "events" ? (role: Role) => services.fanOut.changeRole(sessionId, identity.user.id, role) : undefined;
        services.sockets.track(identity.user.id, session.workspaceId, ws, { kind, writable, onRoleChange });
        heartbeat.watch(ws);
        if (kind === "events") {
          const who = { userId: identity.user.id, name: identity.user.name, role: membership.role };
          void serveEventsSocket(ws, services, sessionId, Number(url.searchParams.get("after")) || 0, who).catch((error: unknown) => {
            console.error("events socket failed:", error);
            ws.close(1011, "internal error");
          });
          return;
        }
        const cols = clamp(Number(url.searchParams.get("cols")) || 80, 2, 1000);
        const rows = clamp(Number(url.searchParams.get("rows")) || 24, 2, 500);
        void serveTerminalSocket(ws, services, sessionId, { cols, rows }, { readOnly: !writable });
      });
    })().catch((error: unknown) => {
      console.error("upgrade failed:", error);
      socket.destroy();
    });
  });

  return { server, sockets };
};

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(value)));
