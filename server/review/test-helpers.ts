// Shared setup for the review tests: a real sandbox container on a fresh workspace (initialised
// like a session's), and a real event log on a migrated SQLite file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTempDb } from "../../test-support/temp-db";
import { startTestSandbox } from "../sandbox/test-sandbox";
import { ensureLocalUser } from "../services";
import { createEventLog } from "../sessions/event-log";
import { initWorkspace } from "../workspace/init";

export const startReviewFixture = async () => {
  const temp = await createTempDb();
  const root = await mkdtemp(path.join(tmpdir(), "pincer-review-"));
  const workspaceDir = path.join(root, "ws");
  const { baseCommit } = await initWorkspace(workspaceDir, { kind: "empty" });
  const env = await startTestSandbox({ workspaceDir });
  await ensureLocalUser(temp.db);
  const sessionId = `s${Date.now().toString(36)}`;
  await temp.db.session.create({ data: { id: sessionId, ownerId: "local", workspaceId: "local", title: "t", source: "empty", image: "pincer-sandbox:latest", baseCommit } });
  const eventLog = createEventLog(temp.db);
  const sh = async (script: string) => {
    const result = await env.sandbox.exec({ cmd: ["sh", "-c", script], cwd: "/workspace" });
    if (result.exitCode !== 0) throw new Error(`${script}: ${result.stderr.toString()}`);
    return result.stdout.toString();
  };
  return {
    db: temp.db,
    sandbox: env.sandbox,
    workspaceDir,
    baseCommit,
    sessionId,
    eventLog,
    sh,
    async cleanup() {
      await env.cleanup();
      await temp.cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
};

export type ReviewFixture = Awaited<ReturnType<typeof startReviewFixture>>;
