// Test helper: a ToolContext around a real sandbox.
import type { Sandbox } from "../sandbox/sandbox";
import type { ToolContext } from "./tool";

export const makeToolContext = (sandbox: Sandbox, overrides: Partial<ToolContext> = {}): ToolContext => ({
  sandbox,
  sessionId: sandbox.sessionId,
  signal: new AbortController().signal,
  shell: { cwd: "/workspace" },
  readFiles: new Map(),
  limits: { maxOutputChars: 30_000 },
  ...overrides,
});
