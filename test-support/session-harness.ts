// Real parts for session-level tests: a migrated SQLite file, real containers, the real provider
// client against the scripted model server over HTTP, and a workspace "local" owned by user "local"
// with the scripted provider as its default and a team policy that permits bypassPermissions.
import { createModelClient } from "../server/llm/create-model-client";
import { createDockerDriver } from "../server/sandbox/docker";
import { TEST_LABEL_PREFIX } from "../server/sandbox/test-sandbox";
import { builtinTools, toolSchemas } from "../server/tools/registry";
import { encryptSecret } from "../server/secrets";
import { EMPTY_TEAM_POLICY } from "../server/permissions/team-policy";
import { createServices, ensureLocalUser, type Services, type ServicesConfig } from "../server/services";
import { createTempDb } from "./temp-db";
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedModelServerOptions } from "./scripted-model";

export type SessionHarness = {
  model: ScriptedModelServer;
  services: Services;
  dataDir: string;
  driver: ReturnType<typeof createDockerDriver>;
  /** Containers of these sessions are removed by close(). */
  track(sessionId: string): void;
  close(): Promise<void>;
};

export const startSessionHarness = async (
  options: { model?: ScriptedModelServerOptions; services?: Partial<ServicesConfig> } = {},
): Promise<SessionHarness> => {
  const model = await startScriptedModelServer(options.model);
  const temp = await createTempDb();
  const driver = createDockerDriver({ labelPrefix: TEST_LABEL_PREFIX });
  const owner = await ensureLocalUser(temp.db);
  // Session tests drive the agent in bypassPermissions, which only a team policy can permit.
  await temp.db.workspace.update({ where: { id: "local" }, data: { permissionPolicy: JSON.stringify({ ...EMPTY_TEAM_POLICY, allowBypass: true }) } });
  const services = createServices({
    db: temp.db,
    driver,
    // Fast retries: the behaviour is under test, not the waiting.
    createModelClient: (config) => createModelClient(config, { retry: { initialDelayMs: 1, maxDelayMs: 5 } }),
    tools: builtinTools,
    toolSchemas: toolSchemas(builtinTools),
    dataDir: temp.dir,
    sandboxDefaults: { image: "pincer-sandbox:latest", network: "none", memoryBytes: 512 * 1024 * 1024, nanoCpus: 1e9, pidsLimit: 256 },
    ...options.services,
  });
  await temp.db.provider.create({
    data: {
      id: "p1",
      ownerId: owner.id,
      workspaceId: "local",
      kind: "anthropic",
      label: "scripted",
      baseUrl: model.url,
      model: "claude-scripted",
      apiKeyEncrypted: encryptSecret("sk-test"),
      isDefault: true,
    },
  });
  const created: string[] = [];
  return {
    model,
    services,
    dataDir: temp.dir,
    driver,
    track: (sessionId) => created.push(sessionId),
    async close() {
      await Promise.all(created.map((id) => driver.destroy(id).catch(() => undefined)));
      await model.close();
      await temp.cleanup();
    },
  };
};
