import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessageProjection } from "../agent/messages";
import { listCheckpoints, recordCheckpoint } from "./checkpoints";
import { rewindSession } from "./rewind";
import { startReviewFixture, type ReviewFixture } from "./test-helpers";

describe("rewind", () => {
  let fx: ReviewFixture;
  beforeAll(async () => {
    fx = await startReviewFixture();
  });
  afterAll(async () => fx?.cleanup());

  const turn = async (number: number, text: string, script: string) => {
    await fx.eventLog.append(fx.sessionId, "user_message", { text, author: "You" });
    await fx.eventLog.append(fx.sessionId, "turn_started", { turn: number, model: "m", provider: "anthropic" });
    await fx.sh(script);
    await fx.eventLog.append(fx.sessionId, "assistant_message", { content: [{ type: "text", text: `did ${text}` }], stopReason: "end_turn", usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 }, model: "m" });
    await recordCheckpoint({ sandbox: fx.sandbox, eventLog: fx.eventLog, sessionId: fx.sessionId, baseCommit: fx.baseCommit, turn: number, reason: "turn" });
  };

  it("restores the checkpoint's files and HEAD, saves what was there, and the model forgets later turns", async () => {
    await turn(1, "one", "printf 'one\\n' > a.txt");
    await turn(2, "two", "printf 'two\\n' >> a.txt && printf 'b\\n' > b.txt && git add -A && git commit -qm 'agent commit'");
    const headAfterTwo = (await fx.sh("git rev-parse HEAD")).trim();
    // The user edits in the terminal after the last turn: must not be lost.
    await fx.sh("printf 'user edit\\n' > c.txt");

    const result = await rewindSession({ sandbox: fx.sandbox, eventLog: fx.eventLog, sessionId: fx.sessionId, baseCommit: fx.baseCommit, toCheckpoint: 1 });
    expect(await fx.sh("cat a.txt")).toBe("one\n");
    expect(await fx.sh("ls")).toBe("a.txt\n");
    expect((await fx.sh("git rev-parse HEAD")).trim()).toBe(fx.baseCommit);
    expect(await fx.sh("git status --porcelain")).toBe("?? a.txt\n");
    expect(result.message).toMatch(/saved as checkpoint 3/);
    expect(result.message).toMatch(/1 file\(s\) had changed since the last checkpoint/);
    expect(result.message).toMatch(/HEAD moved back/);
    // Nothing lost: the saved checkpoint has the user's edit, the old HEAD a ref.
    expect(await fx.sh(`git show ${result.savedCheckpoint.commit}:c.txt`)).toBe("user edit\n");
    expect((await fx.sh("git rev-parse refs/pincer/rewound-heads/3")).trim()).toBe(headAfterTwo);

    const events = await fx.eventLog.listSince(fx.sessionId, 0);
    const checkpoints = listCheckpoints(events);
    expect(checkpoints.map((checkpoint) => [checkpoint.number, checkpoint.abandoned])).toEqual([[1, false], [2, true], [3, true]]);
    const texts = createMessageProjection(events).messages().flatMap((message) => message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])));
    expect(texts).toEqual(["one", "did one"]);
    // A rewound-away checkpoint cannot be rewound to.
    await expect(rewindSession({ sandbox: fx.sandbox, eventLog: fx.eventLog, sessionId: fx.sessionId, baseCommit: fx.baseCommit, toCheckpoint: 2 })).rejects.toThrow(/rewound away/);
  });

  it("ends a conflicted merge the agent left behind, explains it, and keeps the conflicted files", async () => {
    await fx.sh([
      "git add -A && git commit -qm 'c1'",
      "git checkout -qb side && printf 'side\\n' > a.txt && git commit -qam side",
      "git checkout -q main && printf 'main\\n' > a.txt && git commit -qam main",
      "git merge side >/dev/null 2>&1 || true",
    ].join(" && "));
    expect(await fx.sh("git status --porcelain")).toContain("UU a.txt");
    await turn(3, "three", "true");
    const result = await rewindSession({ sandbox: fx.sandbox, eventLog: fx.eventLog, sessionId: fx.sessionId, baseCommit: fx.baseCommit, toCheckpoint: 1 });
    expect(result.message).toMatch(/unfinished MERGE_HEAD/);
    expect(await fx.sh("git status --porcelain")).toBe("?? a.txt\n");
    expect(await fx.sh(`git show ${result.savedCheckpoint.commit}:a.txt`)).toContain("<<<<<<<");
  });
});
