// After the browser suite: remove the sandboxes its server created. Each run has its own temp data
// dir, so a later server never sees these sessions and would otherwise leave them to pile up.
import { rmSync } from "node:fs";
import path from "node:path";
import { createDockerDriver } from "../server/sandbox/docker";

export default async function globalTeardown() {
  const dataDir = process.env.PINCER_E2E_DATA_DIR;
  if (!dataDir) return;
  const workspaces = path.join(dataDir, "workspaces") + path.sep;
  const driver = createDockerDriver();
  const ours = (await driver.list()).filter((sandbox) => sandbox.workspaceDir?.startsWith(workspaces));
  for (const sandbox of ours) await driver.destroy(sandbox.sessionId);
  // A data dir the caller chose is theirs to keep.
  if (process.env.PINCER_E2E_TEMP_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
}
