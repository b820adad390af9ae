// /ws/sessions/<id>/terminal — a real TTY in the session's sandbox, bridged to xterm.js.
import type { WebSocket } from "ws";
import { z } from "zod";
import type { TerminalServerMessage } from "../../lib/ws-protocol";
import type { Services } from "../services";

const clientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input"), data: z.string().max(1_000_000) }),
  z.object({ type: z.literal("resize"), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(2).max(500) }),
]);

const sendControl = (ws: WebSocket, message: TerminalServerMessage) => {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
};

export const serveTerminalSocket = async (
  ws: WebSocket,
  services: Services,
  sessionId: string,
  size: { cols: number; rows: number },
  /** Viewers watch: their keystrokes are dropped. */
  options: { readOnly: boolean } = { readOnly: false },
) => {
  const tty = await services.sessions
    .sandbox(sessionId)
    .then((sandbox) => sandbox.openTty({ cols: size.cols, rows: size.rows, cwd: "/workspace" }))
    .catch((error: unknown) => {
      sendControl(ws, { type: "error", message: `Could not open a terminal: ${error instanceof Error ? error.message : String(error)}` });
      ws.close();
      return null;
    });
  if (!tty) return;

  tty.onData((chunk) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
  });
  tty.onExit(() => {
    sendControl(ws, { type: "exit" });
    ws.close();
  });
  ws.on("message", (raw, isBinary) => {
    if (isBinary) return;
    const parsed = clientMessage.safeParse(safeJson(raw.toString()));
    if (!parsed.success) return;
    if (parsed.data.type === "input") {
      if (!options.readOnly) tty.write(parsed.data.data);
      return;
    }
    void tty.resize(parsed.data.cols, parsed.data.rows).catch(() => undefined);
  });
  ws.on("close", () => tty.close());
};

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};
