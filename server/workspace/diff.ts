// The review diff: what changed in the workspace since the base commit, tracked or not. Git runs
// INSIDE the sandbox: the repository is agent-controlled and its .git/config could make a host
// git run code (core.fsmonitor, diff drivers). One exec; output is parsed as it streams, with
// each file's patch capped so a huge generated file cannot blow up memory.
import { randomBytes } from "node:crypto";
import type { Sandbox } from "../sandbox/sandbox";
import type { DiffFile, DiffFileStatus, WorkspaceDiff } from "./diff-types";

const MAX_PATCH_BYTES = 200 * 1024;
const DIFF_TIMEOUT_MS = 120_000;

// $1 = from commit, $2 = to commit ("" = the working tree), $3 = separator, $4 = mode (full: raw,
// numstat and patch; list: raw and numstat only; patch: all three for the pathspecs that follow).
// For the working tree, `git add -A` goes into a throwaway index, and new blobs into a throwaway
// object directory (the repo's objects as an alternate), so the repo itself is untouched. Either
// way trees are compared, never the user's index, so commits the agent makes change nothing.
const script = `
set -e
base=$1; to=$2; sep=$3; mode=$4; shift 4
git rev-parse --git-dir >/dev/null 2>&1 || { echo "/workspace is not a git repository (was .git removed?)" >&2; exit 3; }
git cat-file -e "$base^{commit}" 2>/dev/null || { echo "The base commit $base is not in the repository" >&2; exit 3; }
# Files over 8 MB are diffed as binary: a text diff of a 50 MB generated file needs ~1 GB of memory.
g() { git -c core.bigFileThreshold=8m -c core.quotepath=off -c core.fsmonitor= -c diff.noprefix=false -c diff.mnemonicprefix=false "$@"; }
if [ -n "$to" ]; then
  git cat-file -e "$to^{commit}" 2>/dev/null || { echo "The commit $to is not in the repository" >&2; exit 3; }
  range="$base $to"
else
  tmp=$(mktemp -d /tmp/pincer-diff.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  index=$(git rev-parse --git-path index)
  [ -f "$index" ] && cp "$index" "$tmp/index"
  objects=$(cd "$(git rev-parse --git-path objects)" && pwd)
  mkdir "$tmp/objects"
  export GIT_INDEX_FILE="$tmp/index" GIT_OBJECT_DIRECTORY="$tmp/objects" GIT_ALTERNATE_OBJECT_DIRECTORIES="$objects"
  git add -A >/dev/null 2>&1 || git add -A >/dev/null
  range="--cached $base"
fi
g diff $range -M --raw -z -- "$@"; printf '%s' "$sep"
g diff $range -M --numstat -z -- "$@"; printf '%s' "$sep"
[ "$mode" = list ] && exit 0
g diff $range -M -p --no-color --no-ext-diff --no-textconv -- "$@"
`;

type PatchPart = { chunks: Buffer[]; size: number; truncated: boolean };

const DIFF_HEADER = Buffer.from("diff --git ");

/** Splits the patch stream into per-file sections at lines starting "diff --git ", capping each. */
class PatchSplitter {
  readonly parts: PatchPart[] = [];
  private prefix = Buffer.alloc(0);
  private decided = false;

  push(chunk: Buffer) {
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.decided) {
        const newline = chunk.indexOf(10, pos);
        const lineEnd = newline === -1 ? chunk.length : newline + 1;
        const take = Math.min(lineEnd, pos + DIFF_HEADER.length - this.prefix.length);
        this.prefix = Buffer.concat([this.prefix, chunk.subarray(pos, take)]);
        pos = take;
        const lineDone = this.prefix[this.prefix.length - 1] === 10;
        if (!lineDone && this.prefix.length < DIFF_HEADER.length) continue;
        if (this.prefix.subarray(0, DIFF_HEADER.length).equals(DIFF_HEADER)) {
          this.parts.push({ chunks: [], size: 0, truncated: false });
        }
        this.append(this.prefix);
        this.prefix = Buffer.alloc(0);
        this.decided = !lineDone;
        continue;
      }
      const newline = chunk.indexOf(10, pos);
      const end = newline === -1 ? chunk.length : newline + 1;
      this.append(chunk.subarray(pos, end));
      pos = end;
      if (newline !== -1) this.decided = false;
    }
  }

  finish() {
    if (this.prefix.length > 0) this.append(this.prefix);
    this.prefix = Buffer.alloc(0);
  }

  private append(bytes: Buffer) {
    const part = this.parts[this.parts.length - 1];
    if (!part || part.truncated) return;
    const room = MAX_PATCH_BYTES - part.size;
    if (bytes.length <= room) {
      part.chunks.push(Buffer.from(bytes));
      part.size += bytes.length;
      return;
    }
    part.chunks.push(Buffer.from(bytes.subarray(0, room)));
    part.size += room;
    part.truncated = true;
  }
}

const patchText = (part: PatchPart | undefined) => {
  if (!part) return "";
  const text = Buffer.concat(part.chunks).toString("utf8");
  if (!part.truncated) return text;
  // Cut back to a whole line so the patch stays parseable.
  return text.slice(0, text.lastIndexOf("\n") + 1);
};

const statusOf = (letter: string): DiffFileStatus => {
  if (letter === "A" || letter === "C") return "added";
  if (letter === "D") return "deleted";
  if (letter === "R") return "renamed";
  return "modified";
};

type RawEntry = { status: DiffFileStatus; path: string; oldPath?: string };
type NumstatEntry = { additions: number; deletions: number; binary: boolean };

const parseRaw = (text: string): RawEntry[] => {
  const tokens = text.split("\0");
  const entries: RawEntry[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const header = tokens[index]!;
    if (!header.startsWith(":")) continue;
    const letter = header.split(" ")[4]?.charAt(0) ?? "M";
    if (letter === "R" || letter === "C") {
      const oldPath = tokens[index + 1]!;
      const path = tokens[index + 2]!;
      entries.push({ status: statusOf(letter), path, oldPath: letter === "R" ? oldPath : undefined });
      index += 2;
      continue;
    }
    entries.push({ status: statusOf(letter), path: tokens[index + 1]! });
    index += 1;
  }
  return entries;
};

const parseNumstat = (text: string): NumstatEntry[] => {
  const tokens = text.split("\0");
  const entries: NumstatEntry[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(token);
    if (!match) continue;
    // A rename's paths follow as two more NUL-separated tokens when the third field is empty.
    if (match[3] === "") index += 2;
    const binary = match[1] === "-";
    entries.push({ additions: binary ? 0 : Number(match[1]), deletions: binary ? 0 : Number(match[2]), binary });
  }
  return entries;
};

export type DiffRange = {
  /** The commit the diff starts from (the base, or a checkpoint). */
  from: string;
  /** The commit it ends at; the working tree when absent. */
  to?: string;
};

type DiffMode = "full" | "list" | "patch";

const literalPathspec = (path: string) => `:(literal)${path}`;

const runDiff = async (sandbox: Sandbox, range: DiffRange, mode: DiffMode, paths: string[] = []): Promise<DiffFile[]> => {
  const separator = Buffer.from(`<<PINCER-DIFF-${randomBytes(8).toString("hex")}>>`);
  const header: Buffer[] = [];
  let headerBytes = Buffer.alloc(0);
  let separatorsSeen = 0;
  const splitter = new PatchSplitter();

  const onStdout = (chunk: Buffer) => {
    if (separatorsSeen === 2) {
      splitter.push(chunk);
      return;
    }
    headerBytes = Buffer.concat([headerBytes, chunk]);
    for (;;) {
      const found = headerBytes.indexOf(separator);
      if (found === -1) return;
      header.push(headerBytes.subarray(0, found));
      headerBytes = headerBytes.subarray(found + separator.length);
      separatorsSeen++;
      if (separatorsSeen === 2) {
        splitter.push(headerBytes);
        headerBytes = Buffer.alloc(0);
        return;
      }
    }
  };

  const result = await sandbox.exec({
    cmd: ["sh", "-c", script, "pincer-diff", range.from, range.to ?? "", separator.toString("utf8"), mode, ...paths.map(literalPathspec)],
    cwd: sandbox.workdir,
    timeoutMs: DIFF_TIMEOUT_MS,
    onStdout,
  });
  splitter.finish();
  if (result.timedOut) throw new Error(`Computing the workspace diff timed out after ${DIFF_TIMEOUT_MS / 1000} s.`);
  if (result.exitCode !== 0 || separatorsSeen < 2) {
    const detail = result.stderr.toString("utf8").trim() || `git exited with code ${result.exitCode}`;
    throw new Error(`Computing the workspace diff failed: ${detail}`);
  }

  const raw = parseRaw(header[0]!.toString("utf8"));
  const numstat = parseNumstat(header[1]!.toString("utf8"));
  return raw.map((entry, index) => {
    const stat = numstat[index] ?? { additions: 0, deletions: 0, binary: false };
    const part = splitter.parts[index];
    return {
      path: entry.path,
      ...(entry.oldPath !== undefined ? { oldPath: entry.oldPath } : {}),
      status: entry.status,
      additions: stat.additions,
      deletions: stat.deletions,
      binary: stat.binary,
      patch: stat.binary || mode === "list" ? "" : patchText(part),
      truncated: part?.truncated ?? false,
      ...(mode === "list" && !stat.binary ? { patchOmitted: true } : {}),
    };
  });
};

/** Every changed file with its patch, from `baseCommit` to the working tree (or `options.to`). */
export const getWorkspaceDiff = async (sandbox: Sandbox, baseCommit: string, options: { to?: string } = {}): Promise<WorkspaceDiff> => ({
  baseCommit,
  files: await runDiff(sandbox, { from: baseCommit, to: options.to }, "full"),
});

/** The changed files with their counts but no patches (patchOmitted): cheap for thousands of files. */
export const listWorkspaceDiff = (sandbox: Sandbox, range: DiffRange): Promise<DiffFile[]> => runDiff(sandbox, range, "list");

/**
 * The patches of some files of a range. Give both paths of a rename so git pairs them again.
 * Returns the files among `paths` that changed, in git's order.
 */
export const getWorkspaceDiffFiles = async (sandbox: Sandbox, range: DiffRange, paths: string[]): Promise<DiffFile[]> => {
  if (paths.length === 0) return [];
  return runDiff(sandbox, range, "patch", paths);
};
