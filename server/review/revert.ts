// Revert a file or a single hunk of the review diff in the working tree: the file goes back to the
// diff's "from" side (the base or a checkpoint); a hunk is un-applied with `git apply -R`. Both run
// inside the sandbox and touch neither the index nor HEAD.
import type { Sandbox } from "../sandbox/sandbox";
import { getWorkspaceDiffFiles } from "../workspace/diff";
import { runSandboxGit } from "./sandbox-git";
import { splitPatch } from "./hunks";

export class RevertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RevertError";
  }
}

// $1 = from commit, $2 = path, $3 = old path of a rename (or empty).
const revertFileScript = `
set -e
from=$1; path=$2; old=$3
if [ -n "$old" ] && [ "$old" != "$path" ]; then rm -f -- "$path"; path=$old; fi
if git cat-file -e "$from:$path" 2>/dev/null; then
  git restore --source="$from" --worktree -- ":(literal)$path"
else
  rm -f -- "$path"
fi
`;

export const revertFile = async (sandbox: Sandbox, options: { from: string; path: string; oldPath?: string }) => {
  await runSandboxGit(sandbox, { script: revertFileScript, args: [options.from, options.path, options.oldPath ?? ""], what: `Reverting ${options.path}` });
};

export type RevertHunkOptions = {
  from: string;
  path: string;
  oldPath?: string;
  hunkIndex: number;
  /** The hunk's "@@ ... @@" line as the reviewer saw it: refuses when the diff moved on since. */
  hunkHeader: string;
};

export const revertHunk = async (sandbox: Sandbox, options: RevertHunkOptions) => {
  const paths = options.oldPath && options.oldPath !== options.path ? [options.oldPath, options.path] : [options.path];
  const file = (await getWorkspaceDiffFiles(sandbox, { from: options.from }, paths)).find((candidate) => candidate.path === options.path);
  if (!file) throw new RevertError(`${options.path} has no changes any more; refresh the diff.`);
  if (file.binary) throw new RevertError(`${options.path} is binary: revert the whole file instead.`);
  if (file.truncated) throw new RevertError(`${options.path}'s diff is too large to revert hunk by hunk: revert the whole file instead.`);
  const { header, hunks } = splitPatch(file.patch);
  const hunk = hunks[options.hunkIndex];
  if (!hunk || hunk.split("\n", 1)[0] !== options.hunkHeader) {
    throw new RevertError(`The diff of ${options.path} changed since it was shown (the agent may still be working); refresh and try again.`);
  }
  // A rename's header would rename the file back: un-apply the hunk on the new path only.
  const fileHeader = file.status === "renamed" ? `diff --git a/${file.path} b/${file.path}\n--- a/${file.path}\n+++ b/${file.path}\n` : header;
  await runSandboxGit(sandbox, {
    script: "git apply -R --whitespace=nowarn -",
    stdin: fileHeader + hunk,
    what: `Reverting the hunk ${options.hunkHeader} of ${options.path}`,
  });
};
