// The open event and terminal sockets per (user, workspace), so a membership change reaches open
// tabs at once: a removed member loses every socket, a member demoted to viewer loses the writable
// terminal (the browser may reconnect read-only).
import type { WebSocket } from "ws";
import { hasRole, type Role } from "../auth/roles";

export type SocketAccess = {
  kind: "events" | "terminal";
  writable: boolean;
  /** Told the new role when the membership changes and the socket may stay open (presence shows it). */
  onRoleChange?: (role: Role) => void;
};

/** Close codes in the application range; the browser tells the person why the stream stopped. */
export const membershipRevokedCode = 4403;

const key = (userId: string, workspaceId: string) => `${userId}\u0000${workspaceId}`;

const mayKeep = (access: SocketAccess, role: Role | null) => {
  if (!role) return false;
  return !(access.kind === "terminal" && access.writable && !hasRole(role, "member"));
};

export const createSocketRegistry = () => {
  const open = new Map<string, Map<WebSocket, SocketAccess>>();

  return {
    track(userId: string, workspaceId: string, ws: WebSocket, access: SocketAccess) {
      const k = key(userId, workspaceId);
      const sockets = open.get(k) ?? new Map<WebSocket, SocketAccess>();
      sockets.set(ws, access);
      open.set(k, sockets);
      ws.once("close", () => {
        sockets.delete(ws);
        if (sockets.size === 0 && open.get(k) === sockets) open.delete(k);
      });
    },

    /** role null: the membership is gone. Returns how many sockets were closed. */
    membershipChanged(userId: string, workspaceId: string, role: Role | null) {
      const sockets = open.get(key(userId, workspaceId));
      if (!sockets) return 0;
      const revoked = [...sockets].filter(([, access]) => !mayKeep(access, role));
      if (role) for (const [, access] of sockets) if (mayKeep(access, role)) access.onRoleChange?.(role);
      for (const [ws] of revoked) {
        sockets.delete(ws);
        ws.close(membershipRevokedCode, role ? "Your role no longer allows this." : "You are no longer a member of this workspace.");
        // A client that never answers the close handshake is cut off instead of lingering half-open.
        setTimeout(() => ws.terminate(), 1000).unref();
      }
      return revoked.length;
    },

    count(userId: string, workspaceId: string) {
      return open.get(key(userId, workspaceId))?.size ?? 0;
    },
  };
};

export type SocketRegistry = ReturnType<typeof createSocketRegistry>;
