import { createRouter } from "./init";
import { accountRouter } from "./routers/account";
import { auditRouter } from "./routers/audit";
import { invitationsRouter } from "./routers/invitations";
import { providersRouter } from "./routers/providers";
import { reviewRouter } from "./routers/review";
import { sessionsRouter } from "./routers/sessions";
import { systemRouter } from "./routers/system";
import { workspacesRouter } from "./routers/workspaces";

export const appRouter = createRouter({
  sessions: sessionsRouter,
  providers: providersRouter,
  system: systemRouter,
  review: reviewRouter,
  workspaces: workspacesRouter,
  invitations: invitationsRouter,
  audit: auditRouter,
  account: accountRouter,
});

export type AppRouter = typeof appRouter;
