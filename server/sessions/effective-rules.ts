// The rules in force for a session and where each comes from, for the UI's "Rules" panel and /permissions.
import { SERVER_DEFAULTS, type RuleSource } from "../permissions/policy";
import type { SessionEvent } from "../agent/events";
import { approvalStateFromLog } from "./approvals";
import { inSourceOrder, readProjectRules } from "./permission-gate";

export type EffectiveRules = {
  mode: string;
  sources: Array<Pick<RuleSource, "name" | "origin" | "allow" | "ask" | "deny">>;
  errors: string[];
};

export const effectiveRules = async (workspaceDir: string, events: SessionEvent[], extra: RuleSource[] = []): Promise<EffectiveRules> => {
  const project = await readProjectRules(workspaceDir);
  const { mode, sessionRules } = approvalStateFromLog(events);
  const session: RuleSource = { name: "session", origin: "“always” answers in this session", allow: sessionRules, ask: [], deny: [] };
  const sources = inSourceOrder([SERVER_DEFAULTS, ...extra, ...project.sources, session]).map(({ name, origin, allow, ask, deny }) => ({ name, origin, allow, ask, deny }));
  return { mode, sources, errors: [...project.errors] };
};
