// The review diff by scope (this turn, since start, between two checkpoints), paged: the file list
// comes 200 files at a time, with the patches of the first few files inline; the rest are fetched
// one file at a time when the reviewer opens them. Built on server/workspace/diff.ts.
import type { Sandbox } from "../sandbox/sandbox";
import { getWorkspaceDiffFiles, listWorkspaceDiff, type DiffRange } from "../workspace/diff";
import type { DiffFile } from "../workspace/diff-types";
import { checkpointCommit, type Checkpoint } from "./checkpoints";

export const DIFF_PAGE_SIZE = 200;
const INLINE_PATCH_FILES = 30;
const INLINE_PATCH_LINES = 3_000;

/** `to: null` is the working tree; checkpoint 0 is the base. */
export type DiffScope = { kind: "turn" } | { kind: "start" } | { kind: "range"; from: number; to: number | null };

export type ResolvedScope = DiffRange & { fromLabel: string; toLabel: string; fromCheckpoint: number; toCheckpoint: number | null };

export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScopeError";
  }
}

/** Which two states a scope compares, given the session's checkpoints and whether a turn runs. */
export const resolveScope = (scope: DiffScope, checkpoints: Checkpoint[], baseCommit: string, running: boolean): ResolvedScope => {
  const label = (number: number) => (number === 0 ? "start" : `checkpoint ${number}`);
  if (scope.kind === "start") return { from: baseCommit, fromLabel: "start", toLabel: "working tree", fromCheckpoint: 0, toCheckpoint: null };
  if (scope.kind === "turn") {
    const live = checkpoints.filter((checkpoint) => !checkpoint.abandoned);
    // While a turn runs, it started at the latest checkpoint; once it ended, at the one before.
    const start = running ? live.at(-1) : live.at(-2);
    const number = start?.number ?? 0;
    return { from: start?.commit ?? baseCommit, fromLabel: label(number), toLabel: "working tree", fromCheckpoint: number, toCheckpoint: null };
  }
  const from = checkpointCommit(checkpoints, baseCommit, scope.from);
  if (!from) throw new ScopeError(`There is no checkpoint ${scope.from}.`);
  if (scope.to === null) return { from, fromLabel: label(scope.from), toLabel: "working tree", fromCheckpoint: scope.from, toCheckpoint: null };
  const to = checkpointCommit(checkpoints, baseCommit, scope.to);
  if (!to) throw new ScopeError(`There is no checkpoint ${scope.to}.`);
  return { from, to, fromLabel: label(scope.from), toLabel: label(scope.to), fromCheckpoint: scope.from, toCheckpoint: scope.to };
};

export type DiffPage = {
  scope: ResolvedScope;
  /** This page's files; patches inline for the first few, `patchOmitted` for the rest. */
  files: DiffFile[];
  total: number;
  page: number;
  pageSize: number;
  totals: { additions: number; deletions: number };
};

export const getDiffPage = async (sandbox: Sandbox, scope: ResolvedScope, page: number, pageSize = DIFF_PAGE_SIZE): Promise<DiffPage> => {
  const all = await listWorkspaceDiff(sandbox, scope);
  const totals = all.reduce((sum, file) => ({ additions: sum.additions + file.additions, deletions: sum.deletions + file.deletions }), { additions: 0, deletions: 0 });
  const files = all.slice(page * pageSize, (page + 1) * pageSize);

  // Inline the first files' patches while they are small: one more exec instead of one per file.
  const inline: DiffFile[] = [];
  let lines = 0;
  for (const file of files) {
    if (inline.length >= INLINE_PATCH_FILES) break;
    if (file.binary) continue;
    lines += file.additions + file.deletions;
    if (lines > INLINE_PATCH_LINES && inline.length > 0) break;
    inline.push(file);
  }
  const withPatches = await getWorkspaceDiffFiles(sandbox, scope, inline.flatMap((file) => (file.oldPath ? [file.oldPath, file.path] : [file.path])));
  const byPath = new Map(withPatches.map((file) => [file.path, file]));
  return {
    scope,
    files: files.map((file) => byPath.get(file.path) ?? file),
    total: all.length,
    page,
    pageSize,
    totals,
  };
};

/** One file's patch for a scope (the diff view asks when the reviewer scrolls to it). */
export const getDiffFile = async (sandbox: Sandbox, scope: ResolvedScope, path: string, oldPath?: string): Promise<DiffFile | null> => {
  const files = await getWorkspaceDiffFiles(sandbox, scope, oldPath && oldPath !== path ? [oldPath, path] : [path]);
  return files.find((file) => file.path === path) ?? null;
};
