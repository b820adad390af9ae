// The scope picker's state and the tRPC scope it stands for.
export type ScopeChoice = { kind: "turn" | "start" | "range"; from: number; to: number | null };

export type ReviewScope = { kind: "turn" } | { kind: "start" } | { kind: "range"; from: number; to: number | null };

export const scopeFromChoice = (choice: ScopeChoice): ReviewScope =>
  choice.kind === "range" ? { kind: "range", from: choice.from, to: choice.to } : { kind: choice.kind };
