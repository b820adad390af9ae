// The review actions on one session, as the router calls them: diffs by scope, reverts, rewind,
// comments, commit, patch export, push and pull requests. Actions that rewrite the workspace wait
// for the agent's turn to be over and run one at a time per session.
import type { PrismaClient } from "../generated/prisma/client";
import type { EventLog } from "../sessions/event-log";
import type { SessionService } from "../sessions/service";
import { listCheckpoints } from "./checkpoints";
import { commitWorkspace, draftCommitMessage } from "./commit";
import { createCommitDraftCache, draftCommitMessageFor, sessionTask, type CommitMessageDraft } from "./commit-message";
import { createReviewComments } from "./comments";
import { createGitCredentials } from "./credentials";
import { exportPatch } from "./patch-export";
import { defaultApiBaseUrl, ForgeError, openOrUpdatePullRequest, repoPathFromUrl, type ForgeKind } from "./pull-request";
import { pushBranch, PushError, remoteHost } from "./push";
import { getDiffFile, getDiffPage, resolveScope, type DiffScope } from "./review-diff";
import { revertFile, revertHunk } from "./revert";
import { rewindSession } from "./rewind";
import { getWorkspaceDiffFiles, listWorkspaceDiff } from "../workspace/diff";
import type { ModelClient, ProviderConfig } from "../llm/model-client";

export type ReviewDeps = {
  db: PrismaClient;
  eventLog: EventLog;
  sessions: SessionService;
  newId: () => string;
  /** Server-owned directory for push mirrors (DATA_DIR/push). */
  pushDir: string;
  fetch?: typeof fetch;
  /** The session's model, for drafting commit messages (services.ts); absent: drafts from the file list. */
  resolveProvider?: (sessionId: string) => Promise<ProviderConfig | null>;
  createModelClient?: (config: ProviderConfig) => ModelClient;
  /** How long a commit-message draft may take before the file-list message is used (tests shorten it). */
  commitDraftTimeoutMs?: number;
};

export class ReviewBusyError extends Error {
  constructor() {
    super("The agent is working: wait for the turn to end (or press Stop) before changing the workspace.");
    this.name = "ReviewBusyError";
  }
}

export class ReviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReviewInputError";
  }
}

export type ReviewService = ReturnType<typeof createReviewService>;

export const createReviewService = (deps: ReviewDeps) => {
  const { db, eventLog, sessions } = deps;
  const comments = createReviewComments(db, deps.newId);
  const credentials = createGitCredentials(db, deps.newId);
  const locks = new Map<string, Promise<unknown>>();
  const commitDrafts = createCommitDraftCache();

  /** One workspace-changing action at a time per session, never during a turn. */
  const exclusive = async <T>(sessionId: string, action: () => Promise<T>): Promise<T> => {
    const previous = locks.get(sessionId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => {
      if (sessions.running(sessionId)) throw new ReviewBusyError();
      return action();
    });
    locks.set(sessionId, next);
    void next.finally(() => locks.get(sessionId) === next && locks.delete(sessionId)).catch(() => undefined);
    return next;
  };

  const context = async (sessionId: string) => {
    const sandbox = await sessions.sandbox(sessionId);
    const session = await db.session.findUniqueOrThrow({ where: { id: sessionId } });
    if (!session.baseCommit) throw new ReviewInputError("The workspace is not ready yet.");
    const events = await eventLog.listSince(sessionId, 0);
    return { sandbox, session, baseCommit: session.baseCommit, checkpoints: listCheckpoints(events), events };
  };

  const scopeOf = async (sessionId: string, scope: DiffScope) => {
    const ctx = await context(sessionId);
    return { ...ctx, resolved: resolveScope(scope, ctx.checkpoints, ctx.baseCommit, sessions.running(sessionId)) };
  };

  const workingTreeScope = async (sessionId: string, scope: DiffScope) => {
    const ctx = await scopeOf(sessionId, scope);
    if (ctx.resolved.to) throw new ReviewInputError("Only changes in the working tree can be reverted; pick a scope that ends at the working tree.");
    return ctx;
  };

  const modelFor = async (sessionId: string) => {
    const { resolveProvider, createModelClient } = deps;
    const provider = resolveProvider && createModelClient ? await resolveProvider(sessionId) : null;
    return provider && createModelClient ? { client: createModelClient(provider), name: provider.model } : null;
  };

  const remoteFor = (session: { pushRemoteUrl: string | null; repoUrl: string | null }, remoteUrl?: string) => {
    const url = remoteUrl?.trim() || session.pushRemoteUrl || session.repoUrl;
    if (!url) throw new ReviewInputError("This session has no remote: enter the repository URL to push to.");
    return url;
  };

  return {
    comments,
    credentials,

    async checkpoints(sessionId: string) {
      const { checkpoints, baseCommit } = await context(sessionId);
      return { baseCommit, checkpoints };
    },

    async diffPage(sessionId: string, scope: DiffScope, page: number) {
      const { sandbox, resolved } = await scopeOf(sessionId, scope);
      return getDiffPage(sandbox, resolved, page);
    },

    async diffFile(sessionId: string, scope: DiffScope, path: string, oldPath?: string) {
      const { sandbox, resolved } = await scopeOf(sessionId, scope);
      return getDiffFile(sandbox, resolved, path, oldPath);
    },

    revertFile: (sessionId: string, scope: DiffScope, path: string, oldPath?: string) =>
      exclusive(sessionId, async () => {
        const { sandbox, resolved } = await workingTreeScope(sessionId, scope);
        await revertFile(sandbox, { from: resolved.from, path, oldPath });
      }),

    revertHunk: (sessionId: string, scope: DiffScope, input: { path: string; oldPath?: string; hunkIndex: number; hunkHeader: string }) =>
      exclusive(sessionId, async () => {
        const { sandbox, resolved } = await workingTreeScope(sessionId, scope);
        await revertHunk(sandbox, { from: resolved.from, ...input });
      }),

    rewind: (sessionId: string, toCheckpoint: number) =>
      exclusive(sessionId, async () => {
        const { sandbox, baseCommit } = await context(sessionId);
        return rewindSession({ sandbox, eventLog, sessionId, baseCommit, toCheckpoint });
      }),

    async sendComments(sessionId: string, author: string) {
      return comments.send(sessionId, (text) => sessions.sendMessage(sessionId, text, author));
    },

    /**
     * The commit box's default message: the session's model drafts it (cached per change), else
     * the file list with a note. useModel false: the file-list draft only; fresh: ask the model
     * again even for a change it already drafted.
     */
    async draftCommitMessage(sessionId: string, options: { useModel?: boolean; fresh?: boolean } = {}): Promise<CommitMessageDraft> {
      const { sandbox, session, events } = await context(sessionId);
      // Against HEAD: what a commit now would contain.
      const head = (await sandbox.exec({ cmd: ["git", "rev-parse", "-q", "--verify", "HEAD"], cwd: sandbox.workdir })).stdout.toString().trim();
      const range = { from: head || session.baseCommit! };
      const files = await listWorkspaceDiff(sandbox, range);
      if (options.useModel === false) return { message: draftCommitMessage(files), files: files.length, source: "files" };
      // Mid-turn the change is still moving: a draft of it would be paid for and thrown away.
      if (sessions.running(sessionId)) {
        return { message: draftCommitMessage(files), files: files.length, source: "files", note: "The agent is still working, so the message was drafted from the file list; ask again when the turn ends." };
      }
      return draftCommitMessageFor({
        files,
        task: sessionTask(events),
        resolveModel: () => modelFor(sessionId),
        loadPatches: (some) => getWorkspaceDiffFiles(sandbox, range, some.flatMap((file) => (file.oldPath ? [file.oldPath, file.path] : [file.path]))),
        cache: commitDrafts,
        cacheScope: sessionId,
        fresh: options.fresh,
        timeoutMs: deps.commitDraftTimeoutMs,
      });
    },

    commit: (sessionId: string, message: string) =>
      exclusive(sessionId, async () => {
        const { sandbox } = await context(sessionId);
        return commitWorkspace(sandbox, message);
      }),

    async exportPatch(sessionId: string) {
      const { sandbox, baseCommit, session } = await context(sessionId);
      const patch = await exportPatch(sandbox, baseCommit);
      return { filename: `pincer-${session.id}.patch`, patch };
    },

    /** workspaceId: whose git credentials to use (the session's workspace). */
    push: (sessionId: string, workspaceId: string, input: { branch: string; remoteUrl?: string; force?: boolean }) =>
      exclusive(sessionId, async () => {
        const { sandbox, session } = await context(sessionId);
        const remoteUrl = remoteFor(session, input.remoteUrl);
        const credential = await credentials.forHost(workspaceId, remoteHost(remoteUrl));
        const result = await pushBranch({
          sandbox,
          workDir: deps.pushDir,
          sessionId,
          remoteUrl,
          branch: input.branch,
          force: input.force,
          credential: credential ? { username: credential.username, password: credential.password } : undefined,
        });
        await db.session.update({ where: { id: sessionId }, data: { pushRemoteUrl: remoteUrl, pushBranch: input.branch } });
        return result;
      }),

    async openPullRequest(sessionId: string, workspaceId: string, input: { title: string; body: string; base?: string }) {
      const session = await db.session.findUniqueOrThrow({ where: { id: sessionId } });
      if (!session.pushRemoteUrl || !session.pushBranch) throw new ReviewInputError("Push a branch first; the pull request is opened for it.");
      const host = remoteHost(session.pushRemoteUrl);
      const credential = await credentials.forHost(workspaceId, host);
      const known = defaultApiBaseUrl(host);
      const kind = (credential?.forge !== "none" ? credential?.forge : undefined) ?? known?.kind;
      const apiBaseUrl = credential?.apiBaseUrl ?? known?.apiBaseUrl;
      if (!credential || !kind || !apiBaseUrl) {
        throw new ReviewInputError(`Add a git credential for ${host} with its forge (GitHub or GitLab) and API URL to open pull requests.`);
      }
      const pullRequest = await openOrUpdatePullRequest({
        forge: { kind: kind as ForgeKind, apiBaseUrl, token: credential.password },
        repoPath: repoPathFromUrl(session.pushRemoteUrl),
        branch: session.pushBranch,
        base: input.base,
        title: input.title,
        body: input.body,
        existing: session.pullRequestNumber ? { number: session.pullRequestNumber } : undefined,
        fetch: deps.fetch,
      });
      await db.session.update({ where: { id: sessionId }, data: { pullRequestNumber: pullRequest.number, pullRequestUrl: pullRequest.url } });
      return pullRequest;
    },
  };
};

export { ForgeError, PushError };
