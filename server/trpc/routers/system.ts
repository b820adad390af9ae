import { createRouter, protectedProcedure, publicProcedure } from "../init";

export const systemRouter = createRouter({
  /** Who is signed in (null when nobody), for the header and the sign-in redirect. */
  whoami: publicProcedure.query(({ ctx }) => (ctx.user ? { user: ctx.user, membership: ctx.membership } : null)),

  /** What the UI needs to tell a new user what to do next. */
  status: protectedProcedure.query(async ({ ctx }) => {
    const providers = ctx.membership ? await ctx.services.db.provider.count({ where: { workspaceId: ctx.membership.workspaceId } }) : 0;
    const engine = await ctx.services.driver.list().then(
      () => ({ reachable: true, message: "" }),
      (error: unknown) => ({ reachable: false, message: error instanceof Error ? error.message : String(error) }),
    );
    return { user: ctx.user, membership: ctx.membership, hasProvider: providers > 0, engine };
  }),
});
