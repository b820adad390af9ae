import { describe, expect, it } from "vitest";
import { classifyCommand, sedScriptWrites } from "./read-only-commands";

describe("sedScriptWrites", () => {
  it.each([
    ["s/a/b/", false],
    ["s/what/where/g", false],
    ["1,10p", false],
    ["/start/,/end/d", false],
    ["s|a|b|w out", true],
    ["s/a/b/gw out", true],
    ["s/a/b/e", true],
    ["1w out", true],
    ["/x/W out", true],
    ["e ls", true],
    ["$!N;P;D", false],
    ["y/abc/xyz/", false],
    ["a\\appended w text", false],
    ["s/w/e/", false],
    ["\\,x,d", false],
    [":a;N;ba", false],
  ])("%j -> %s", (script, writes) => {
    expect(sedScriptWrites(script)).toBe(writes);
  });
});

describe("classifyCommand", () => {
  it.each([
    [["ls", "-la"], true],
    [["cat", "a"], true],
    [["git", "status"], true],
    [["git", "push"], false],
    [["git", "-c", "x=y", "status"], false],
    [["find", ".", "-delete"], false],
    [["find", ".", "-name", "x"], true],
    [["rg", "--pre", "x", "y"], false],
    [["sort", "-o", "x"], false],
    [["sed", "-i", "s/a/b/", "f"], false],
    [["sed", "-e", "s/a/b/", "f"], true],
    [["awk", "{print}", "f"], true],
    [["awk", "{system(\"x\")}"], false],
    [["tee", "out"], true],
    [["./x"], false],
    [["npm", "test"], false],
  ])("%j -> read-only %s", (argv, readOnly) => {
    expect(classifyCommand(argv).readOnly).toBe(readOnly);
  });

  it("names the files read and written", () => {
    expect(classifyCommand(["cat", "-n", "a", "b"]).readPaths).toEqual(["a", "b"]);
    expect(classifyCommand(["tee", "-a", "log"]).writePaths).toEqual(["log"]);
    expect(classifyCommand(["git", "-C", "/x", "log"]).readPaths).toEqual(["/x"]);
  });
});
