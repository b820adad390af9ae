// Every tool call passes here before it runs: the permission engine decides allow / ask / deny,
// and an "ask" pauses the call until a person answers. Both sides are events, so a pending
// approval survives a reload or a restart, and "always in this session" rules are replayable.
import { randomUUID } from "node:crypto";
import type { AuthorizeToolCall, RecordEvent } from "../agent/loop";
import type { SessionEvent } from "../agent/events";

export type PermissionMode = "default" | "acceptEdits" | "plan" | "bypassPermissions";
export const permissionModes: PermissionMode[] = ["default", "acceptEdits", "plan", "bypassPermissions"];

export type PermissionVerdict = {
  decision: "allow" | "ask" | "deny";
  reason: string;
  rule: string | null;
  dangerous: boolean;
  /** The rules an "always allow" answer would add (one per sub-command of a compound command). */
  suggestedRules: string[];
  subcommands?: unknown[];
};

export type CheckPermission = (request: {
  sessionId: string;
  toolName: string;
  input: unknown;
  mode: PermissionMode;
  sessionRules: string[];
  /** The Bash tool's working directory in the sandbox. */
  cwd: string;
}) => Promise<PermissionVerdict>;

export type ApprovalChoice = "allow_once" | "allow_session" | "allow_project" | "deny";
export type ApprovalAnswer = { choice: ApprovalChoice; message?: string; by: string };

type ApprovalDeps = {
  sessionId: string;
  record: RecordEvent;
  check: CheckPermission;
  /** Writes allow rules to the project's .pincer/settings.json. */
  persistProjectRules: (rules: string[]) => Promise<void>;
  cwd: () => string;
  onWaiting: (waiting: boolean) => void;
};

/** What the log says about approvals: the mode, session rules, and every request and answer. */
export const approvalStateFromLog = (events: SessionEvent[]) => {
  let mode: PermissionMode = "default";
  const sessionRules: string[] = [];
  const requests = new Map<string, { requestId: string; suggestedRules: string[]; answer?: ApprovalAnswer }>();
  for (const event of events) {
    if (event.type === "mode_changed") mode = event.payload.mode;
    if (event.type === "permission_request") {
      requests.set(event.payload.toolUseId, { requestId: event.payload.requestId, suggestedRules: event.payload.suggestedRules });
    }
    if (event.type === "permission_decision") {
      const request = requests.get(event.payload.toolUseId);
      if (request) request.answer = { choice: event.payload.choice, message: event.payload.message, by: event.payload.by };
      if (event.payload.choice === "allow_session" || event.payload.choice === "allow_project") sessionRules.push(...event.payload.rules);
    }
  }
  return { mode, sessionRules, requests };
};

export type Approvals = ReturnType<typeof createApprovals>;

export const createApprovals = (deps: ApprovalDeps, initial: ReturnType<typeof approvalStateFromLog>) => {
  let mode = initial.mode;
  const sessionRules = [...initial.sessionRules];
  const requests = new Map(initial.requests);
  const waiting = new Map<string, { toolUseId: string; suggestedRules: string[]; resolve: (answer: ApprovalAnswer) => void }>();
  // Told each time a call starts waiting (an answer that came early can then be delivered).
  const onNextWaiting = new Set<() => void>();

  const waitForAnswer = (requestId: string, toolUseId: string, suggestedRules: string[], signal: AbortSignal) =>
    new Promise<ApprovalAnswer | null>((resolve) => {
      if (signal.aborted) return resolve(null);
      const onAbort = () => {
        waiting.delete(requestId);
        deps.onWaiting(waiting.size > 0);
        resolve(null);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      waiting.set(requestId, {
        toolUseId,
        suggestedRules,
        resolve: (answer) => {
          signal.removeEventListener("abort", onAbort);
          resolve(answer);
        },
      });
      deps.onWaiting(true);
      for (const notify of onNextWaiting) notify();
      onNextWaiting.clear();
    });

  const outcome = (answer: ApprovalAnswer, toolName: string) =>
    answer.choice === "deny"
      ? { allowed: false as const, message: `The user denied this ${toolName} call.${answer.message ? ` Their message: ${answer.message}` : ""}` }
      : { allowed: true as const };

  const authorize = (signal: AbortSignal): AuthorizeToolCall => async (tool, input, call) => {
    const known = requests.get(call.id);
    if (known?.answer) return outcome(known.answer, tool.name);

    const verdict = await deps.check({ sessionId: deps.sessionId, toolName: tool.name, input, mode, sessionRules: [...sessionRules], cwd: deps.cwd() });
    if (verdict.decision === "allow" && !known) return { allowed: true };
    if (verdict.decision === "deny") return { allowed: false, message: `Permission denied: ${verdict.reason}` };

    const requestId = known?.requestId ?? randomUUID();
    const suggestedRules = known ? known.suggestedRules : verdict.suggestedRules;
    if (!known) {
      await deps.record("permission_request", {
        requestId,
        toolUseId: call.id,
        toolName: tool.name,
        input,
        reason: verdict.reason,
        rule: verdict.rule,
        dangerous: verdict.dangerous,
        suggestedRules,
      });
      requests.set(call.id, { requestId, suggestedRules });
    }
    const answer = await waitForAnswer(requestId, call.id, suggestedRules, signal);
    if (!answer) return { allowed: false, message: "Not run: the turn was stopped while this call waited for approval." };
    return outcome(answer, tool.name);
  };

  return {
    authorize,
    get mode() {
      return mode;
    },
    pendingRequestIds: () => [...waiting.keys()],
    /** Asked before (it is in the log) but not answered: a resumed turn will ask it again. */
    isUnanswered: (requestId: string) => [...requests.values()].some((request) => request.requestId === requestId && !request.answer),
    /** Resolves when the next call starts waiting for an answer. */
    nextWaiting: () => new Promise<void>((resolve) => onNextWaiting.add(resolve)),
    async setMode(next: PermissionMode, by: string) {
      mode = next;
      await deps.record("mode_changed", { mode: next, by });
    },
    /** Records a person's answer and releases the waiting call. False when nothing waits on it. */
    async answer(requestId: string, answer: ApprovalAnswer): Promise<boolean> {
      const entry = waiting.get(requestId);
      if (!entry) return false;
      waiting.delete(requestId);
      const rules = answer.choice === "allow_session" || answer.choice === "allow_project" ? entry.suggestedRules : [];
      if (answer.choice === "allow_project" && rules.length) await deps.persistProjectRules(rules);
      // Project rules also hold for the rest of this session, whatever the settings file says later.
      sessionRules.push(...rules);
      await deps.record("permission_decision", { requestId, toolUseId: entry.toolUseId, choice: answer.choice, message: answer.message, by: answer.by, rules });
      const request = requests.get(entry.toolUseId);
      if (request) request.answer = answer;
      deps.onWaiting(waiting.size > 0);
      entry.resolve(answer);
      return true;
    },
  };
};
