// The permission modes, named as Claude Code names them, and what each decides for a call that no
// rule matched.
import { z } from "zod";

export const MODES = ["default", "acceptEdits", "plan", "bypassPermissions"] as const;
export const modeSchema = z.enum(MODES);
export type Mode = z.infer<typeof modeSchema>;

export const isMode = (value: unknown): value is Mode => typeof value === "string" && (MODES as readonly string[]).includes(value);

export const MODE_DESCRIPTIONS: Record<Mode, string> = {
  default: "asks for anything not allowed by a rule or the read-only list",
  acceptEdits: "also allows file edits inside the workspace (protected paths still ask)",
  plan: "read-only tools only; anything that would change something is refused, ExitPlanMode asks",
  bypassPermissions: "allows everything except deny and ask rules, protected paths, catastrophic and unparseable commands",
};

/** What a call falls back to when no rule matched, by what kind of action it is. */
export type ActionKind = "read" | "read-outside" | "edit" | "edit-outside" | "execute" | "network" | "other";

export type ModeVerdict = { decision: "allow" | "ask" | "deny"; reason: string };

export const modeFallback = (mode: Mode, kind: ActionKind): ModeVerdict => {
  if (kind === "read") return { decision: "allow", reason: "reading inside the workspace is allowed" };
  if (mode === "bypassPermissions") return { decision: "allow", reason: "bypassPermissions mode" };
  if (mode === "plan") {
    if (kind === "read-outside" || kind === "network") return { decision: "ask", reason: "plan mode: reading outside the workspace asks" };
    return { decision: "deny", reason: "plan mode allows read-only tools only; leave plan mode to make changes" };
  }
  if (mode === "acceptEdits" && kind === "edit") return { decision: "allow", reason: "acceptEdits mode: edits inside the workspace are allowed" };
  const what: Record<ActionKind, string> = {
    read: "reading",
    "read-outside": "reading outside the workspace",
    edit: "editing files",
    "edit-outside": "writing outside the workspace",
    execute: "running this command",
    network: "fetching from the network",
    other: "using this tool",
  };
  return { decision: "ask", reason: `${mode} mode: ${what[kind]} needs approval` };
};
