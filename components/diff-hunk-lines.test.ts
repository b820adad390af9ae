import { describe, expect, it } from "vitest";
import { hunkLineRange, hunkNewLines } from "./diff-hunk-lines";

const hunk = "@@ -1,3 +1,4 @@\n one\n-two\n+TWO\n+2b\n three\n";

describe("hunk lines", () => {
  it("reads the new-side range and lines", () => {
    expect(hunkLineRange(hunk)).toEqual({ first: 1, last: 4 });
    expect(hunkNewLines(hunk, 2, 3)).toEqual(["TWO", "2b"]);
    expect(hunkLineRange("@@ -0,0 +1 @@\n+x\n")).toEqual({ first: 1, last: 1 });
  });
});
