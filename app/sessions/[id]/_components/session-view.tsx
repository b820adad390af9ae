"use client";
// The session page's one live client component: transcript, composer, terminal and changes.
import dynamic from "next/dynamic";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/react";
import { terminalPath } from "@/lib/ws-protocol";
import { StatusBadge } from "@/components/status-badge";
import { Transcript } from "./transcript-view";
import { Composer } from "./composer";
import { useSessionStream } from "./use-session-stream";
import { ReviewPanel } from "./review-panel";
import { buildTranscript, currentMode, formatCost, sessionTotals } from "./transcript";
import { ModeSelect } from "./mode-select";

const Terminal = dynamic(() => import("@/components/terminal"), { ssr: false, loading: () => <PanelNote text="Loading terminal…" /> });

export function SessionView({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useQuery(trpc.sessions.get.queryOptions({ sessionId }));
  const { state, connection } = useSessionStream(sessionId);
  const items = useMemo(() => buildTranscript(state), [state]);
  const totals = useMemo(() => sessionTotals(state.events), [state.events]);
  const [panel, setPanel] = useState<"terminal" | "changes">("terminal");
  const running = state.status === "running" || state.status === "waiting";

  // The diff follows the agent: refresh it whenever a tool finishes or a turn ends.
  const diffKey = trpc.sessions.diff.queryKey({ sessionId });
  const lastChange = useMemo(
    () => state.events.findLast((e) => e.type === "tool_result" || e.type === "turn_finished" || e.type === "sandbox_status")?.seq ?? 0,
    [state.events],
  );
  const seenChange = useRef(0);
  useEffect(() => {
    if (lastChange === seenChange.current) return;
    seenChange.current = lastChange;
    void queryClient.invalidateQueries({ queryKey: diffKey });
    void queryClient.invalidateQueries({ queryKey: trpc.sessions.get.queryKey({ sessionId }) });
  }, [lastChange, queryClient, diffKey, trpc, sessionId]);

  const send = useMutation(trpc.sessions.send.mutationOptions());
  const stop = useMutation(trpc.sessions.stop.mutationOptions());
  const answer = useMutation(trpc.sessions.answerPermission.mutationOptions());
  const setMode = useMutation(trpc.sessions.setMode.mutationOptions());
  const mode = useMemo(() => currentMode(state.events), [state.events]);

  if (session.error) {
    return (
      <main className="p-8">
        <p className="text-danger" data-testid="session-error">{session.error.message}</p>
        <Link href="/" className="text-info underline">Back to sessions</Link>
      </main>
    );
  }

  return (
    <main className="grid h-[calc(100vh-3rem)] grid-cols-1 lg:grid-cols-2">
      <section className="flex min-h-0 flex-col border-r border-border">
        <div className="flex items-center gap-3 border-b border-border px-4 py-2">
          <h1 className="truncate font-medium" data-testid="session-title">{session.data?.title ?? "…"}</h1>
          <StatusBadge status={state.status} />
          <ModeSelect mode={mode} disabled={setMode.isPending} onChange={(next) => setMode.mutate({ sessionId, mode: next })} />
          {connection !== "open" && (
            <span className="text-xs text-warning" data-testid="connection-state">{connection}…</span>
          )}
          <span className="ml-auto truncate text-xs text-muted-foreground" data-testid="session-usage">
            {totals.tokensIn.toLocaleString()} in ({totals.cached.toLocaleString()} cached) · {totals.tokensOut.toLocaleString()} out · {formatCost(totals.costUsd)}
          </span>
          <span className="truncate text-xs text-muted-foreground">{session.data?.image}</span>
        </div>
        <Transcript items={items} onAnswer={(requestId, choice, message) => answer.mutateAsync({ sessionId, requestId, choice, message })} />
        <Composer
          running={running}
          sending={send.isPending}
          error={send.error?.message ?? stop.error?.message}
          onSend={(text) => send.mutateAsync({ sessionId, text })}
          onStop={() => stop.mutate({ sessionId })}
        />
      </section>
      <section className="flex min-h-0 flex-col">
        <div className="flex gap-1 border-b border-border px-2 py-1 text-sm">
          <TabButton active={panel === "terminal"} onClick={() => setPanel("terminal")} testId="tab-terminal">Terminal</TabButton>
          <TabButton active={panel === "changes"} onClick={() => setPanel("changes")} testId="tab-changes">Changes</TabButton>
        </div>
        <div className="min-h-0 flex-1 overflow-hidden">
          <div className={panel === "terminal" ? "h-full p-2" : "hidden"}>
            {session.data?.baseCommit ? <Terminal wsUrl={terminalPath(sessionId)} /> : <PanelNote text="The sandbox is starting…" />}
          </div>
          {panel === "changes" && <ReviewPanel sessionId={sessionId} lastChange={lastChange} running={running} />}
        </div>
      </section>
    </main>
  );
}

function TabButton({ active, onClick, children, testId }: { active: boolean; onClick: () => void; children: React.ReactNode; testId: string }) {
  return (
    <button
      type="button"
      data-testid={testId}
      onClick={onClick}
      className={`rounded px-3 py-1 ${active ? "bg-accent text-foreground" : "text-muted-foreground hover:text-foreground"}`}
    >
      {children}
    </button>
  );
}

function PanelNote({ text }: { text: string }) {
  return <p className="p-4 text-sm text-muted-foreground">{text}</p>;
}
