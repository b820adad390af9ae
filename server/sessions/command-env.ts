// What a slash command may do to one session (server/agent/commands.ts): record notices, clear the
// conversation, switch the model, read the log and the permission rules.
import type { PrismaClient } from "../generated/prisma/client";
import type { CommandEnv } from "../agent/commands";
import { SERVER_DEFAULTS, type RuleSource } from "../permissions/policy";
import type { EventLog } from "./event-log";
import { approvalStateFromLog, type PermissionMode } from "./approvals";
import { readProjectRules } from "./permission-gate";
import { SessionBusyError } from "./runner";

type CommandEnvDeps = {
  db: PrismaClient;
  eventLog: EventLog;
  sessionId: string;
  workspaceDir: string;
  author: string;
  running: () => boolean;
  mode: () => Promise<PermissionMode>;
  compact?: (focus?: string) => Promise<unknown>;
};

const describeSource = (source: RuleSource) => {
  const lists = (["allow", "ask", "deny"] as const).filter((list) => source[list].length).map((list) => `  ${list}: ${source[list].join(", ")}`);
  return [`${source.name} (${source.origin})${lists.length ? "" : ": no rules"}`, ...lists].join("\n");
};

export const createCommandEnv = (deps: CommandEnvDeps): CommandEnv => {
  const { db, eventLog, sessionId } = deps;
  return {
    workspaceDir: deps.workspaceDir,
    events: () => eventLog.listSince(sessionId, 0),
    notice: async (text, tone = "info") => {
      await eventLog.append(sessionId, "notice", { text, tone, source: "command" });
    },
    clear: async () => {
      if (deps.running()) throw new SessionBusyError();
      await eventLog.append(sessionId, "conversation_cleared", { by: deps.author });
    },
    currentModel: async () => (await db.session.findUnique({ where: { id: sessionId }, select: { model: true } }))?.model ?? null,
    setModel: async (model) => {
      await db.session.update({ where: { id: sessionId }, data: { model } });
    },
    compact: deps.compact,
    describePermissions: async () => {
      const project = await readProjectRules(deps.workspaceDir);
      const state = approvalStateFromLog(await eventLog.listSince(sessionId, 0));
      const session: RuleSource = { name: "session", origin: "answers in this session", allow: state.sessionRules, ask: [], deny: [] };
      const lines = [`Mode: ${await deps.mode()}`, "Rules (deny beats ask beats allow across every source):"];
      for (const source of [SERVER_DEFAULTS, ...project.sources, session]) lines.push(describeSource(source));
      for (const error of project.errors) lines.push(`Ignored: ${error}`);
      return lines.join("\n");
    },
  };
};
