// Checkpoints: after every agent turn the whole workspace (tracked, untracked, deletions;
// .gitignore respected) is written as a commit on refs/pincer/checkpoints/<n>, through a
// throwaway index, so the user's index, HEAD and branches never move. Git runs inside the sandbox.
import type { SessionEvent } from "../agent/events";
import type { EventLog } from "../sessions/event-log";
import type { Sandbox } from "../sandbox/sandbox";
import { gitIdentityEnv, runSandboxGit } from "./sandbox-git";

export const CHECKPOINT_REF_PREFIX = "refs/pincer/checkpoints/";

export type Checkpoint = SessionEvent<"checkpoint">["payload"] & {
  seq: number;
  createdAt: string;
  /** Rewound away: no longer on the session's line (still diffable, kept as history). */
  abandoned: boolean;
};

// $1 = number, $2 = parent commit, $3 = message. Prints "<commit> <head>", then the numstat.
const script = `
set -e
number=$1; parent=$2; message=$3
if ! git rev-parse --git-dir >/dev/null 2>&1; then
  # .git is gone (the agent removed it): start a new repository from what is there.
  git init -q -b main
  git add -A
  git commit -q --allow-empty --no-verify -m "Pincer: new repository (the previous .git was gone)"
  parent=$(git rev-parse HEAD)
  echo "reinit $parent"
fi
tmp=$(mktemp -d /tmp/pincer-checkpoint.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
index=$(git rev-parse --git-path index)
[ -f "$index" ] && cp "$index" "$tmp/index"
export GIT_INDEX_FILE="$tmp/index"
git -c core.fsmonitor= add -A >/dev/null 2>&1 || git -c core.fsmonitor= add -A >/dev/null
tree=$(git write-tree)
commit=$(git commit-tree "$tree" -p "$parent" -m "$message")
git update-ref "refs/pincer/checkpoints/$number" "$commit"
head=$(git rev-parse -q --verify HEAD || true)
printf '%s %s\\n' "$commit" "$head"
git -c core.bigFileThreshold=8m diff --numstat "$parent" "$commit"
`;

/** The session's checkpoints in order, each marked abandoned when a later rewind went before it. */
export const listCheckpoints = (events: Iterable<SessionEvent>): Checkpoint[] => {
  const all: Checkpoint[] = [];
  for (const event of events) {
    if (event.type === "checkpoint") all.push({ ...event.payload, seq: event.seq, createdAt: event.createdAt, abandoned: false });
    if (event.type === "rewind") {
      for (const checkpoint of all) if (checkpoint.number > event.payload.toCheckpoint) checkpoint.abandoned = true;
    }
  }
  return all;
};

/** The last checkpoint still on the session's line (what the next one builds on), if any. */
export const latestLiveCheckpoint = (checkpoints: Checkpoint[]): Checkpoint | undefined => checkpoints.findLast((checkpoint) => !checkpoint.abandoned);

/** The commit a checkpoint number stands for: 0 is the session's base. */
export const checkpointCommit = (checkpoints: Checkpoint[], baseCommit: string, number: number): string | undefined =>
  number === 0 ? baseCommit : checkpoints.find((checkpoint) => checkpoint.number === number)?.commit;

export type RecordCheckpointOptions = {
  sandbox: Sandbox;
  eventLog: EventLog;
  sessionId: string;
  baseCommit: string;
  turn: number;
  reason: "turn" | "pre_rewind";
  /** Called when the workspace had no repository any more and a new one was made (new base). */
  onReinitialised?: (newBase: string) => Promise<void>;
};

/** Writes the next checkpoint and records its `checkpoint` event. */
export const recordCheckpoint = async (options: RecordCheckpointOptions): Promise<Checkpoint> => {
  const events = await options.eventLog.listSince(options.sessionId, 0);
  const checkpoints = listCheckpoints(events);
  const number = (checkpoints.at(-1)?.number ?? 0) + 1;
  const parent = latestLiveCheckpoint(checkpoints)?.commit ?? options.baseCommit;
  const label = options.reason === "turn" ? `after turn ${options.turn}` : "before a rewind";
  const output = await runSandboxGit(options.sandbox, {
    script,
    args: [String(number), parent, `Pincer checkpoint ${number} (${label})`],
    env: gitIdentityEnv,
    what: "Recording a checkpoint",
  });
  const lines = output.split("\n");
  const reinit = /^reinit (\S+)$/.exec(lines[0] ?? "");
  if (reinit) {
    lines.shift();
    await options.onReinitialised?.(reinit[1]!);
  }
  const [first = "", ...statLines] = lines;
  const [commit = "", head = ""] = first.split(" ");
  const stats = parseNumstatLines(statLines);
  const event = await options.eventLog.append(options.sessionId, "checkpoint", {
    number,
    turn: options.turn,
    ref: `${CHECKPOINT_REF_PREFIX}${number}`,
    commit,
    head,
    files: stats.files,
    additions: stats.additions,
    deletions: stats.deletions,
    reason: options.reason,
  });
  return { ...event.payload, seq: event.seq, createdAt: event.createdAt, abandoned: false };
};

const parseNumstatLines = (lines: string[]) => {
  const totals = { files: 0, additions: 0, deletions: 0 };
  for (const line of lines) {
    const match = /^(-|\d+)\t(-|\d+)\t/.exec(line);
    if (!match) continue;
    totals.files += 1;
    totals.additions += match[1] === "-" ? 0 : Number(match[1]);
    totals.deletions += match[2] === "-" ? 0 : Number(match[2]);
  }
  return totals;
};
