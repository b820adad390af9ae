// The workspace audit log (admins): a filtered, paged list and an export as CSV or JSON text.
import { z } from "zod";
import { auditActions, exportAudit, listAudit } from "../../audit/audit-log";
import { createRouter, workspaceProcedure } from "../init";

const filter = z.object({
  action: z.enum(auditActions).optional(),
  /** A member's user id, or "agent" for tool executions. */
  actorId: z.string().min(1).max(100).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

export const auditRouter = createRouter({
  list: workspaceProcedure("admin")
    .input(filter.extend({ offset: z.number().int().min(0).max(9_900).default(0), limit: z.number().int().min(1).max(100).default(50) }).default({ offset: 0, limit: 50 }))
    .query(({ ctx, input }) => {
      const { offset, limit, ...rest } = input;
      return listAudit(ctx.services.db, ctx.membership.workspaceId, rest, { offset, limit });
    }),

  /** A query, not a mutation: it changes nothing, and the page fetches it on demand for a download. */
  export: workspaceProcedure("admin")
    .input(filter.extend({ format: z.enum(["csv", "json"]).default("csv") }).default({ format: "csv" }))
    .query(async ({ ctx, input }) => {
      const { format, ...rest } = input;
      const exported = await exportAudit(ctx.services.db, ctx.membership.workspaceId, rest, format);
      const stamp = new Date().toISOString().slice(0, 10);
      return { ...exported, filename: `pincer-audit-${stamp}.${format}`, mimeType: format === "csv" ? "text/csv" : "application/json" };
    }),
});
