// The workspace audit log: who signed in, invited, changed roles, removed members, answered
// approvals, pushed and opened pull requests (AuditEntry rows), plus the agent's tool executions,
// which are not copied here but read from the sessions' event logs when the log is listed.
import type { Db } from "../db";

export const auditActions = [
  "auth.sign_up",
  "auth.sign_in",
  "invitation.created",
  "invitation.revoked",
  "invitation.accepted",
  "member.role_changed",
  "member.removed",
  "member.left",
  "permission.answered",
  "review.push",
  "review.pull_request",
  "tool.executed",
] as const;
export type AuditAction = (typeof auditActions)[number];

/** The actor id of tool executions: the agent acts, a session is the target. */
export const agentActor = "agent";

export type AuditRecord = {
  workspaceId: string;
  actorId: string | null;
  actorName: string;
  /** tool.executed comes from the event log, never recorded. */
  action: Exclude<AuditAction, "tool.executed">;
  target?: string | null;
  detail?: Record<string, unknown>;
};

export type AuditEntry = {
  id: string;
  createdAt: Date;
  actorId: string | null;
  actorName: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
};

export type AuditFilter = { action?: AuditAction; actorId?: string; from?: Date; to?: Date };

/** Merged paging reads offset + limit rows from each source, so the window is bounded. */
export const maxAuditWindow = 10_000;

export const recordAudit = async (db: Db, newId: () => string, entry: AuditRecord) => {
  await db.auditEntry.create({
    data: {
      id: newId(),
      workspaceId: entry.workspaceId,
      actorId: entry.actorId,
      actorName: entry.actorName,
      action: entry.action,
      target: entry.target ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    },
  });
};

/** One row per workspace the user is in: each team's admins see their members' sign-ins. */
export const recordSignIn = async (db: Db, newId: () => string, user: { id: string; name: string }, detail: Record<string, unknown>) => {
  const memberships = await db.membership.findMany({ where: { userId: user.id }, select: { workspaceId: true } });
  for (const { workspaceId } of memberships) {
    await recordAudit(db, newId, { workspaceId, actorId: user.id, actorName: user.name, action: "auth.sign_in", detail });
  }
};

const createdAtRange = (filter: AuditFilter) =>
  filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {};

const parseDetail = (text: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(text);
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
};

const wantsRecorded = (filter: AuditFilter) => filter.action !== "tool.executed" && filter.actorId !== agentActor;
const wantsToolRuns = (filter: AuditFilter) => (!filter.action || filter.action === "tool.executed") && (!filter.actorId || filter.actorId === agentActor);

const recordedWhere = (workspaceId: string, filter: AuditFilter) => ({
  workspaceId,
  ...(filter.action ? { action: filter.action } : {}),
  ...(filter.actorId ? { actorId: filter.actorId } : {}),
  ...createdAtRange(filter),
});

const toolRunWhere = (workspaceId: string, filter: AuditFilter) => ({ type: "tool_result", session: { workspaceId }, ...createdAtRange(filter) });

const readRecorded = async (db: Db, workspaceId: string, filter: AuditFilter, take: number): Promise<AuditEntry[]> => {
  if (!wantsRecorded(filter)) return [];
  const rows = await db.auditEntry.findMany({ where: recordedWhere(workspaceId, filter), orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  return rows.map((row) => ({ id: row.id, createdAt: row.createdAt, actorId: row.actorId, actorName: row.actorName, action: row.action, target: row.target, detail: parseDetail(row.detail) }));
};

const summarize = (input: unknown) => {
  const text = typeof input === "string" ? input : JSON.stringify(input ?? null);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/** Tool executions from the event log: each tool_result with the input of its tool_call (outputs are left out). */
const readToolRuns = async (db: Db, workspaceId: string, filter: AuditFilter, take: number): Promise<AuditEntry[]> => {
  if (!wantsToolRuns(filter)) return [];
  const results = await db.event.findMany({
    where: toolRunWhere(workspaceId, filter),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    include: { session: { select: { title: true } } },
  });
  const parsed = results.map((row) => ({ row, payload: JSON.parse(row.payload) as { toolUseId: string; name: string; isError: boolean; durationMs: number } }));
  const calls = parsed.length
    ? await db.event.findMany({
        where: { type: "tool_call", sessionId: { in: [...new Set(parsed.map(({ row }) => row.sessionId))] }, OR: parsed.map(({ payload }) => ({ payload: { contains: JSON.stringify(payload.toolUseId) } })) },
        select: { sessionId: true, payload: true },
      })
    : [];
  const inputs = new Map(
    calls.map((call) => {
      const payload = JSON.parse(call.payload) as { toolUseId: string; input: unknown };
      return [`${call.sessionId}/${payload.toolUseId}`, payload.input] as const;
    }),
  );
  return parsed.map(({ row, payload }) => ({
    id: `event-${row.id}`,
    createdAt: row.createdAt,
    actorId: agentActor,
    actorName: "agent",
    action: "tool.executed",
    target: row.sessionId,
    detail: {
      session: row.session.title,
      tool: payload.name,
      input: summarize(inputs.get(`${row.sessionId}/${payload.toolUseId}`)),
      isError: payload.isError,
      durationMs: payload.durationMs,
    },
  }));
};

/** Newest first; recorded entries and tool executions merged into one page. */
export const listAudit = async (db: Db, workspaceId: string, filter: AuditFilter, page: { offset: number; limit: number }) => {
  const take = Math.min(page.offset + page.limit, maxAuditWindow);
  const [recorded, toolRuns, recordedCount, toolRunCount] = await Promise.all([
    readRecorded(db, workspaceId, filter, take),
    readToolRuns(db, workspaceId, filter, take),
    wantsRecorded(filter) ? db.auditEntry.count({ where: recordedWhere(workspaceId, filter) }) : 0,
    wantsToolRuns(filter) ? db.event.count({ where: toolRunWhere(workspaceId, filter) }) : 0,
  ]);
  const merged = [...recorded, ...toolRuns].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { entries: merged.slice(page.offset, take), total: recordedCount + toolRunCount };
};

/** Spreadsheets run cells that start with these as formulas; a leading quote keeps them text. */
const csvCell = (value: string) => {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const auditCsv = (entries: AuditEntry[]) =>
  [
    "time,action,actor,actorId,target,detail",
    ...entries.map((entry) =>
      [entry.createdAt.toISOString(), entry.action, entry.actorName, entry.actorId ?? "", entry.target ?? "", JSON.stringify(entry.detail)].map(csvCell).join(","),
    ),
  ].join("\n");

/** The filtered log (up to maxAuditWindow entries) as CSV or JSON text. */
export const exportAudit = async (db: Db, workspaceId: string, filter: AuditFilter, format: "csv" | "json") => {
  const { entries, total } = await listAudit(db, workspaceId, filter, { offset: 0, limit: maxAuditWindow });
  const text = format === "csv" ? auditCsv(entries) : JSON.stringify(entries, null, 2);
  return { text, count: entries.length, truncated: total > entries.length };
};
