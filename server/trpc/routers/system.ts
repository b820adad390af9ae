import type { EngineState } from "../../sandbox/engine-health";
import type { SandboxDriver } from "../../sandbox/sandbox";
import { createRouter, protectedProcedure, publicProcedure } from "../init";

/** The engine's state from the driver's watcher; a driver without one is asked directly. */
const engineState = async (driver: SandboxDriver): Promise<EngineState> => {
  if (driver.health) return driver.health.current();
  return driver.list().then(
    (): EngineState => ({ state: "ok", address: "", since: Date.now() }),
    (error: unknown): EngineState => ({ state: "unreachable", address: "", reason: error instanceof Error ? error.message : String(error), since: Date.now() }),
  );
};

export const systemRouter = createRouter({
  /** Who is signed in (null when nobody), for the header and the sign-in redirect. */
  whoami: publicProcedure.query(({ ctx }) => (ctx.user ? { user: ctx.user, membership: ctx.membership } : null)),

  /** The "Continue with …" buttons of the sign-in page: the configured OIDC / GitHub providers. */
  signInProviders: publicProcedure.query(({ ctx }) => ctx.services.accounts.signInProviders.map(({ id, name }) => ({ id, name }))),

  /** What the UI needs to tell a new user what to do next. */
  status: protectedProcedure.query(async ({ ctx }) => {
    const providers = ctx.membership ? await ctx.services.db.provider.count({ where: { workspaceId: ctx.membership.workspaceId } }) : 0;
    return { user: ctx.user, membership: ctx.membership, hasProvider: providers > 0, engine: await engineState(ctx.services.driver) };
  }),

  /** Whether the Docker engine answers: the banner on the sessions page and in every session. */
  engine: protectedProcedure.query(({ ctx }) => engineState(ctx.services.driver)),
});
