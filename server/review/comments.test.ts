import { describe, expect, it } from "vitest";
import { formatReviewComments } from "./comments";
import { draftCommitMessage } from "./commit";

describe("formatReviewComments", () => {
  it("numbers the comments with file:line and the quoted lines", () => {
    const text = formatReviewComments([
      { path: "src/a.ts", side: "new", line: 12, endLine: 14, excerpt: "const x = 1;\n", body: "Use a better name." },
      { path: "b.txt", side: "old", line: 3, endLine: null, excerpt: null, body: "Why remove this?" },
    ]);
    expect(text).toBe(
      "Review comments on your changes (please address each):\n\n1. src/a.ts:12-14\n```\nconst x = 1;\n```\nUse a better name.\n\n2. b.txt:3 (removed lines, old version)\nWhy remove this?",
    );
  });
});

describe("draftCommitMessage", () => {
  it("drafts a subject from the changed files", () => {
    expect(draftCommitMessage([{ path: "greeting.txt", status: "added" }])).toBe("Add greeting.txt");
    expect(draftCommitMessage([{ path: "a/x.ts", status: "modified" }, { path: "y.ts", status: "added" }])).toBe("Update 2 files (x.ts, y.ts)");
    expect(draftCommitMessage(["1", "2", "3", "4"].map((name) => ({ path: `${name}.md`, status: "deleted" as const })))).toBe("Remove 4 files (1.md, 2.md, 3.md, and 1 more)");
  });
});
