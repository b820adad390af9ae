import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getWorkspaceDiffFiles } from "../workspace/diff";
import { hunkHeaders } from "./hunks";
import { revertFile, revertHunk } from "./revert";
import { startReviewFixture, type ReviewFixture } from "./test-helpers";

describe("revert", () => {
  let fx: ReviewFixture;
  beforeAll(async () => {
    fx = await startReviewFixture();
    await fx.sh("seq 1 40 > numbers.txt && printf 'keep\\n' > other.txt && git add -A && git commit -qm base");
    fx.baseCommit = (await fx.sh("git rev-parse HEAD")).trim();
  });
  afterAll(async () => fx?.cleanup());

  it("reverts one hunk and leaves the others", async () => {
    await fx.sh("sed -i -e 's/^2$/two/' -e 's/^38$/thirty-eight/' numbers.txt");
    const [file] = await getWorkspaceDiffFiles(fx.sandbox, { from: fx.baseCommit }, ["numbers.txt"]);
    const headers = hunkHeaders(file!.patch);
    expect(headers).toHaveLength(2);
    await revertHunk(fx.sandbox, { from: fx.baseCommit, path: "numbers.txt", hunkIndex: 1, hunkHeader: headers[1]! });
    const text = await fx.sh("cat numbers.txt");
    expect(text).toContain("two\n");
    expect(text).toContain("\n38\n");
    await expect(revertHunk(fx.sandbox, { from: fx.baseCommit, path: "numbers.txt", hunkIndex: 1, hunkHeader: headers[1]! })).rejects.toThrow(/changed since it was shown/);
  });

  it("reverts a whole file: modified, added (untracked) and renamed", async () => {
    await fx.sh("printf 'new\\n' > added.txt && git mv other.txt moved.txt");
    await revertFile(fx.sandbox, { from: fx.baseCommit, path: "numbers.txt" });
    await revertFile(fx.sandbox, { from: fx.baseCommit, path: "added.txt" });
    await revertFile(fx.sandbox, { from: fx.baseCommit, path: "moved.txt", oldPath: "other.txt" });
    expect(await fx.sh("git diff HEAD --stat -- numbers.txt")).toBe("");
    expect(await fx.sh("ls")).toBe("numbers.txt\nother.txt\n");
    expect(await fx.sh("cat other.txt")).toBe("keep\n");
  });
});
