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
import type { ApprovalAnswer, PermissionMode } from "./approvals";
import { effectiveRules } from "./effective-rules";
import { bypassPermission, SERVER_DEFAULTS, type RuleSource } from "../permissions/policy";
import { readProjectRules } from "./permission-gate";
import { recordCheckpoint } from "../review/checkpoints";
import { parseSlashCommand, runSlashCommand } from "../agent/commands";
import { createCommandEnv } from "./command-env";
import { UnknownImageError, type SandboxImageOption } from "../sandbox/images";

export type SandboxDefaults = Omit<SandboxSpec, "sessionId" | "ownerId" | "workspaceDir">;

export type SessionServiceDeps = Omit<RunnerDeps, "setStatus"> & {
  db: PrismaClient;
  dataDir: string;
  sandboxDefaults: SandboxDefaults;
  /** The images a session may pick (server/sandbox/images.ts); default: only sandboxDefaults.image. */
  sandboxImages?: SandboxImageOption[];
  newId: () => string;
  /** Sources between the defaults and the project for a session: its workspace's team policy. */
  ruleSourcesFor?: (sessionId: string) => Promise<RuleSource[]>;
};

export type CreateSessionInput = {
  ownerId: string;
  workspaceId: string;
  title?: string;
  source: { kind: "empty" } | { kind: "git"; url: string };
  /** One of the server's sandbox images; default: sandboxDefaults.image. */
  image?: string;
};

export class SessionNotFoundError extends Error {
  constructor() {
    super("Session not found.");
    this.name = "SessionNotFoundError";
  }
}

export class BypassNotPermittedError extends Error {
  constructor(reason: string) {
    super(`${reason}. An admin can allow bypass mode in Settings → Team policy.`);
    this.name = "BypassNotPermittedError";
  }
}

export type SessionService = ReturnType<typeof createSessionService>;

export const createSessionService = (deps: SessionServiceDeps) => {
  const { db, eventLog } = deps;
  const runners = new Map<string, SessionRunner>();
  const ready = new Map<string, Promise<void>>();
  const images = deps.sandboxImages ?? [{ image: deps.sandboxDefaults.image, label: deps.sandboxDefaults.image }];

  const setStatus = async (sessionId: string, status: SessionStatus) => {
    await db.session.update({ where: { id: sessionId }, data: { status } });
  };

  // Review: every turn ends with a checkpoint of the workspace (server/review/checkpoints.ts).
  const checkpointAfterTurn: RunnerDeps["afterTurn"] = async (sessionId, turn, sandbox) => {
    const session = await db.session.findUnique({ where: { id: sessionId }, select: { baseCommit: true } });
    if (!session?.baseCommit) return;
    await recordCheckpoint({
      sandbox, eventLog, sessionId, baseCommit: session.baseCommit, turn, reason: "turn",
      onReinitialised: async (newBase) => {
        await db.session.update({ where: { id: sessionId }, data: { baseCommit: newBase } });
        await eventLog.append(sessionId, "error", { message: "The workspace was no longer a git repository (.git was removed). Pincer initialised a new one; changes are now shown from this point.", kind: "workspace_reinitialised" });
      },
    });
  };

  const specFor = (session: { id: string; ownerId: string; image: string }): SandboxSpec => ({
    ...deps.sandboxDefaults,
    image: session.image,
    sessionId: session.id,
    ownerId: session.ownerId,
    workspaceDir: path.join(deps.dataDir, "workspaces", session.id),
  });

  const ruleSourcesFor = async (sessionId: string) => (await deps.ruleSourcesFor?.(sessionId)) ?? [];

  const bypassFor = async (sessionId: string) => {
    const session = await db.session.findUnique({ where: { id: sessionId } });
    if (!session) throw new SessionNotFoundError();
    const project = await readProjectRules(specFor(session).workspaceDir);
    return bypassPermission({ sources: [SERVER_DEFAULTS, ...(await ruleSourcesFor(sessionId)), ...project.sources] });
  };

  const runnerFor = async (sessionId: string): Promise<SessionRunner> => {
    const existing = runners.get(sessionId);
    if (existing) return existing;
    const session = await db.session.findUnique({ where: { id: sessionId } });
    if (!session) throw new SessionNotFoundError();
    const runner = createSessionRunner({ ...deps, setStatus, afterTurn: checkpointAfterTurn }, sessionId, specFor(session));
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
      const runtime = sandbox.runtime ? `, runtime ${sandbox.runtime}` : "";
      await eventLog.append(sessionId, "sandbox_status", { state: "ready", message: `Sandbox ready (${session.image}${runtime}).`, runtime: sandbox.runtime });
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

  const service = {
    async create(input: CreateSessionInput) {
      const id = deps.newId();
      const title = input.title?.trim() || (input.source.kind === "git" ? repoName(input.source.url) : "New session");
      const image = input.image ?? deps.sandboxDefaults.image;
      if (!images.some((option) => option.image === image)) throw new UnknownImageError(image, images);
      const session = await db.session.create({
        data: {
          id,
          ownerId: input.ownerId,
          workspaceId: input.workspaceId,
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

    /** The sandbox images a new session can pick, the default first. */
    images: () => images,

    async sendMessage(sessionId: string, text: string, author: string) {
      await waitUntilReady(sessionId);
      const session = await db.session.findUnique({ where: { id: sessionId }, select: { baseCommit: true } });
      if (!session) throw new SessionNotFoundError();
      const runner = await runnerFor(sessionId);
      // Slash commands (server/agent/commands.ts): built-ins act here; a custom one becomes the prompt.
      const command = parseSlashCommand(text);
      const compact = (service as { compact?: (sessionId: string, focus?: string) => Promise<unknown> }).compact;
      const outcome = command
        ? await runSlashCommand(command, createCommandEnv({
          db, eventLog, sessionId, author,
          workspaceDir: path.join(deps.dataDir, "workspaces", sessionId),
          running: () => runner.running,
          mode: () => runner.mode(),
          compact: compact ? (focus) => compact(sessionId, focus) : undefined,
        }))
        : null;
      if (outcome?.kind === "handled") return;
      // A new conversation (the first message, or the first after /clear) carries the environment note.
      const last = await db.event.findFirst({ where: { sessionId, type: { in: ["user_message", "conversation_cleared"] } }, orderBy: { seq: "desc" }, select: { type: true } });
      await runner.sendMessage(outcome?.kind === "prompt" ? outcome.text : text, author, !last || last.type === "conversation_cleared");
    },

    /** True while a turn runs (review actions that rewrite the workspace wait for it to end). */
    running: (sessionId: string) => runners.get(sessionId)?.running ?? false,

    /** Resolves when the session's running turn (if any) has ended. */
    async idle(sessionId: string) {
      await runners.get(sessionId)?.idle();
    },

    /** `/compact [focus]`: summarise the conversation now. Throws SessionBusyError while a turn runs. */
    async compact(sessionId: string, focus?: string) {
      await waitUntilReady(sessionId);
      return (await runnerFor(sessionId)).compact(focus);
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

    /**
     * After a restart: a turn that was running continues from the log. Calls that had started are
     * answered as interrupted (they may or may not have run); calls that had not started, and
     * approvals nobody answered yet, are picked up again. Sessions cut off while preparing fail.
     */
    async recover() {
      const interrupted = await db.session.findMany({ where: { status: { in: ["running", "waiting", "starting"] } } });
      for (const session of interrupted) {
        if (session.status === "starting" || !session.baseCommit) {
          await eventLog.append(session.id, "sandbox_status", { state: "error", message: "Pincer restarted while this session was being prepared. Create a new session." });
          await setStatus(session.id, "error");
          continue;
        }
        const events = await eventLog.listSince(session.id, 0);
        const answered = new Set(events.flatMap((e) => (e.type === "tool_result" ? [e.payload.toolUseId] : [])));
        for (const event of events) {
          if (event.type !== "tool_started" || answered.has(event.payload.toolUseId)) continue;
          const call = events.find((e) => e.type === "tool_call" && e.payload.toolUseId === event.payload.toolUseId);
          await eventLog.append(session.id, "tool_result", {
            toolUseId: event.payload.toolUseId,
            name: call?.type === "tool_call" ? call.payload.name : "unknown",
            output: "Interrupted: Pincer restarted while this tool call was running. It may or may not have finished; check before retrying.",
            isError: true,
            durationMs: 0,
          });
        }
        const lastTurn = events.findLast((e) => e.type === "turn_started");
        const finished = events.findLast((e) => e.type === "turn_finished");
        if (!lastTurn || (finished && finished.seq > lastTurn.seq)) {
          await setStatus(session.id, "idle");
          continue;
        }
        await eventLog.append(session.id, "error", { message: "Pincer restarted during this turn; it continues from where it stopped.", kind: "restart" });
        (await runnerFor(session.id)).resume();
      }
      return interrupted.length;
    },

    /** Refuses bypassPermissions where the team policy does not permit it (the gate would not honour it either). */
    async setMode(sessionId: string, mode: PermissionMode, by: string) {
      if (mode === "bypassPermissions") {
        const bypass = await bypassFor(sessionId);
        if (!bypass.permitted) throw new BypassNotPermittedError(bypass.reason);
      }
      await (await runnerFor(sessionId)).setMode(mode, by);
    },

    async bypassPermitted(sessionId: string): Promise<boolean> {
      return (await bypassFor(sessionId)).permitted;
    },

    async mode(sessionId: string): Promise<PermissionMode> {
      return (await runnerFor(sessionId)).mode();
    },

    /** The rules in force for the session, by source (defaults, project files, session answers). */
    async rules(sessionId: string) {
      const session = await db.session.findUnique({ where: { id: sessionId } });
      if (!session) throw new SessionNotFoundError();
      return effectiveRules(specFor(session).workspaceDir, await eventLog.listSince(sessionId, 0), await ruleSourcesFor(sessionId));
    },

    /** False when no call waits on that question any more. */
    async answerQuestion(sessionId: string, requestId: string, answers: string[], by: string) {
      return (await runnerFor(sessionId)).answerQuestion(requestId, answers, by);
    },

    /** False when nothing waits on that request any more (answered elsewhere, or the turn ended). */
    async answerPermission(sessionId: string, requestId: string, answer: ApprovalAnswer) {
      return (await runnerFor(sessionId)).answerPermission(requestId, answer);
    },

    /**
     * Removes sandboxes left behind by sessions this install no longer has. Only sandboxes whose
     * workspace lies in this install's data folder are considered: another Pincer on the same
     * engine (a second data folder) keeps its own.
     */
    async collectOrphans(): Promise<string[]> {
      const root = path.join(deps.dataDir, "workspaces") + path.sep;
      const ours = (await deps.driver.list()).filter((sandbox) => sandbox.workspaceDir?.startsWith(root));
      const known = await db.session.findMany({ where: { id: { in: ours.map((sandbox) => sandbox.sessionId) } }, select: { id: true } });
      const knownIds = new Set(known.map((session) => session.id));
      const orphans = ours.filter((sandbox) => !knownIds.has(sandbox.sessionId)).map((sandbox) => sandbox.sessionId);
      for (const sessionId of orphans) await deps.driver.destroy(sessionId);
      return orphans;
    },

    /** Stops every running turn (server shutdown). */
    async shutdown() {
      await Promise.all([...runners.values()].map((runner) => runner.stop()));
    },
  };
  return service;
};

const repoName = (url: string) => url.replace(/\.git$/, "").split(/[/:]/).filter(Boolean).at(-1) ?? "Repository";
