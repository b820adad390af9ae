import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expandCommandBody, parseSlashCommand } from "./commands";
import { parseFrontmatter } from "./markdown-definitions";
import { loadSkillBody, loadSkills, skillRoots } from "./skills";
import { parseMcpConfig } from "../mcp/config";
import { matcherMatches } from "../hooks/hooks";

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("slash commands", () => {
  it("parses /name args, but not paths", () => {
    expect(parseSlashCommand("/compact  keep the API notes")).toEqual({ name: "compact", args: "keep the API notes" });
    expect(parseSlashCommand("/COST")).toEqual({ name: "cost", args: "" });
    expect(parseSlashCommand("/usr/bin/env is broken")).toBeNull();
    expect(parseSlashCommand("please /compact")).toBeNull();
  });

  it("substitutes $ARGUMENTS and $1, and appends arguments a command does not use", () => {
    expect(expandCommandBody("Fix issue $ARGUMENTS ($1)", "42 now")).toBe("Fix issue 42 now (42)");
    expect(expandCommandBody("Run the tests.", "fast")).toBe("Run the tests.\n\nARGUMENTS: fast");
  });
});

describe("skills", () => {
  it("reads workspace and server skills, skips malformed ones, and refuses a symlink out of the workspace", async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), "pincer-skills-"));
    const server = await mkdtemp(path.join(tmpdir(), "pincer-server-skills-"));
    const outside = await mkdtemp(path.join(tmpdir(), "pincer-outside-"));
    dirs.push(workspace, server, outside);
    const write = async (file: string, text: string) => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    };
    await write(path.join(workspace, ".pincer/skills/a/SKILL.md"), "---\nname: alpha\ndescription: First skill\n---\nAlpha body");
    await write(path.join(workspace, ".pincer/skills/a/scripts/run.sh"), "echo");
    await write(path.join(workspace, ".claude/skills/b/SKILL.md"), "---\nname: beta\n---\nno description");
    await write(path.join(server, "alpha/SKILL.md"), "---\nname: alpha\ndescription: shadowed\n---\nServer alpha");
    await write(path.join(server, "gamma/SKILL.md"), "---\nname: gamma\ndescription: Server skill\n---\nGamma body");
    await write(path.join(outside, "evil/SKILL.md"), "---\nname: evil\ndescription: escapes\n---\nEvil");
    await symlink(path.join(outside, "evil"), path.join(workspace, ".pincer/skills/evil"));

    const catalog = await loadSkills(skillRoots(workspace, server));
    expect(catalog.skills.map((skill) => [skill.name, skill.description])).toEqual([["alpha", "First skill"], ["gamma", "Server skill"]]);
    expect(catalog.problems.map((problem) => problem.path).sort()).toEqual([".claude/skills/b/SKILL.md", ".pincer/skills/evil/SKILL.md"]);
    const body = await loadSkillBody(catalog.skills[0]);
    expect(body).toEqual({ body: "Alpha body", files: ["scripts/run.sh"], location: "/workspace/.pincer/skills/a" });
  });

  it("reports broken YAML", () => {
    expect(() => parseFrontmatter("---\nname: [x\n---\n")).toThrow();
    expect(parseFrontmatter("no frontmatter")).toEqual({ data: {}, body: "no frontmatter" });
  });
});

describe("MCP config and hook matchers", () => {
  it("parses stdio and http servers and reports bad entries", () => {
    const parsed = parseMcpConfig(JSON.stringify({ mcpServers: { fs: { command: "python3", args: ["s.py"] }, web: { type: "http", url: "https://example.com/mcp" }, "bad name": { command: "x" }, nocmd: {} } }), ".mcp.json");
    expect(parsed.servers.map((s) => [s.name, s.config.transport])).toEqual([["fs", "stdio"], ["web", "http"]]);
    expect(parsed.errors).toHaveLength(2);
    expect(parseMcpConfig("{", ".mcp.json").errors[0]).toContain("not valid JSON");
  });

  it("matches tool names like Claude Code", () => {
    expect(matcherMatches(undefined, "Bash")).toBe(true);
    expect(matcherMatches("Edit|Write", "Write")).toBe(true);
    expect(matcherMatches("Bash", "BashOutput")).toBe(false);
    expect(matcherMatches("mcp__echo__.*", "mcp__echo__echo")).toBe(true);
  });
});
