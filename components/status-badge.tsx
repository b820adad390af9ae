// A small pill for a session's status, used in session lists and headers.

export type SessionStatus = "idle" | "running" | "waiting" | "starting" | "error" | "stopped";

const STYLES: Record<SessionStatus, { dot: string; pill: string; label: string }> = {
  idle: { dot: "bg-muted-foreground", pill: "text-muted-foreground border-border bg-muted", label: "idle" },
  running: { dot: "bg-info animate-pulse", pill: "text-info border-info/40 bg-info/10", label: "running" },
  waiting: { dot: "bg-warning animate-pulse", pill: "text-warning border-warning/40 bg-warning/10", label: "needs approval" },
  starting: { dot: "bg-info", pill: "text-info border-info/40 bg-info/10", label: "starting" },
  error: { dot: "bg-danger", pill: "text-danger border-danger/40 bg-danger/10", label: "error" },
  stopped: { dot: "bg-muted-foreground/60", pill: "text-muted-foreground border-border bg-transparent", label: "stopped" },
};

const isSessionStatus = (status: string): status is SessionStatus => status in STYLES;

export function StatusBadge({ status, className = "" }: { status: SessionStatus | string; className?: string }) {
  // The database stores status as a plain string: show anything unexpected as idle-styled text.
  const style = isSessionStatus(status) ? STYLES[status] : { ...STYLES.idle, label: status };
  return (
    <span
      data-testid="status-badge"
      data-status={status}
      className={`inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium leading-4 ${style.pill} ${className}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${style.dot}`} />
      {style.label}
    </span>
  );
}
