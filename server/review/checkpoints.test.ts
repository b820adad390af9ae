import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointCommit, listCheckpoints, recordCheckpoint } from "./checkpoints";
import { getDiffPage, resolveScope } from "./review-diff";
import { startReviewFixture, type ReviewFixture } from "./test-helpers";

describe("checkpoints", () => {
  let fx: ReviewFixture;
  beforeAll(async () => {
    fx = await startReviewFixture();
  });
  afterAll(async () => fx?.cleanup());

  const checkpoint = (turn: number) =>
    recordCheckpoint({ sandbox: fx.sandbox, eventLog: fx.eventLog, sessionId: fx.sessionId, baseCommit: fx.baseCommit, turn, reason: "turn" });

  it("records tracked, untracked and deleted files on a private ref without touching index, HEAD or branches", async () => {
    await fx.sh("printf 'a\\n' > kept.txt && printf 'x\\n' > gone.txt && git add -A && git commit -qm 'user work'");
    const head = (await fx.sh("git rev-parse HEAD")).trim();
    await fx.sh("printf 'a\\nb\\n' > kept.txt && rm gone.txt && printf 'new\\n' > untracked.txt && printf 'build\\n' > ignored.log && printf '*.log\\n' > .gitignore");
    const statusBefore = await fx.sh("git status --porcelain");
    const first = await checkpoint(1);
    expect(first).toMatchObject({ number: 1, turn: 1, ref: "refs/pincer/checkpoints/1", head, reason: "turn" });
    expect(await fx.sh("git status --porcelain")).toBe(statusBefore);
    expect((await fx.sh("git rev-parse HEAD")).trim()).toBe(head);
    expect(await fx.sh("git branch --format='%(refname)'")).toBe("refs/heads/main\n");
    expect((await fx.sh(`git ls-tree -r --name-only ${first.commit}`)).split("\n").filter(Boolean).sort()).toEqual([".gitignore", "kept.txt", "untracked.txt"]);
    // Against the base: kept.txt (+2), untracked.txt (+1), .gitignore (+1).
    expect(first).toMatchObject({ files: 3, additions: 4, deletions: 0 });
    expect((await fx.sh("git rev-parse refs/pincer/checkpoints/1")).trim()).toBe(first.commit);
  });

  it("chains checkpoints and the scopes compare the right states", async () => {
    await fx.sh("printf 'turn two\\n' > two.txt && git add two.txt && git commit -qm 'agent commits itself'");
    const second = await checkpoint(2);
    expect(second).toMatchObject({ number: 2, files: 1, additions: 1 });
    expect((await fx.sh(`git rev-parse ${second.commit}^`)).trim()).toBe(checkpointCommit(listCheckpoints(await fx.eventLog.listSince(fx.sessionId, 0)), fx.baseCommit, 1));

    const checkpoints = listCheckpoints(await fx.eventLog.listSince(fx.sessionId, 0));
    const turn = await getDiffPage(fx.sandbox, resolveScope({ kind: "turn" }, checkpoints, fx.baseCommit, false), 0);
    expect(turn.files.map((file) => file.path)).toEqual(["two.txt"]);
    expect(turn.files[0]!.patch).toContain("+turn two");
    // Since start still shows everything although the agent committed (trees, not the index).
    const start = await getDiffPage(fx.sandbox, resolveScope({ kind: "start" }, checkpoints, fx.baseCommit, false), 0);
    expect(start.files.map((file) => file.path).sort()).toEqual([".gitignore", "kept.txt", "two.txt", "untracked.txt"]);
    const between = await getDiffPage(fx.sandbox, resolveScope({ kind: "range", from: 0, to: 1 }, checkpoints, fx.baseCommit, false), 0);
    expect(between.files.map((file) => file.path).sort()).toEqual([".gitignore", "kept.txt", "untracked.txt"]);
  });

  it("handles a 50 MB generated file: checkpointed, and shown as a large (binary) file", async () => {
    await fx.sh("seq 1 7000000 > generated.txt && ls -l generated.txt");
    const third = await checkpoint(3);
    expect(third.files).toBe(1);
    expect(third.additions).toBe(0);
    const checkpoints = listCheckpoints(await fx.eventLog.listSince(fx.sessionId, 0));
    const started = Date.now();
    const page = await getDiffPage(fx.sandbox, resolveScope({ kind: "turn" }, checkpoints, fx.baseCommit, false), 0);
    const file = page.files.find((candidate) => candidate.path === "generated.txt")!;
    expect(file).toMatchObject({ binary: true, patch: "", status: "added" });
    expect(Date.now() - started).toBeLessThan(30_000);
    await fx.sh("rm generated.txt");
  }, 120_000);

  it("initialises a new repository when .git is gone, and says so", async () => {
    await fx.sh("rm -rf .git");
    const reinitialised: string[] = [];
    const fourth = await recordCheckpoint({
      sandbox: fx.sandbox, eventLog: fx.eventLog, sessionId: fx.sessionId, baseCommit: fx.baseCommit, turn: 4, reason: "turn",
      onReinitialised: async (base) => void reinitialised.push(base),
    });
    expect(reinitialised).toHaveLength(1);
    expect(fourth.commit).toMatch(/^[0-9a-f]{40}$/);
    expect((await fx.sh("git log --format=%s -1")).trim()).toMatch(/new repository/);
  });
});
