import { describe, expect, it } from "vitest";
import { editPreview, formatDuration, summarizeToolInput, toOneLine } from "./tool-call-summary";

describe("summarizeToolInput", () => {
  it("shows a Bash command in monospace on one line", () => {
    expect(summarizeToolInput("Bash", { command: "npm test\n  && echo ok", timeout: 1000 })).toEqual({
      text: "npm test && echo ok",
      mono: true,
    });
  });

  it("shows the file path for Read, Write and Edit", () => {
    expect(summarizeToolInput("Read", { file_path: "/w/src/a.ts" }).text).toBe("/w/src/a.ts");
    expect(summarizeToolInput("Write", { file_path: "/w/b.md", content: "x" }).text).toBe("/w/b.md");
    expect(summarizeToolInput("Edit", { file_path: "/w/c.ts", old_string: "a", new_string: "b" }).text).toBe("/w/c.ts");
  });

  it("adds the line range of a partial Read", () => {
    expect(summarizeToolInput("Read", { file_path: "a.ts", offset: 10, limit: 20 }).text).toBe("a.ts:10-29");
  });

  it("names the command of the text-editor tool", () => {
    expect(summarizeToolInput("str_replace_based_edit_tool", { command: "view", path: "/w/x.py" }).text).toBe("view /w/x.py");
  });

  it("shows Grep's pattern and where it looks", () => {
    expect(summarizeToolInput("Grep", { pattern: "TODO", path: "src" }).text).toBe("TODO in src");
  });

  it("falls back to the first string field, then to JSON, for unknown tools", () => {
    expect(summarizeToolInput("mcp__github__search", { q: "bug", limit: 3 })).toEqual({ text: "bug", mono: false });
    expect(summarizeToolInput("mcp__x__y", { n: 3 })).toEqual({ text: '{"n":3}', mono: true });
    expect(summarizeToolInput("mcp__x__y", undefined)).toEqual({ text: "", mono: false });
  });

  it("copes with a Bash call whose input is not an object", () => {
    expect(summarizeToolInput("Bash", "oops").text).toBe("");
  });

  it("cuts long input to one line with an ellipsis", () => {
    const text = summarizeToolInput("Bash", { command: "x".repeat(500) }).text;
    expect(text).toHaveLength(160);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("editPreview", () => {
  it("reads Edit and str_replace inputs", () => {
    expect(editPreview("Edit", { file_path: "a", old_string: "a", new_string: "b", replace_all: true })).toEqual({
      oldString: "a",
      newString: "b",
      replaceAll: true,
    });
    expect(editPreview("str_replace_based_edit_tool", { command: "str_replace", old_str: "x", new_str: "" })).toEqual({
      oldString: "x",
      newString: "",
      replaceAll: false,
    });
  });

  it("is undefined for other tools and incomplete input", () => {
    expect(editPreview("Write", { old_string: "a", new_string: "b" })).toBeUndefined();
    expect(editPreview("Edit", { file_path: "a", old_string: "a" })).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it("picks a readable unit", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(3210)).toBe("3.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(125_000)).toBe("2m 05s");
    expect(formatDuration(-1)).toBe("");
  });
});

describe("toOneLine", () => {
  it("collapses whitespace", () => {
    expect(toOneLine("  a\n\tb  ")).toBe("a b");
  });
});
