import { describe, expect, it } from "vitest";
import { diffTotals, fileBodyKind, firstHunkOffset, isLargeDiffFile, patchRowCount } from "./diff-summary";

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

const PATCH = `diff --git a/a.ts b/a.ts
index 1..2 100644
--- a/a.ts
+++ b/a.ts
@@ -1,2 +1,2 @@
 keep
-old
+new
\\ No newline at end of file
`;

describe("patch shape", () => {
  it("finds the first hunk with or without git's header", () => {
    expect(firstHunkOffset(PATCH)).toBe(PATCH.indexOf("@@"));
    expect(firstHunkOffset("@@ -1 +1 @@\n-a\n+b\n")).toBe(0);
    expect(firstHunkOffset("diff --git a/x b/y\nrename from x\nrename to y\n")).toBe(-1);
  });

  it("counts the rows the viewer draws", () => {
    expect(patchRowCount(PATCH)).toBe(4);
    expect(patchRowCount("")).toBe(0);
  });

  it("tells binary, empty and patch bodies apart", () => {
    expect(fileBodyKind({ binary: true, patch: "" })).toBe("binary");
    expect(fileBodyKind({ binary: false, patch: "diff --git a/x b/y\nsimilarity index 100%\n" })).toBe("empty");
    expect(fileBodyKind({ binary: false, patch: PATCH })).toBe("patch");
  });
});
