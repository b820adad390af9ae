"use client";
// Owns the session's events socket: resumes from the last seen seq on every (re)connect, so a
// reload, a second tab or a dropped connection all end up with the same transcript.
import { useEffect, useReducer, useState } from "react";
import type { LiveMessage } from "@/server/agent/events";
import { eventsPath } from "@/lib/ws-protocol";
import { applyLiveMessage, initialStreamState, type StreamState } from "./transcript";

type Action = { type: "message"; message: LiveMessage } | { type: "batch"; messages: LiveMessage[] };

const reducer = (state: StreamState, action: Action): StreamState =>
  action.type === "message" ? applyLiveMessage(state, action.message) : action.messages.reduce(applyLiveMessage, state);

export const useSessionStream = (sessionId: string) => {
  const [state, dispatch] = useReducer(reducer, undefined, initialStreamState);
  const [connection, setConnection] = useState<"connecting" | "open" | "reconnecting">("connecting");
  const lastSeqRef = useLastSeq(state.lastSeq);

  useEffect(() => {
    let socket: WebSocket | null = null;
    let attempt = 0;
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending: LiveMessage[] = [];
    let frame = 0;

    // Replays can be thousands of events: apply them in one render per animation frame.
    const flush = () => {
      frame = 0;
      const messages = pending;
      pending = [];
      if (messages.length) dispatch({ type: "batch", messages });
    };

    const connect = () => {
      const protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(`${protocol}//${window.location.host}${eventsPath(sessionId)}?after=${lastSeqRef.current}`);
      socket.onopen = () => {
        attempt = 0;
        setConnection("open");
      };
      socket.onmessage = (message) => {
        pending.push(JSON.parse(String(message.data)) as LiveMessage);
        if (!frame) frame = requestAnimationFrame(flush);
      };
      socket.onclose = () => {
        if (closed) return;
        setConnection("reconnecting");
        attempt += 1;
        timer = setTimeout(connect, Math.min(5_000, 250 * 2 ** attempt));
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(timer);
      if (frame) cancelAnimationFrame(frame);
      socket?.close();
    };
  }, [sessionId, lastSeqRef]);

  return { state, connection };
};

/** A ref that always holds the newest seq, read when a socket (re)connects. */
const useLastSeq = (lastSeq: number) => {
  const [ref] = useState(() => ({ current: lastSeq }));
  ref.current = lastSeq;
  return ref;
};
