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

/** Where the first hunk ("@@ ...") starts in a patch, or -1 when it has none (binary, rename only, mode change). */
export function firstHunkOffset(patch: string): number {
  if (patch.startsWith("@@")) return 0;
  const newline = patch.indexOf("\n@@");
  return newline < 0 ? -1 : newline + 1;
}

/** The rows a viewer draws for a patch: every line from the first hunk on, hunk headers included. */
export function patchRowCount(patch: string): number {
  const start = firstHunkOffset(patch);
  if (start < 0) return 0;
  return patch
    .slice(start)
    .split("\n")
    .filter((line) => line.length > 0 && !line.startsWith("\\")).length;
}

/** What a file's body shows: the binary note, a "no content changes" note, or its patch. */
export function fileBodyKind(file: Pick<DiffFile, "binary" | "patch">): "binary" | "empty" | "patch" {
  if (file.binary) return "binary";
  if (firstHunkOffset(file.patch) < 0) return "empty";
  return "patch";
}
