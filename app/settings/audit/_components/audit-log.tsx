"use client";
// The workspace audit log for admins: filter by action, actor and dates, page through it, and
// download what the filter shows as CSV or JSON. The server enforces the admin role.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/react";
import type { AuditAction } from "@/server/audit/audit-log";

const actionLabels: Record<AuditAction, string> = {
  "auth.sign_up": "Signed up",
  "auth.sign_in": "Signed in",
  "invitation.created": "Invitation created",
  "invitation.revoked": "Invitation revoked",
  "invitation.accepted": "Invitation accepted",
  "member.role_changed": "Role changed",
  "member.removed": "Member removed",
  "member.left": "Member left",
  "permission.answered": "Approval answered",
  "review.push": "Pushed a branch",
  "review.pull_request": "Opened a pull request",
  "tool.executed": "Tool executed",
};
const actions = Object.keys(actionLabels) as AuditAction[];
const pageSize = 50;

/** Date inputs give local days: from the start of the first to the end of the last. */
const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`) : undefined);
const dayEnd = (day: string) => (day ? new Date(`${day}T23:59:59.999`) : undefined);

const describeDetail = (detail: Record<string, unknown>) =>
  Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" · ");

export function AuditLog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<AuditAction | "">("");
  const [actorId, setActorId] = useState("");
  const [fromDay, setFromDay] = useState("");
  const [toDay, setToDay] = useState("");
  const [offset, setOffset] = useState(0);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const filter = { action: action || undefined, actorId: actorId || undefined, from: dayStart(fromDay), to: dayEnd(toDay) };
  const members = useQuery(trpc.workspaces.members.queryOptions());
  const log = useQuery(trpc.audit.list.queryOptions({ ...filter, offset, limit: pageSize }));
  const nameOf = new Map(members.data?.map((member) => [member.userId, member.name]));

  /** Changing a filter starts again from the newest entry. */
  const refilter = (apply: () => void) => {
    apply();
    setOffset(0);
  };

  const download = async (format: "csv" | "json") => {
    setExporting(true);
    setExportError(null);
    try {
      const exported = await queryClient.fetchQuery({ ...trpc.audit.export.queryOptions({ ...filter, format }), staleTime: 0 });
      const url = URL.createObjectURL(new Blob([exported.text], { type: exported.mimeType }));
      const link = document.createElement("a");
      link.href = url;
      link.download = exported.filename;
      link.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      setExportError(error instanceof Error ? error.message : String(error));
    } finally {
      setExporting(false);
    }
  };

  const total = log.data?.total ?? 0;
  const field = "rounded-md border border-border bg-transparent px-2 py-1";

  return (
    <div className="space-y-4 text-sm">
      <div className="flex flex-wrap items-end gap-3" data-testid="audit-filters">
        <label className="flex flex-col gap-1">
          <span className="text-muted-foreground">Action</span>
          <select data-testid="audit-action" value={action} onChange={(event) => refilter(() => setAction(event.target.value as AuditAction | ""))} className={field}>
            <option value="">All actions</option>
            {actions.map((value) => <option key={value} value={value}>{actionLabels[value]}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-muted-foreground">Who</span>
          <select data-testid="audit-actor" value={actorId} onChange={(event) => refilter(() => setActorId(event.target.value))} className={field}>
            <option value="">Anyone</option>
            {members.data?.map((member) => <option key={member.userId} value={member.userId}>{member.name}</option>)}
            <option value="agent">The agent (tool executions)</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-muted-foreground">From</span>
          <input type="date" data-testid="audit-from" value={fromDay} onChange={(event) => refilter(() => setFromDay(event.target.value))} className={field} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-muted-foreground">To</span>
          <input type="date" data-testid="audit-to" value={toDay} onChange={(event) => refilter(() => setToDay(event.target.value))} className={field} />
        </label>
        <div className="ml-auto flex gap-2">
          <button type="button" data-testid="audit-export-csv" disabled={exporting} onClick={() => void download("csv")}
            className="rounded-md bg-primary px-3 py-1 font-medium text-primary-foreground disabled:opacity-50">Export CSV</button>
          <button type="button" data-testid="audit-export-json" disabled={exporting} onClick={() => void download("json")}
            className="rounded-md border border-border px-3 py-1 disabled:opacity-50">Export JSON</button>
        </div>
      </div>

      {(log.error ?? exportError) && <p className="text-danger" data-testid="audit-error">{log.error?.message ?? exportError}</p>}

      <table className="w-full" data-testid="audit-table">
        <thead className="text-left text-muted-foreground">
          <tr><th className="py-1">When</th><th>Who</th><th>Action</th><th>Details</th></tr>
        </thead>
        <tbody>
          {log.data?.entries.map((entry) => (
            <tr key={entry.id} data-testid="audit-row" data-action={entry.action} className="border-t border-border align-top">
              <td className="whitespace-nowrap py-2 pr-3">{entry.createdAt.toLocaleString()}</td>
              <td className="pr-3">{entry.actorName}</td>
              <td className="pr-3">{actionLabels[entry.action as AuditAction] ?? entry.action}</td>
              <td className="break-all text-muted-foreground">
                {entry.target && entry.action.startsWith("member.") ? `${nameOf.get(entry.target) ?? entry.target} · ` : ""}
                {describeDetail(entry.detail)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data && log.data.entries.length === 0 && <p className="text-muted-foreground" data-testid="audit-empty">Nothing matches these filters.</p>}

      <div className="flex items-center gap-3">
        <button type="button" data-testid="audit-newer" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))} className="disabled:opacity-40">Newer</button>
        <span className="text-muted-foreground" data-testid="audit-range">
          {total === 0 ? "0" : `${offset + 1}–${Math.min(offset + pageSize, total)}`} of {total}
        </span>
        <button type="button" data-testid="audit-older" disabled={offset + pageSize >= total} onClick={() => setOffset(offset + pageSize)} className="disabled:opacity-40">Older</button>
      </div>
    </div>
  );
}
