import { describe, expect, it } from "vitest";
import { diffTotals, isLargeDiffFile } from "./diff-summary";

describe("diff summary", () => {
  it("adds up the counts", () => {
    expect(diffTotals([{ additions: 3, deletions: 1 }, { additions: 0, deletions: 7 }])).toEqual({ additions: 3, deletions: 8 });
    expect(diffTotals([])).toEqual({ additions: 0, deletions: 0 });
  });

  it("calls a file large past 400 changed lines", () => {
    expect(isLargeDiffFile({ additions: 200, deletions: 200 })).toBe(false);
    expect(isLargeDiffFile({ additions: 401, deletions: 0 })).toBe(true);
  });
});
