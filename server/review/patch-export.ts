// "Download patch": every change since the base (committed or not, untracked included) as one
// git-apply-able patch, binary files included. Computed inside the sandbox on a throwaway index.
import type { Sandbox } from "../sandbox/sandbox";
import { runSandboxGit } from "./sandbox-git";

const MAX_PATCH_BYTES = 64 * 1024 * 1024;

const script = `
set -e
base=$1
tmp=$(mktemp -d /tmp/pincer-patch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
index=$(git rev-parse --git-path index)
[ -f "$index" ] && cp "$index" "$tmp/index"
objects=$(cd "$(git rev-parse --git-path objects)" && pwd)
mkdir "$tmp/objects"
export GIT_INDEX_FILE="$tmp/index" GIT_OBJECT_DIRECTORY="$tmp/objects" GIT_ALTERNATE_OBJECT_DIRECTORIES="$objects"
git add -A >/dev/null
git -c core.bigFileThreshold=8m -c core.quotepath=off -c diff.noprefix=false diff --cached --binary -M --no-color --no-ext-diff --no-textconv "$base"
`;

export const exportPatch = async (sandbox: Sandbox, baseCommit: string): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  await runSandboxGit(sandbox, {
    script,
    args: [baseCommit],
    what: "Exporting the patch",
    onStdout: (chunk) => {
      size += chunk.length;
      if (size <= MAX_PATCH_BYTES) chunks.push(Buffer.from(chunk));
    },
  });
  if (size > MAX_PATCH_BYTES) throw new Error(`The patch is ${Math.round(size / 1024 / 1024)} MB, over the ${MAX_PATCH_BYTES / 1024 / 1024} MB download limit: push a branch instead.`);
  return Buffer.concat(chunks).toString("utf8");
};
