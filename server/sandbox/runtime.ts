// Which OCI runtime sandboxes run under. gVisor (runsc) puts a user-space kernel between the agent's
// commands and the host's; Pincer takes it whenever the engine has it, unless told otherwise.
import path from "node:path";
import { SandboxError } from "./sandbox";

export type EngineRuntimes = { runtimes: string[]; defaultRuntime: string };

export const GVISOR_RUNTIME = "runsc";

/** One entry of `docker info`'s Runtimes: the binary and the flags the engine passes it. */
export type RuntimeEntry = { path?: string; runtimeArgs?: string[] };

/** What Pincer needs to know about a runtime beyond its name. */
export type RuntimeTraits = {
  /** The runtime is gVisor: its own kernel, and a sandbox over its limits stops as a whole. */
  gvisor: boolean;
  /** Containers can have network egress (gVisor registered with --network=none cannot). */
  network: boolean;
};

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

/** Reads a runtime's traits from its `docker info` entry (the name alone says gVisor for "runsc"). */
export const runtimeTraits = (name: string, entry: RuntimeEntry | undefined): RuntimeTraits => {
  const gvisor = name === GVISOR_RUNTIME || path.basename(entry?.path ?? "") === "runsc";
  const args = entry?.runtimeArgs ?? [];
  // Go flags: --network=none, -network=none, or the value as the next argument.
  const networkNone = args.some((arg, index) => /^--?network=none$/.test(arg) || (/^--?network$/.test(arg) && args[index + 1] === "none"));
  return { gvisor, network: !(gvisor && networkNone) };
};

/**
 * Refuses egress on a runtime without network rather than falling back to a weaker runtime: an
 * operator who chose gVisor gets it for every session or an error, never a silent downgrade.
 */
export const egressUnavailable = (runtime: string) =>
  new SandboxError(
    "runtime_unavailable",
    `This sandbox needs network egress, but its runtime ${runtime} is gVisor registered with --network=none, which gives containers no network. ` +
      "Run the session without egress, register gVisor without --network=none where the engine allows it, or set PINCER_SANDBOX_RUNTIME to a runtime with networking (such as runc).",
  );
