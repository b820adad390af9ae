"use client";
// A live terminal on a session's sandbox: xterm.js over the terminal WebSocket (lib/ws-protocol.ts).
// Binary frames are raw TTY output; keystrokes and size changes go back as JSON text frames.
// The socket reconnects with backoff when it drops. xterm itself is loaded inside the effect, so
// this module is safe to import during SSR; pages may still load it with next/dynamic({ ssr: false }).

import { useEffect, useRef, useState } from "react";
import "@xterm/xterm/css/xterm.css";
import type { TerminalClientMessage, TerminalServerMessage } from "@/lib/ws-protocol";
import { nextBackoffMs, terminalSocketUrl } from "./terminal-connection";

export type TerminalProps = {
  /** The terminal socket: an absolute ws(s):// URL or a path such as terminalPath(sessionId). */
  wsUrl: string;
  /** Watch only: keystrokes are not sent. */
  readOnly?: boolean;
  className?: string;
};

type ConnectionState = "connecting" | "open" | "reconnecting" | "exited";

/** Set on the container element so tests can read what the terminal shows. */
export type TerminalElement = HTMLDivElement & { pincerTerminalText?: () => string };

const THEME = {
  background: "#0c0e12",
  foreground: "#e4e7ec",
  cursor: "#e4e7ec",
  cursorAccent: "#0c0e12",
  selectionBackground: "#4d8dff55",
  black: "#1b1f27",
  red: "#f0525f",
  green: "#3fb970",
  yellow: "#e0a43a",
  blue: "#4d8dff",
  magenta: "#c678dd",
  cyan: "#39b8c6",
  white: "#c9ced6",
  brightBlack: "#5c6370",
  brightRed: "#ff6b76",
  brightGreen: "#5fd38d",
  brightYellow: "#f2c266",
  brightBlue: "#7aa9ff",
  brightMagenta: "#d898ec",
  brightCyan: "#62d3df",
  brightWhite: "#ffffff",
};

export function Terminal({ wsUrl, readOnly = false, className = "" }: TerminalProps) {
  const containerRef = useRef<TerminalElement>(null);
  const [state, setState] = useState<ConnectionState>("connecting");
  const [restartToken, setRestartToken] = useState(0);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let disposed = false;
    let socket: WebSocket | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let exited = false;
    const cleanups: Array<() => void> = [];

    const send = (message: TerminalClientMessage) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };

    void (async () => {
      const [{ Terminal: XTerm }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      if (disposed) return;
      const term = new XTerm({
        theme: THEME,
        fontFamily: 'ui-monospace, "JetBrains Mono", "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace',
        fontSize: 13,
        lineHeight: 1.15,
        cursorBlink: !readOnly,
        disableStdin: readOnly,
        scrollback: 5000,
        allowProposedApi: false,
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      const host = document.createElement("div");
      host.className = "h-full w-full";
      container.appendChild(host);
      term.open(host);
      cleanups.push(() => {
        term.dispose();
        host.remove();
      });
      container.pincerTerminalText = () => {
        const buffer = term.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
        return lines.join("\n").replace(/\n+$/, "");
      };

      const fitNow = () => {
        if (container.clientWidth === 0 || container.clientHeight === 0) return;
        fit.fit();
      };
      fitNow();

      // Fit at most once per frame however often the container resizes.
      let frame = 0;
      const observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(fitNow);
      });
      observer.observe(container);
      cleanups.push(() => {
        observer.disconnect();
        cancelAnimationFrame(frame);
      });

      const resizeListener = term.onResize(({ cols, rows }) => send({ type: "resize", cols, rows }));
      cleanups.push(() => resizeListener.dispose());
      if (!readOnly) {
        const dataListener = term.onData((data) => send({ type: "input", data }));
        cleanups.push(() => dataListener.dispose());
      }

      // While the server keeps refusing (the engine is away), each retry gets the same error: it is
      // shown once, not once per attempt.
      let lastError: string | null = null;
      const connect = () => {
        if (disposed) return;
        const ws = new WebSocket(terminalSocketUrl(wsUrl, window.location, term.cols, term.rows));
        ws.binaryType = "arraybuffer";
        socket = ws;
        ws.onopen = () => {
          attempt = 0;
          setState("open");
          container.dataset.ready = "true";
          send({ type: "resize", cols: term.cols, rows: term.rows });
        };
        ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
          if (typeof event.data !== "string") {
            // The shell is there again: a later error is news.
            lastError = null;
            term.write(new Uint8Array(event.data));
            return;
          }
          const message = parseServerMessage(event.data);
          if (!message) {
            // Not one of ours: show it rather than drop it.
            term.write(event.data);
            return;
          }
          if (message.type === "exit") {
            exited = true;
            setState("exited");
            term.write("\r\n\x1b[2m[process exited]\x1b[0m\r\n");
            return;
          }
          if (message.message === lastError) return;
          lastError = message.message;
          term.write(`\r\n\x1b[31m[error] ${message.message.replace(/\n/g, "\r\n")}\x1b[0m\r\n`);
        };
        ws.onclose = () => {
          if (socket === ws) socket = null;
          container.dataset.ready = "false";
          if (disposed || exited) return;
          setState("reconnecting");
          const delay = nextBackoffMs(attempt);
          attempt += 1;
          retryTimer = setTimeout(connect, delay);
        };
      };
      connect();
    })();

    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      socket?.close();
      socket = null;
      for (const cleanup of cleanups.reverse()) cleanup();
      delete container.pincerTerminalText;
      container.dataset.ready = "false";
    };
  }, [wsUrl, readOnly, restartToken]);

  return (
    <div className={`relative h-full min-h-40 w-full overflow-hidden rounded-lg border border-border bg-background ${className}`}>
      <div ref={containerRef} data-testid="terminal" data-ready="false" data-state={state} className="absolute inset-0 p-2" />
      {state === "reconnecting" && (
        <span
          data-testid="terminal-reconnecting"
          className="absolute right-2 top-2 rounded-full border border-warning/40 bg-background/90 px-2 py-0.5 text-xs text-warning"
        >
          reconnecting…
        </span>
      )}
      {state === "exited" && (
        <button
          type="button"
          onClick={() => {
            setState("connecting");
            setRestartToken((token) => token + 1);
          }}
          className="absolute right-2 top-2 rounded-full border border-border bg-card px-2 py-0.5 text-xs text-muted-foreground hover:text-foreground"
        >
          exited · restart
        </button>
      )}
      {readOnly && state === "open" && (
        <span className="absolute right-2 top-2 rounded-full border border-border bg-background/90 px-2 py-0.5 text-xs text-muted-foreground">
          read-only
        </span>
      )}
    </div>
  );
}

export default Terminal;

function parseServerMessage(text: string): TerminalServerMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const record = value as Record<string, unknown>;
    if (record.type === "exit") return { type: "exit" };
    if (record.type === "error") return { type: "error", message: String(record.message ?? "unknown error") };
    return undefined;
  } catch {
    return undefined;
  }
}
