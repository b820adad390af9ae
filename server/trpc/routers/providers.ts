import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { encryptSecret } from "../../secrets";
import { createRouter, workspaceProcedure } from "../init";

const providerInput = z
  .object({
    kind: z.enum(["anthropic", "openai", "openai-responses", "openai-compatible"]),
    label: z.string().trim().max(100).optional(),
    baseUrl: z.url("Enter a full URL, e.g. http://localhost:11434/v1").optional().or(z.literal("").transform(() => undefined)),
    apiKey: z.string().trim().max(500),
    model: z.string().trim().min(1, "Enter a model name").max(200),
  })
  .refine((p) => p.kind !== "openai-compatible" || p.baseUrl, { message: "An OpenAI-compatible provider needs a base URL", path: ["baseUrl"] })
  .refine((p) => p.kind === "openai-compatible" || p.apiKey.length > 0, { message: "Enter the API key", path: ["apiKey"] });

// Providers belong to the current workspace: everyone in it can see them (never their keys),
// admins change them.
export const providersRouter = createRouter({
  /** Keys never leave the server once saved. */
  list: workspaceProcedure("viewer").query(({ ctx }) =>
    ctx.services.db.provider.findMany({
      where: { workspaceId: ctx.membership.workspaceId },
      orderBy: { createdAt: "asc" },
      select: { id: true, kind: true, label: true, baseUrl: true, model: true, isDefault: true, createdAt: true },
    }),
  ),

  save: workspaceProcedure("admin").input(providerInput.and(z.object({ id: z.string().optional() }))).mutation(async ({ ctx, input }) => {
    const db = ctx.services.db;
    const existing = input.id ? await db.provider.findFirst({ where: { id: input.id, workspaceId: ctx.membership.workspaceId } }) : null;
    if (input.id && !existing) throw new TRPCError({ code: "NOT_FOUND", message: "Provider not found." });
    const count = await db.provider.count({ where: { workspaceId: ctx.membership.workspaceId } });
    const data = {
      kind: input.kind,
      label: input.label || input.kind,
      baseUrl: input.baseUrl ?? null,
      model: input.model,
      // An empty key on edit keeps the stored one.
      ...(input.apiKey || !existing ? { apiKeyEncrypted: encryptSecret(input.apiKey) } : {}),
    };
    const saved = existing
      ? await db.provider.update({ where: { id: existing.id }, data })
      : await db.provider.create({
          data: { ...data, apiKeyEncrypted: encryptSecret(input.apiKey), id: ctx.services.newId(), workspaceId: ctx.membership.workspaceId, ownerId: ctx.user.id, isDefault: count === 0 },
        });
    return { id: saved.id };
  }),

  setDefault: workspaceProcedure("admin").input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    const db = ctx.services.db;
    const provider = await db.provider.findFirst({ where: { id: input.id, workspaceId: ctx.membership.workspaceId } });
    if (!provider) throw new TRPCError({ code: "NOT_FOUND", message: "Provider not found." });
    await db.$transaction([
      db.provider.updateMany({ where: { workspaceId: ctx.membership.workspaceId }, data: { isDefault: false } }),
      db.provider.update({ where: { id: provider.id }, data: { isDefault: true } }),
    ]);
    return { ok: true };
  }),

  remove: workspaceProcedure("admin").input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    const deleted = await ctx.services.db.provider.deleteMany({ where: { id: input.id, workspaceId: ctx.membership.workspaceId } });
    if (deleted.count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "Provider not found." });
    return { ok: true };
  }),
});
