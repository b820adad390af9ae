// Rewind: the workspace goes back to a checkpoint (its files, and HEAD when the agent committed
// since) and a `rewind` event makes the model forget the turns after it; the log keeps them.
// Nothing is lost: the state just before is saved first as a checkpoint of its own.
import type { EventLog } from "../sessions/event-log";
import type { Sandbox } from "../sandbox/sandbox";
import { checkpointCommit, listCheckpoints, recordCheckpoint, type Checkpoint } from "./checkpoints";
import { runSandboxGit } from "./sandbox-git";

export class RewindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RewindError";
  }
}

// $1 = target commit, $2 = HEAD at the target (may be empty), $3 = saved checkpoint commit,
// $4 = saved checkpoint number. Prints "merge" when a merge/rebase was in progress.
const script = `
set -e
target=$1; head=$2; saved=$3; number=$4
gitdir=$(git rev-parse --git-dir)
for state in MERGE_HEAD CHERRY_PICK_HEAD REVERT_HEAD rebase-merge rebase-apply; do
  [ -e "$gitdir/$state" ] && echo "in-progress $state"
done
rm -rf "$gitdir/rebase-merge" "$gitdir/rebase-apply"
current=$(git rev-parse -q --verify HEAD || true)
[ -n "$current" ] && git update-ref "refs/pincer/rewound-heads/$number" "$current"
tmp=$(mktemp -d /tmp/pincer-rewind.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# A throwaway index holding exactly what is on disk (the saved checkpoint), then reset to the
# target: changed files are rewritten, files the target lacks removed. Ignored files stay.
GIT_INDEX_FILE="$tmp/index" git read-tree "$saved"
GIT_INDEX_FILE="$tmp/index" git read-tree -u --reset "$target"
# Ends an unfinished merge or cherry-pick (a soft reset refuses to run inside one).
git reset -q
if [ -n "$head" ] && [ "$head" != "$current" ] && git cat-file -e "$head^{commit}" 2>/dev/null; then
  git reset -q --soft "$head"
  echo "moved-head $current"
fi
# The index follows HEAD.
git reset -q
`;

export type RewindOptions = {
  sandbox: Sandbox;
  eventLog: EventLog;
  sessionId: string;
  baseCommit: string;
  toCheckpoint: number;
};

export type RewindResult = { toCheckpoint: number; savedCheckpoint: Checkpoint; message: string };

export const rewindSession = async (options: RewindOptions): Promise<RewindResult> => {
  const events = await options.eventLog.listSince(options.sessionId, 0);
  const checkpoints = listCheckpoints(events);
  const target = options.toCheckpoint === 0 ? undefined : checkpoints.find((checkpoint) => checkpoint.number === options.toCheckpoint);
  if (options.toCheckpoint !== 0 && !target) throw new RewindError(`There is no checkpoint ${options.toCheckpoint}.`);
  if (target?.abandoned) {
    throw new RewindError(`Checkpoint ${target.number} was itself rewound away; pick a checkpoint on the current line (its changes stay viewable as a diff).`);
  }
  const targetCommit = checkpointCommit(checkpoints, options.baseCommit, options.toCheckpoint)!;
  const lastTurn = events.findLast((event) => event.type === "turn_started");
  const turn = lastTurn?.type === "turn_started" ? lastTurn.payload.turn : 0;

  const saved = await recordCheckpoint({ ...options, turn, reason: "pre_rewind" });
  const output = await runSandboxGit(options.sandbox, {
    script,
    args: [targetCommit, target?.head ?? options.baseCommit, saved.commit, String(saved.number)],
    what: "Rewinding the workspace",
  });

  const notes = [`Rewound to ${options.toCheckpoint === 0 ? "the start of the session" : `checkpoint ${options.toCheckpoint} (after turn ${target!.turn})`}.`];
  notes.push(`The workspace as it was just before is saved as checkpoint ${saved.number} (${saved.ref}); compare with it or copy from it at any time.`);
  if (saved.files > 0) {
    notes.push(`${saved.files} file(s) had changed since the last checkpoint (edits made after the agent's last turn); they are in checkpoint ${saved.number} too.`);
  }
  const inProgress = [...output.matchAll(/^in-progress (\S+)$/gm)].map((match) => match[1]);
  if (inProgress.length > 0) {
    notes.push(`An unfinished ${inProgress.join(", ")} (possibly with conflicts) was ended; the conflicted files as they were are in checkpoint ${saved.number}.`);
  }
  const movedHead = /^moved-head (\S*)$/m.exec(output);
  if (movedHead) notes.push(`HEAD moved back to ${target?.head.slice(0, 8) ?? options.baseCommit.slice(0, 8)}; commits made after it stay reachable at refs/pincer/rewound-heads/${saved.number}.`);
  const message = notes.join(" ");

  await options.eventLog.append(options.sessionId, "rewind", {
    toCheckpoint: options.toCheckpoint,
    toCommit: targetCommit,
    savedCheckpoint: saved.number,
    message,
  });
  return { toCheckpoint: options.toCheckpoint, savedCheckpoint: saved, message };
};
