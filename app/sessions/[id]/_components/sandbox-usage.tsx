"use client";
// The session's sandbox at a glance (its image is in the header): live resource use as the engine
// measures it, refreshed every few seconds while the page is open (React Query stops in a background tab).
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/react";
import { formatBytes, formatCpu } from "./sandbox-usage-format";

const REFRESH_MS = 3_000;

export function SandboxUsage({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  // Its own request: the engine takes about a second to answer, which must not hold up a batch.
  const resources = useQuery({
    ...trpc.sessions.resources.queryOptions({ sessionId }, { trpc: { context: { skipBatch: true } } }),
    refetchInterval: REFRESH_MS,
  });
  const usage = resources.data?.usage;
  return (
    <span className="ml-auto flex min-w-0 items-center gap-3 truncate px-2 text-xs text-muted-foreground" data-testid="sandbox-usage" title={resources.data?.image}>
      {resources.error && <span className="text-warning" title={resources.error.message} data-testid="sandbox-usage-error">usage unavailable</span>}
      {resources.data && !usage && <span data-testid="sandbox-stopped">not running</span>}
      {usage && (
        <>
          <span title="CPU over the last second" data-testid="sandbox-cpu">CPU {formatCpu(usage.cpuPercent, usage.cpuLimit)}</span>
          <span title="Memory in use (without reclaimable page cache)" data-testid="sandbox-memory">
            {formatBytes(usage.memoryBytes)}{usage.memoryLimitBytes ? ` / ${formatBytes(usage.memoryLimitBytes)}` : ""}
          </span>
          <span title="Processes" data-testid="sandbox-pids">{usage.pids}{usage.pidsLimit ? `/${usage.pidsLimit}` : ""} pids</span>
          {usage.state === "paused" && <span title="Paused after being idle; the next command resumes it">paused</span>}
        </>
      )}
    </span>
  );
}
