// Test helper for the host-side file tools: a ToolContext whose sandbox only provides the workspace.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Sandbox } from "../sandbox/sandbox";
import { makeToolContext } from "./test-context";

export const makeFileToolContext = async () => {
  const workspaceDir = await mkdtemp(path.join(tmpdir(), "pincer-files-"));
  // Read/Write/Edit work host-side through the bind-mounted workspace and never exec.
  const sandbox: Sandbox = {
    id: "files-only",
    sessionId: "s",
    workdir: "/workspace",
    hostWorkspaceDir: workspaceDir,
    exec: () => Promise.reject(new Error("not used")),
    openTty: () => Promise.reject(new Error("not used")),
  };
  return { workspaceDir, context: makeToolContext(sandbox) };
};
