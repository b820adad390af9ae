"use client";
// The session page's one live client component: transcript, composer, terminal and changes.
import dynamic from "next/dynamic";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/lib/trpc/react";
import { terminalPath } from "@/lib/ws-protocol";
import { StatusBadge } from "@/components/status-badge";
import { EngineBanner } from "@/components/engine-banner";
import { Transcript } from "./transcript-view";
import { Composer } from "./composer";
import { useSessionStream } from "./use-session-stream";
import { ReviewPanel } from "./review-panel";
import { buildTranscript, currentMode, currentTodos, formatCost, mcpServers, sandboxRuntime, sessionTotals } from "./transcript";
import { TodoList } from "./todo-list";
import { RulesPanel } from "./rules-panel";
import { ModeSelect } from "./mode-select";
import { SandboxUsage } from "./sandbox-usage";
import { SessionWatchers } from "./session-watchers";

const Terminal = dynamic(() => import("@/components/terminal"), { ssr: false, loading: () => <PanelNote text="Loading terminal…" /> });

export function SessionView({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useQuery(trpc.sessions.get.queryOptions({ sessionId }));
  // Until the role is known, act as a member would: the server checks every action anyway.
  const canAct = session.data?.role !== "viewer";
  const { state, connection } = useSessionStream(sessionId);
  const items = useMemo(() => buildTranscript(state), [state]);
  const totals = useMemo(() => sessionTotals(state.events), [state.events]);
  const mcp = useMemo(() => mcpServers(state.events), [state.events]);
  const runtime = useMemo(() => sandboxRuntime(state.events), [state.events]);
  const [panel, setPanel] = useState<"terminal" | "changes" | "rules">("terminal");
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
  const answerQuestion = useMutation(trpc.sessions.answerQuestion.mutationOptions());
  const todos = useMemo(() => currentTodos(state.events), [state.events]);
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
          <h1 className="min-w-[6rem] max-w-[40%] truncate font-medium" data-testid="session-title">{session.data?.title ?? "…"}</h1>
          <StatusBadge status={state.status} />
          <ModeSelect mode={mode} disabled={setMode.isPending || !canAct} bypassPermitted={session.data?.bypassPermitted ?? false} onChange={(next) => setMode.mutate({ sessionId, mode: next })} />
          {setMode.error && <span className="max-w-xs truncate text-xs text-danger" title={setMode.error.message} data-testid="mode-error">{setMode.error.message}</span>}
          {connection !== "open" && (
            <span className="text-xs text-warning" data-testid="connection-state">{connection}…</span>
          )}
          {/* Presence is only known while connected: a reconnecting page shows nobody rather than stale names. */}
          <SessionWatchers watchers={connection === "open" ? state.watchers : []} />
          {mcp.length > 0 && (
            <span className="flex gap-1 text-xs" data-testid="mcp-servers">
              {mcp.map((server) => (
                <span key={server.name} title={server.message ?? `${server.tools} tools (${server.transport})`} data-testid={`mcp-server-${server.name}`}
                  className={server.state === "down" ? "text-danger" : "text-muted-foreground"}>
                  {server.state === "down" ? "○" : "●"} {server.name}
                </span>
              ))}
            </span>
          )}
          <span className="ml-auto truncate text-xs text-muted-foreground" data-testid="session-usage">
            {totals.tokensIn.toLocaleString()} in ({totals.cached.toLocaleString()} cached) · {totals.tokensOut.toLocaleString()} out · {formatCost(totals.costUsd)}
          </span>
          <span className="truncate text-xs text-muted-foreground" data-testid="session-image" title={`${session.data?.image ?? ""}${runtime ? ` · ${runtime}` : ""}`}>
            {session.data?.image}
            {runtime && <span data-testid="session-runtime" title={runtime === "runsc" ? "gVisor: a user-space kernel between the sandbox and the host" : undefined}> · {runtime}</span>}
          </span>
        </div>
        <EngineBanner />
        <Transcript items={items} onAnswer={(requestId, choice, message) => answer.mutateAsync({ sessionId, requestId, choice, message })}
          onAnswerQuestion={(requestId, answers) => answerQuestion.mutateAsync({ sessionId, requestId, answers })}
          canAct={canAct}
        />
        <TodoList todos={todos} />
        {canAct ? (
          <Composer
            running={running}
            sending={send.isPending}
            error={send.error?.message ?? stop.error?.message}
            onSend={(text) => send.mutateAsync({ sessionId, text })}
            onStop={() => stop.mutate({ sessionId })}
          />
        ) : (
          <p className="border-t border-border px-4 py-3 text-sm text-muted-foreground" data-testid="viewer-note">
            You are a viewer in this workspace: you can watch this session but not send messages or answer approvals.
          </p>
        )}
      </section>
      <section className="flex min-h-0 flex-col">
        <div className="flex gap-1 border-b border-border px-2 py-1 text-sm">
          <TabButton active={panel === "terminal"} onClick={() => setPanel("terminal")} testId="tab-terminal">Terminal</TabButton>
          <TabButton active={panel === "changes"} onClick={() => setPanel("changes")} testId="tab-changes">Changes</TabButton>
          <TabButton active={panel === "rules"} onClick={() => setPanel("rules")} testId="tab-rules">Rules</TabButton>
          <SandboxUsage sessionId={sessionId} />
        </div>
        <div className="min-h-0 flex-1 overflow-hidden">
          <div className={panel === "terminal" ? "h-full p-2" : "hidden"}>
            {session.data?.baseCommit ? <Terminal wsUrl={terminalPath(sessionId)} /> : <PanelNote text="The sandbox is starting…" />}
          </div>
          {panel === "rules" && <RulesPanel sessionId={sessionId} refreshKey={lastChange} />}
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
