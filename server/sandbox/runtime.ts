// Which OCI runtime sandboxes run under. gVisor (runsc) puts a user-space kernel between the agent's
// commands and the host's; Pincer takes it whenever the engine has it, unless told otherwise.
import { SandboxError } from "./sandbox";

export type EngineRuntimes = { runtimes: string[]; defaultRuntime: string };

export const GVISOR_RUNTIME = "runsc";

/**
 * The runtime to create sandboxes with, for PINCER_SANDBOX_RUNTIME ("auto" or a runtime name the
 * engine lists); throws a SandboxError that says how to fix a missing one.
 */
export const selectRuntime = (setting: string, engine: EngineRuntimes, engineAddress: string): string => {
  if (setting === "auto") return engine.runtimes.includes(GVISOR_RUNTIME) ? GVISOR_RUNTIME : engine.defaultRuntime;
  if (engine.runtimes.includes(setting)) return setting;
  const hint =
    setting === GVISOR_RUNTIME
      ? "Install gVisor, register it with `runsc install` and reload dockerd, or set PINCER_SANDBOX_RUNTIME=auto to use the engine's default runtime."
      : "Set PINCER_SANDBOX_RUNTIME to one of those, or to auto.";
  throw new SandboxError(
    "runtime_unavailable",
    `PINCER_SANDBOX_RUNTIME=${setting}, but the Docker engine at ${engineAddress} has no runtime of that name (it has: ${engine.runtimes.join(", ") || "none"}). ${hint}`,
  );
};
