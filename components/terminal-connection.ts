// Pure pieces of the terminal's socket handling: where to connect and how long to wait to retry.

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/** 500 ms, 1 s, 2 s, 4 s, 8 s, then 10 s: the wait before reconnect attempt `attempt` (0-based). */
export function nextBackoffMs(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
}

/**
 * The socket URL for `wsUrl` (absolute ws(s)/http(s) URL, or a path on this origin), with the
 * terminal's current size as ?cols=&rows= so the server can size the TTY before the first output.
 */
export function terminalSocketUrl(wsUrl: string, location: { protocol: string; host: string }, cols: number, rows: number): string {
  const wsProtocol = location.protocol === "https:" ? "wss:" : "ws:";
  const url = new URL(wsUrl, `${wsProtocol}//${location.host}`);
  if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol === "http:") url.protocol = "ws:";
  url.searchParams.set("cols", String(cols));
  url.searchParams.set("rows", String(rows));
  return url.toString();
}
