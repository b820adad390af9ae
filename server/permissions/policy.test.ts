import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { addRuleToSettings, compileRules, effectiveMode, parseSettings, readProjectSettings } from "./policy";

describe("parseSettings", () => {
  it("reads Claude Code's settings shape", () => {
    const parsed = parseSettings(JSON.stringify({ permissions: { allow: ["Bash(ls *)"], deny: ["Read(.env)"], defaultMode: "acceptEdits" }, model: "x" }));
    expect(parsed).toMatchObject({ ok: true, settings: { permissions: { allow: ["Bash(ls *)"], ask: [], deny: ["Read(.env)"], defaultMode: "acceptEdits" } } });
    expect(parseSettings("{}")).toMatchObject({ ok: true, settings: { permissions: { allow: [], ask: [], deny: [] } } });
  });

  it("returns an error value for malformed files", () => {
    expect(parseSettings("{not json", "x.json")).toMatchObject({ ok: false, error: expect.stringMatching(/^x\.json: not valid JSON/) });
    expect(parseSettings(JSON.stringify({ permissions: { allow: "Bash" } }))).toMatchObject({ ok: false, error: expect.stringMatching(/permissions\.allow/) });
    expect(parseSettings(JSON.stringify({ permissions: { defaultMode: "yolo" } }))).toMatchObject({ ok: false });
    expect(parseSettings(JSON.stringify({ permissions: { allow: ["Bash(unclosed"] } }))).toMatchObject({ ok: false, error: expect.stringMatching(/not a permission rule/) });
  });
});

describe("addRuleToSettings", () => {
  it("adds a rule once, keeping other settings", () => {
    const first = addRuleToSettings(JSON.stringify({ model: "m", permissions: { deny: ["Bash(rm *)"] } }), "allow", "Bash(npm test:*)");
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(JSON.parse(first.text)).toEqual({ model: "m", permissions: { deny: ["Bash(rm *)"], allow: ["Bash(npm test:*)"] } });
    const again = addRuleToSettings(first.text, "allow", "Bash(npm test:*)");
    expect(again.ok && JSON.parse(again.text).permissions.allow).toEqual(["Bash(npm test:*)"]);
    expect(addRuleToSettings(null, "ask", "Bash(git push:*)")).toMatchObject({ ok: true });
    expect(addRuleToSettings("{bad", "allow", "Bash")).toMatchObject({ ok: false });
    expect(addRuleToSettings("{}", "allow", "Bash(")).toMatchObject({ ok: false });
  });
});

describe("readProjectSettings", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("reads .pincer and .claude settings, reporting malformed ones", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "pincer-policy-"));
    dirs.push(dir);
    await mkdir(path.join(dir, ".pincer"));
    await mkdir(path.join(dir, ".claude"));
    await writeFile(path.join(dir, ".pincer/settings.json"), JSON.stringify({ permissions: { allow: ["Bash(npm test:*)"] } }));
    await writeFile(path.join(dir, ".claude/settings.json"), JSON.stringify({ permissions: { deny: ["Read(.env)"] } }));
    await writeFile(path.join(dir, ".claude/settings.local.json"), "{oops");
    const { sources, errors } = await readProjectSettings(dir);
    expect(sources.map((source) => [source.origin, source.allow, source.deny])).toEqual([
      [".pincer/settings.json", ["Bash(npm test:*)"], []],
      [".claude/settings.json", [], ["Read(.env)"]],
    ]);
    expect(errors).toEqual([expect.stringMatching(/^\.claude\/settings\.local\.json: not valid JSON/)]);
  });

  it("is empty for a project without settings", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "pincer-policy-"));
    dirs.push(dir);
    expect(await readProjectSettings(dir)).toEqual({ sources: [], errors: [] });
  });
});

describe("effectiveMode and compileRules", () => {
  it("takes the requested mode, else the last defaultMode; team policy can forbid bypass", () => {
    expect(effectiveMode({ sources: [] }).mode).toBe("default");
    expect(effectiveMode({ sources: [{ name: "project", origin: "p", allow: [], ask: [], deny: [], defaultMode: "acceptEdits" }] }).mode).toBe("acceptEdits");
    expect(effectiveMode({ sources: [] }, "plan").mode).toBe("plan");
    const team = { name: "team" as const, origin: "t", allow: [], ask: [], deny: [], disableBypassPermissionsMode: "disable" as const };
    const project = { name: "project" as const, origin: "p", allow: [], ask: [], deny: [], defaultMode: "bypassPermissions" as const };
    expect(effectiveMode({ sources: [team, project] })).toMatchObject({ mode: "default", note: expect.stringMatching(/team/) });
  });

  it("orders deny, ask, allow and reports bad rules", () => {
    const compiled = compileRules(
      { sources: [{ name: "session", origin: "s", allow: ["Bash(ls *)"], ask: ["Bash(git push:*)"], deny: ["Bash(rm:*)", "oops("] }] },
      { projectRoot: "/workspace", cwd: "/workspace", homeDir: "/home/pincer" },
    );
    expect(compiled.rules.map((rule) => rule.list)).toEqual(["deny", "ask", "allow"]);
    expect(compiled.errors).toHaveLength(1);
  });
});
