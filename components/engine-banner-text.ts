// What the engine banner says; null while there is nothing to say.
import type { EngineState } from "@/server/sandbox/engine-health";

export const engineBannerText = (engine: Pick<EngineState, "state" | "address" | "reason">) => {
  if (engine.state !== "unreachable") return null;
  const where = engine.address ? ` at ${engine.address}` : "";
  return {
    headline: `Docker engine unreachable${where}: ${engine.reason ?? "no answer"}; retrying.`,
    detail: "Sandboxes cannot run commands until it answers again. Workspaces are kept, and sessions carry on once it is back.",
  };
};
