// The composition root: builds the server's services once and wires the seams together.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createPermissionGate } from "./sessions/permission-gate";
import { teamSourcesForSession } from "./sessions/team-policy-store";
import { userSourcesForSession } from "./sessions/user-rules-store";
import type { PrismaClient } from "./generated/prisma/client";
import type { ModelClient, ProviderConfig, ProviderKind } from "./llm/model-client";
import type { SandboxDriver } from "./sandbox/sandbox";
import type { SandboxImageOption } from "./sandbox/images";
import { decryptSecret } from "./secrets";
import { createEventLog } from "./sessions/event-log";
import { createFanOut } from "./sessions/fan-out";
import { createSessionService, type SandboxDefaults } from "./sessions/service";
import type { RunnerDeps } from "./sessions/runner";
import type { Tool } from "./tools/tool";
import { createSocketRegistry } from "./ws/socket-registry";
import type { ToolSchema } from "./llm/model-client";
import type { ModelPrice } from "./llm/pricing";
import type { SignInProvider } from "./auth/external-providers";
import type { Mailer } from "./mail/mailer";

export type ServicesConfig = {
  db: PrismaClient;
  driver: SandboxDriver;
  createModelClient: (config: ProviderConfig) => ModelClient;
  tools: Tool[];
  toolSchemas: ToolSchema[];
  dataDir: string;
  sandboxDefaults: SandboxDefaults;
  /** The images sessions may pick (server/sandbox/images.ts); default: only sandboxDefaults.image. */
  sandboxImages?: SandboxImageOption[];
  newId?: () => string;
  prices?: Record<string, ModelPrice>;
  /** Context window overrides and subagent limits (see RunnerDeps). */
  context?: RunnerDeps["context"];
  subagents?: RunnerDeps["subagents"];
  /** MCP servers for every session (PINCER_MCP_CONFIG) and MCP timeouts (tests). */
  extensions?: RunnerDeps["extensions"];
  /** Sign-in providers shown on the sign-in page, the invitation mailer (null: no SMTP) and PINCER_BASE_URL. */
  accounts?: { signInProviders?: SignInProvider[]; mailer?: Mailer | null; publicUrl?: string };
};

export const newId = () => randomUUID().replace(/-/g, "").slice(0, 20);

export const createServices = (config: ServicesConfig) => {
  const { db } = config;
  const fanOut = createFanOut();
  const eventLog = createEventLog(db, (sessionId, event) => fanOut.publishEvent(sessionId, event));
  const ids = config.newId ?? newId;

  const resolveProvider = async (sessionId: string): Promise<ProviderConfig | null> => {
    const session = await db.session.findUnique({ where: { id: sessionId }, include: { provider: true } });
    if (!session) return null;
    const provider =
      session.provider ??
      (await db.provider.findFirst({ where: { workspaceId: session.workspaceId }, orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }] }));
    if (!provider) return null;
    return {
      kind: provider.kind as ProviderKind,
      baseUrl: provider.baseUrl ?? undefined,
      apiKey: decryptSecret(provider.apiKeyEncrypted),
      model: session.model ?? provider.model,
    };
  };

  const workspaceDirFor = (sessionId: string) => path.join(config.dataDir, "workspaces", sessionId);
  // Every session runs under its workspace's team policy and its owner's own rules.
  const ruleSourcesFor = async (sessionId: string) => [...(await teamSourcesForSession(db, sessionId)), ...(await userSourcesForSession(db, sessionId))];
  const gate = createPermissionGate({ workspaceDirFor, extraSources: ruleSourcesFor });

  const sessions = createSessionService({
    db,
    eventLog,
    fanOut,
    driver: config.driver,
    tools: config.tools,
    toolSchemas: config.toolSchemas,
    createModelClient: config.createModelClient,
    resolveProvider,
    checkPermission: gate.check,
    persistProjectRules: gate.persistProjectRules,
    ruleSourcesFor,
    dataDir: config.dataDir,
    sandboxDefaults: config.sandboxDefaults,
    sandboxImages: config.sandboxImages,
    newId: ids,
    prices: config.prices,
    context: config.context,
    subagents: config.subagents,
    extensions: config.extensions,
    limits: { maxSteps: 100, maxTokens: 16_000, maxOutputChars: 30_000 },
  });

  // Open event/terminal sockets per (user, workspace): membership changes close them (http-server.ts).
  const sockets = createSocketRegistry();

  const accounts = { signInProviders: config.accounts?.signInProviders ?? [], mailer: config.accounts?.mailer ?? null, publicUrl: config.accounts?.publicUrl };

  return { db, fanOut, eventLog, sessions, driver: config.driver, newId: ids, resolveProvider, createModelClient: config.createModelClient, sockets, accounts };
};

export type Services = ReturnType<typeof createServices>;

/** A user with a workspace they own, for tests and scripts that work below sign-in. */
export const ensureLocalUser = async (db: PrismaClient) => {
  const user = await db.user.upsert({ where: { id: "local" }, update: {}, create: { id: "local", name: "You", email: "local@local.invalid" } });
  await db.workspace.upsert({
    where: { id: "local" },
    update: {},
    create: { id: "local", name: "Local", memberships: { create: { id: "local-owner", userId: user.id, role: "owner" } } },
  });
  return user;
};
