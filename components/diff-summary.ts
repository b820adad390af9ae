// Figures about a workspace diff that the diff view shows or decides by.

import type { DiffFile } from "@/server/workspace/diff-types";

/** Files with more changed lines than this start collapsed. */
export const LARGE_DIFF_CHANGED_LINES = 400;

export function isLargeDiffFile(file: Pick<DiffFile, "additions" | "deletions">): boolean {
  return file.additions + file.deletions > LARGE_DIFF_CHANGED_LINES;
}

export function diffTotals(files: ReadonlyArray<Pick<DiffFile, "additions" | "deletions">>): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const file of files) {
    additions += file.additions;
    deletions += file.deletions;
  }
  return { additions, deletions };
}
