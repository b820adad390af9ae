import { describe, expect, it } from "vitest";
import { hunkLineRange, hunkNewLines, hunkSideLines, selectLines } from "./diff-hunk-lines";

const hunk = "@@ -1,3 +1,4 @@\n one\n-two\n+TWO\n+2b\n three\n";

describe("hunk lines", () => {
  it("reads the new-side range and lines", () => {
    expect(hunkLineRange(hunk)).toEqual({ first: 1, last: 4 });
    expect(hunkNewLines(hunk, 2, 3)).toEqual(["TWO", "2b"]);
    expect(hunkLineRange("@@ -0,0 +1 @@\n+x\n")).toEqual({ first: 1, last: 1 });
  });

  it("reads old-side lines (context and removed) by their old numbers", () => {
    expect(hunkSideLines(hunk, "old", 2, 3)).toEqual(["two", "three"]);
    expect(hunkSideLines("@@ -10,2 +12,2 @@\n-a\n+b\n c\n", "old", 10, 11)).toEqual(["a", "c"]);
    expect(hunkSideLines("@@ -10,2 +12,2 @@\n-a\n+b\n c\n", "new", 12, 13)).toEqual(["b", "c"]);
  });

  it("a click selects a line, a shift-click on the same side widens it to a range", () => {
    const one = selectLines(null, { side: "new", line: 5 }, true);
    expect(one).toEqual({ side: "new", line: 5 });
    expect(selectLines(one, { side: "new", line: 8 }, true)).toEqual({ side: "new", line: 5, endLine: 8 });
    expect(selectLines({ side: "new", line: 5, endLine: 8 }, { side: "new", line: 3 }, true)).toEqual({ side: "new", line: 3, endLine: 8 });
    expect(selectLines(one, { side: "new", line: 8 }, false)).toEqual({ side: "new", line: 8 });
    expect(selectLines(one, { side: "old", line: 8 }, true)).toEqual({ side: "old", line: 8 });
  });
});
