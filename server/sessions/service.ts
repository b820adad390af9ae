// Sessions as the rest of the server sees them: create (workspace + sandbox), message, stop,
// diff, and recovery after a restart. Keeps one SessionRunner per live session.
import path from "node:path";
import type { PrismaClient } from "../generated/prisma/client";
import type { SandboxSpec } from "../sandbox/sandbox";
import { initWorkspace } from "../workspace/init";
import { getWorkspaceDiff } from "../workspace/diff";
import type { WorkspaceDiff } from "../workspace/diff-types";
import { createSessionRunner, type RunnerDeps, type SessionRunner, type SessionStatus } from "./runner";
import type { SessionEvent } from "../agent/events";

export type SandboxDefaults = Omit<SandboxSpec, "sessionId" | "ownerId" | "workspaceDir">;

export type SessionServiceDeps = Omit<RunnerDeps, "setStatus"> & {
  db: PrismaClient;
  dataDir: string;
  sandboxDefaults: SandboxDefaults;
  newId: () => string;
};

export type CreateSessionInput = {
  ownerId: string;
  title?: string;
  source: { kind: "empty" } | { kind: "git"; url: string };
};

export class SessionNotFoundError extends Error {
  constructor() {
    super("Session not found.");
    this.name = "SessionNotFoundError";
  }
}

export type SessionService = ReturnType<typeof createSessionService>;

export const createSessionService = (deps: SessionServiceDeps) => {
  const { db, eventLog } = deps;
  const runners = new Map<string, SessionRunner>();
  const ready = new Map<string, Promise<void>>();

  const setStatus = async (sessionId: string, status: SessionStatus) => {
    await db.session.update({ where: { id: sessionId }, data: { status } });
  };

  const specFor = (session: { id: string; ownerId: string; image: string }): SandboxSpec => ({
    ...deps.sandboxDefaults,
    image: session.image,
    sessionId: session.id,
    ownerId: session.ownerId,
    workspaceDir: path.join(deps.dataDir, "workspaces", session.id),
  });

  const runnerFor = async (sessionId: string): Promise<SessionRunner> => {
    const existing = runners.get(sessionId);
    if (existing) return existing;
    const session = await db.session.findUnique({ where: { id: sessionId } });
    if (!session) throw new SessionNotFoundError();
    const runner = createSessionRunner({ ...deps, setStatus }, sessionId, specFor(session));
    runners.set(sessionId, runner);
    return runner;
  };

  /** Workspace, then container; failures are recorded on the session, never thrown away. */
  const prepare = async (sessionId: string, source: CreateSessionInput["source"]) => {
    const runner = await runnerFor(sessionId);
    const session = await db.session.findUniqueOrThrow({ where: { id: sessionId } });
    try {
      await eventLog.append(sessionId, "sandbox_status", { state: "starting", message: source.kind === "git" ? `Cloning ${source.url}…` : "Preparing an empty workspace…" });
      const { baseCommit } = await initWorkspace(specFor(session).workspaceDir, source);
      await db.session.update({ where: { id: sessionId }, data: { baseCommit } });
      const sandbox = await runner.startSandbox();
      await db.session.update({ where: { id: sessionId }, data: { containerId: sandbox.id, status: "idle" } });
      deps.fanOut.setStatus(sessionId, "idle");
      await eventLog.append(sessionId, "sandbox_status", { state: "ready", message: `Sandbox ready (${session.image}).` });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await eventLog.append(sessionId, "sandbox_status", { state: "error", message });
      await setStatus(sessionId, "error");
      deps.fanOut.setStatus(sessionId, "error");
      throw error;
    }
  };

  const waitUntilReady = async (sessionId: string) => {
    await ready.get(sessionId)?.catch(() => undefined);
  };

  return {
    async create(input: CreateSessionInput) {
      const id = deps.newId();
      const title = input.title?.trim() || (input.source.kind === "git" ? repoName(input.source.url) : "New session");
      const image = deps.sandboxDefaults.image;
      const session = await db.session.create({
        data: {
          id,
          ownerId: input.ownerId,
          title,
          status: "starting",
          source: input.source.kind,
          repoUrl: input.source.kind === "git" ? input.source.url : null,
          image,
        },
      });
      await eventLog.append(id, "session_created", {
        title,
        source: input.source.kind,
        repoUrl: input.source.kind === "git" ? input.source.url : undefined,
        image,
      });
      const preparing = prepare(id, input.source);
      ready.set(id, preparing);
      preparing.catch(() => undefined);
      return session;
    },

    waitUntilReady,

    async sendMessage(sessionId: string, text: string, author: string) {
      await waitUntilReady(sessionId);
      const session = await db.session.findUnique({ where: { id: sessionId }, select: { baseCommit: true } });
      if (!session) throw new SessionNotFoundError();
      const runner = await runnerFor(sessionId);
      const earlier = await db.event.count({ where: { sessionId, type: "user_message" } });
      await runner.sendMessage(text, author, earlier === 0);
    },

    /** Resolves when the session's running turn (if any) has ended. */
    async idle(sessionId: string) {
      await runners.get(sessionId)?.idle();
    },

    async stop(sessionId: string) {
      await runners.get(sessionId)?.stop();
    },

    async diff(sessionId: string): Promise<WorkspaceDiff> {
      await waitUntilReady(sessionId);
      const session = await db.session.findUnique({ where: { id: sessionId } });
      if (!session) throw new SessionNotFoundError();
      if (!session.baseCommit) return { baseCommit: "", files: [] };
      const runner = await runnerFor(sessionId);
      return getWorkspaceDiff(runner.sandbox, session.baseCommit);
    },

    async sandbox(sessionId: string) {
      await waitUntilReady(sessionId);
      return (await runnerFor(sessionId)).sandbox;
    },

    events: (sessionId: string, afterSeq: number): Promise<SessionEvent[]> => eventLog.listSince(sessionId, afterSeq),

    /** After a restart: turns that were running are ended cleanly, with every tool call answered. */
    async recover() {
      const interrupted = await db.session.findMany({ where: { status: { in: ["running", "starting"] } } });
      for (const session of interrupted) {
        const events = await eventLog.listSince(session.id, 0);
        const answered = new Set(events.flatMap((e) => (e.type === "tool_result" ? [e.payload.toolUseId] : [])));
        for (const event of events) {
          if (event.type !== "tool_call" || answered.has(event.payload.toolUseId)) continue;
          await eventLog.append(session.id, "tool_result", {
            toolUseId: event.payload.toolUseId,
            name: event.payload.name,
            output: "Interrupted: Pincer restarted while this tool call was pending. It may or may not have run; check before retrying.",
            isError: true,
            durationMs: 0,
          });
        }
        const lastTurn = events.findLast((e) => e.type === "turn_started");
        const finished = events.findLast((e) => e.type === "turn_finished");
        if (lastTurn && (!finished || finished.seq < lastTurn.seq)) {
          const turn = lastTurn.type === "turn_started" ? lastTurn.payload.turn : 0;
          const message = "Pincer restarted during this turn; it was ended. Send a message to continue.";
          await eventLog.append(session.id, "error", { message, kind: "restart" });
          await eventLog.append(session.id, "turn_finished", {
            turn,
            reason: "error",
            usage: { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0 },
            steps: 0,
            error: message,
          });
        }
        await setStatus(session.id, session.baseCommit ? "idle" : "error");
      }
      return interrupted.length;
    },

    /** Stops every running turn (server shutdown). */
    async shutdown() {
      await Promise.all([...runners.values()].map((runner) => runner.stop()));
    },
  };
};

const repoName = (url: string) => url.replace(/\.git$/, "").split(/[/:]/).filter(Boolean).at(-1) ?? "Repository";
