import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDiffFile, getDiffPage, resolveScope } from "./review-diff";
import { startReviewFixture, type ReviewFixture } from "./test-helpers";

describe("paged review diff", () => {
  let fx: ReviewFixture;
  beforeAll(async () => {
    fx = await startReviewFixture();
    await fx.sh("mkdir -p gen && cd gen && for i in $(seq 1 5000); do echo \"file $i\" > f$i.txt; done");
  }, 120_000);
  afterAll(async () => fx?.cleanup());

  it("pages a 5,000-file diff 200 files at a time and serves any file's patch on demand", async () => {
    const scope = resolveScope({ kind: "start" }, [], fx.baseCommit, false);
    const started = Date.now();
    const first = await getDiffPage(fx.sandbox, scope, 0);
    const elapsed = Date.now() - started;
    expect(first.total).toBe(5000);
    expect(first.files).toHaveLength(200);
    expect(first.totals).toEqual({ additions: 5000, deletions: 0 });
    expect(first.files[0]!.patch).toContain("+file");
    expect(first.files.filter((file) => file.patchOmitted)).toHaveLength(170);
    expect(elapsed).toBeLessThan(10_000);
    const last = await getDiffPage(fx.sandbox, scope, 24);
    expect(last.files).toHaveLength(200);
    const beyond = await getDiffPage(fx.sandbox, scope, 25);
    expect(beyond.files).toHaveLength(0);
    const one = await getDiffFile(fx.sandbox, scope, last.files.at(-1)!.path);
    expect(one?.patch).toMatch(/^diff --git a\/gen\/f\d+\.txt/);
  }, 120_000);
});
