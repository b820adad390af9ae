"use client";
import type { PermissionMode } from "@/server/sessions/approvals";

const labels: Record<PermissionMode, string> = {
  default: "Ask before acting",
  acceptEdits: "Accept edits",
  plan: "Plan (read-only)",
  bypassPermissions: "Bypass (deny rules still apply)",
};

export function ModeSelect({ mode, onChange, disabled }: { mode: PermissionMode; onChange: (mode: PermissionMode) => void; disabled?: boolean }) {
  return (
    <select
      data-testid="mode-select"
      value={mode}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value as PermissionMode)}
      className="rounded-md border border-input bg-card px-2 py-1 text-xs"
      title="Permission mode for this session"
    >
      {(Object.keys(labels) as PermissionMode[]).map((value) => (
        <option key={value} value={value}>
          {labels[value]}
        </option>
      ))}
    </select>
  );
}
