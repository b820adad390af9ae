import { createRouter } from "./init";
import { providersRouter } from "./routers/providers";
import { reviewRouter } from "./routers/review";
import { sessionsRouter } from "./routers/sessions";
import { systemRouter } from "./routers/system";

export const appRouter = createRouter({
  sessions: sessionsRouter,
  providers: providersRouter,
  system: systemRouter,
  review: reviewRouter,
});

export type AppRouter = typeof appRouter;
