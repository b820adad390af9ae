"use client";
import type { PermissionMode } from "@/server/sessions/approvals";

const labels: Record<PermissionMode, string> = {
  default: "Ask before acting",
  acceptEdits: "Accept edits",
  plan: "Plan (read-only)",
  bypassPermissions: "Bypass (deny rules still apply)",
};

const BYPASS_FORBIDDEN = "The team policy does not allow bypass mode in this workspace (an admin can allow it in Settings → Team policy).";

/** Bypass is shown but disabled where the team policy forbids it; the server refuses it anyway. */
export function ModeSelect({
  mode,
  onChange,
  disabled,
  bypassPermitted = true,
}: {
  mode: PermissionMode;
  onChange: (mode: PermissionMode) => void;
  disabled?: boolean;
  bypassPermitted?: boolean;
}) {
  return (
    <select
      data-testid="mode-select"
      value={mode}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value as PermissionMode)}
      className="w-auto max-w-[13rem] shrink-0 rounded-md border border-input bg-card px-2 py-1 text-xs"
      title={bypassPermitted ? "Permission mode for this session" : `Permission mode for this session. ${BYPASS_FORBIDDEN}`}
    >
      {(Object.keys(labels) as PermissionMode[]).map((value) => {
        const forbidden = value === "bypassPermissions" && !bypassPermitted;
        return (
          <option key={value} value={value} disabled={forbidden} title={forbidden ? BYPASS_FORBIDDEN : undefined}>
            {forbidden ? `${labels[value]} · not allowed by team policy` : labels[value]}
          </option>
        );
      })}
    </select>
  );
}
