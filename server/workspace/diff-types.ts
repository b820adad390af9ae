// The shape of a workspace diff as the server sends it to the browser.

export type DiffFileStatus = "added" | "modified" | "deleted" | "renamed";

export type DiffFile = {
  path: string;
  /** For renames: the path before. */
  oldPath?: string;
  status: DiffFileStatus;
  additions: number;
  deletions: number;
  binary: boolean;
  /** Unified diff text of this file (git's format, starting at "diff --git"); empty for binary files. */
  patch: string;
  /** True when the patch was cut because it is very large. */
  truncated: boolean;
  /** The patch was left out (a paged file list): fetch it on demand. */
  patchOmitted?: boolean;
};

export type WorkspaceDiff = {
  baseCommit: string;
  files: DiffFile[];
};
