import { describe, expect, it } from "vitest";
import { compileBashPattern, compilePathPattern, matchBashPattern, matchDomain, matchPathPattern, matchToolName, parseRule } from "./rules";

describe("parseRule", () => {
  it.each([
    ["Bash", "Bash", null],
    ["Bash(npm run test:*)", "Bash", "npm run test:*"],
    ["Bash(*)", "Bash", null],
    ["Bash()", "Bash", null],
    ["Read(./src/**)", "Read", "./src/**"],
    ["WebFetch(domain:example.com)", "WebFetch", "domain:example.com"],
    ["mcp__github", "mcp__github", null],
    ["mcp__github__*", "mcp__github__*", null],
    ["  Edit(docs/**)  ", "Edit", "docs/**"],
    ["Bash(echo (nested))", "Bash", "echo (nested)"],
  ])("%s", (raw, tool, specifier) => {
    expect(parseRule(raw)).toEqual({ ok: true, rule: { raw: raw.trim(), tool, specifier } });
  });

  it.each(["", "Bash(", "(ls)", "Bash(ls) extra", "bad name(x)", "9tool"])("rejects %j", (raw) => {
    expect(parseRule(raw).ok).toBe(false);
  });
});

describe("Bash patterns", () => {
  const matches = (spec: string, command: string, openEnded = false) => matchBashPattern(compileBashPattern(spec), command, openEnded);

  it("legacy :* is a whole-word prefix", () => {
    expect(matches("npm run test:*", "npm run test")).toBe(true);
    expect(matches("npm run test:*", "npm run test -- --watch")).toBe(true);
    expect(matches("npm run test:*", "npm run testing")).toBe(false);
    expect(matches("npm:*", "npx x")).toBe(false);
  });

  it("a space before a trailing * is a word boundary; without it, any characters", () => {
    expect(matches("ls *", "ls -la")).toBe(true);
    expect(matches("ls *", "ls")).toBe(true);
    expect(matches("ls *", "lsof")).toBe(false);
    expect(matches("ls*", "lsof")).toBe(true);
    expect(matches("ls*", "ls")).toBe(true);
  });

  it("* matches anywhere, \\* is a literal star", () => {
    expect(matches("* --version", "node --version")).toBe(true);
    expect(matches("* --version", "node --version x")).toBe(false);
    expect(matches("git * main", "git push origin main")).toBe(true);
    expect(matches("git * main", "git push origin mainline")).toBe(false);
    expect(matches("echo \\*", "echo *")).toBe(true);
    expect(matches("echo \\*", "echo hi")).toBe(false);
  });

  it("exact rules match whitespace-normalized text only", () => {
    expect(matches("git status", "git  status")).toBe(true);
    expect(matches("git status", "git status --short")).toBe(false);
    expect(matches("git status", "git status", true)).toBe(false);
  });

  it("open-ended commands (xargs) only match open-ended patterns", () => {
    expect(matches("rm *", "rm", true)).toBe(true);
    expect(matches("rm:*", "rm", true)).toBe(true);
    expect(matches("rm", "rm", true)).toBe(false);
    expect(matches("rm * -i", "rm x -i", true)).toBe(false);
  });
});

describe("path patterns (gitignore style)", () => {
  const context = { projectRoot: "/workspace", cwd: "/workspace", homeDir: "/home/pincer" };
  const matches = (spec: string, file: string) => matchPathPattern(compilePathPattern(spec, context), file);

  it.each([
    ["./src/**", "/workspace/src/a.ts", true],
    ["./src/**", "/workspace/src/deep/a.ts", true],
    ["./src/**", "/workspace/lib/src/a.ts", false],
    ["src/**", "/workspace/src/a.ts", true],
    ["docs/**", "/workspace/other/docs/a.md", false],
    ["/config/*.json", "/workspace/config/a.json", true],
    ["/config/*.json", "/workspace/config/sub/a.json", false],
    ["//tmp/**", "/tmp/x/y", true],
    ["//etc/passwd", "/etc/passwd", true],
    ["~/notes.md", "/home/pincer/notes.md", true],
    ["~/.ssh/**", "/home/pincer/.ssh/id_rsa", true],
    [".env", "/workspace/.env", true],
    [".env", "/workspace/a/b/.env", true],
    [".env", "/workspace/.env.local", false],
    ["*.pem", "/workspace/x/key.pem", true],
    ["*.pem", "/etc/key.pem", false],
    ["secrets", "/workspace/a/secrets/b.txt", true],
    ["**/*.test.ts", "/workspace/a/b.test.ts", true],
    ["src/?.ts", "/workspace/src/a.ts", true],
    ["src/[ab].ts", "/workspace/src/c.ts", false],
    ["../sibling/**", "/sibling/x", true],
  ])("%s vs %s -> %s", (spec, file, expected) => {
    expect(matches(spec, file)).toBe(expected);
  });
});

describe("domains and tool names", () => {
  it("matches domain: rules", () => {
    expect(matchDomain("domain:example.com", "example.com")).toBe(true);
    expect(matchDomain("domain:example.com", "EXAMPLE.com")).toBe(true);
    expect(matchDomain("domain:example.com", "api.example.com")).toBe(false);
    expect(matchDomain("domain:*.example.com", "api.example.com")).toBe(true);
    expect(matchDomain("domain:*.example.com", "example.com.evil.net")).toBe(false);
    expect(matchDomain("example.com", "example.com")).toBe(false);
  });

  it("matches MCP server and tool names", () => {
    expect(matchToolName("mcp__github", "mcp__github__get_issue")).toBe(true);
    expect(matchToolName("mcp__github__*", "mcp__github__get_issue")).toBe(true);
    expect(matchToolName("mcp__github", "mcp__github2__x")).toBe(false);
    expect(matchToolName("mcp__github__get_issue", "mcp__github__get_issues")).toBe(false);
    expect(matchToolName("Bash", "Bash")).toBe(true);
  });
});
