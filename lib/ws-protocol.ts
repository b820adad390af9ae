// Wire formats of Pincer's two WebSocket streams (served under /ws/...).
//
// Terminal: /ws/sessions/<id>/terminal?cols=N&rows=N
//   client -> server: text frames of TerminalClientMessage (JSON)
//   server -> client: binary frames = raw TTY output; text frames of TerminalServerMessage (JSON)
// Events:   /ws/sessions/<id>/events?after=<last seen seq>
//   server -> client: text frames, each one LiveMessage (server/agent/events.ts) as JSON

export type TerminalClientMessage =
  | { type: "input"; data: string }
  | { type: "resize"; cols: number; rows: number };

export type TerminalServerMessage = { type: "exit" } | { type: "error"; message: string };

export const terminalPath = (sessionId: string) => `/ws/sessions/${encodeURIComponent(sessionId)}/terminal`;
export const eventsPath = (sessionId: string) => `/ws/sessions/${encodeURIComponent(sessionId)}/events`;
