import { createRouter, protectedProcedure } from "../init";

export const systemRouter = createRouter({
  /** What the UI needs to tell a new user what to do next. */
  status: protectedProcedure.query(async ({ ctx }) => {
    const providers = await ctx.services.db.provider.count({ where: { ownerId: ctx.user.id } });
    const engine = await ctx.services.driver.list().then(
      () => ({ reachable: true, message: "" }),
      (error: unknown) => ({ reachable: false, message: error instanceof Error ? error.message : String(error) }),
    );
    return { user: ctx.user, hasProvider: providers > 0, engine };
  }),
});
