import { beforeAll, describe, expect, it } from "vitest";
import { BASH_CASES, DANGEROUS_COMMANDS, type BashCase } from "./cases";
import { createPermissionChecker, type PermissionChecker } from "./checker";
import { MODES, type Mode } from "./modes";
import type { RuleSource } from "./policy";
import { localTeamSource } from "./team-policy";

const checkers = new Map<string, PermissionChecker>();
const checkerFor = async (mode: Mode, source: Omit<RuleSource, "name" | "origin">, extra: RuleSource[] = []) => {
  const key = JSON.stringify([mode, source, extra]);
  const cached = checkers.get(key);
  if (cached) return cached;
  const created = await createPermissionChecker({
    // The table exercises every mode, so the team here permits bypass (team-policy.test.ts covers refusing it).
    rules: { sources: [localTeamSource("test"), ...extra, { name: "session", origin: "test", ...source }] },
    mode,
    workspaceRoot: "/workspace",
  });
  checkers.set(key, created);
  return created;
};

const runCase = async (entry: BashCase) => {
  const checker = await checkerFor(entry.mode ?? "default", { allow: entry.allow ?? [], ask: entry.ask ?? [], deny: entry.deny ?? [] });
  return checker.check("Bash", { command: entry.command }, { cwd: entry.cwd });
};

const label = (entry: BashCase) => {
  const extras = [entry.mode && `mode=${entry.mode}`, entry.allow && `allow=${entry.allow.join(",")}`, entry.ask && `ask=${entry.ask.join(",")}`, entry.deny && `deny=${entry.deny.join(",")}`, entry.cwd && `cwd=${entry.cwd}`];
  return `${JSON.stringify(entry.command)} -> ${entry.expect} ${extras.filter(Boolean).join(" ")}`;
};

describe("bash command table", () => {
  it("has several hundred cases", () => {
    expect(BASH_CASES.length).toBeGreaterThanOrEqual(300);
  });

  it.each(BASH_CASES.map((entry) => [label(entry), entry] as const))("%s", async (_label, entry) => {
    const decision = await runCase(entry);
    expect(decision.decision, decision.reason).toBe(entry.expect);
    if (entry.dangerous !== undefined) expect(decision.dangerous, decision.reason).toBe(entry.dangerous);
    if (entry.parsed !== undefined) expect(decision.parsed).toBe(entry.parsed);
    if (entry.argv) expect(decision.subcommands?.map((sub) => sub.argv)).toEqual(entry.argv);
  });
});

describe("dangerous commands never come out allow", () => {
  const permissive = [[], ["Bash"], ["Bash(*)"], ["Bash(rm:*)", "Bash(sudo *)", "Bash(* *)"], ["Edit", "Write(//**)", "Bash(curl *)", "Bash(sh)", "Bash(bash)"]];
  it.each(MODES.map((mode) => [mode]))("in %s mode, under every permissive allow list", async (mode) => {
    for (const allow of permissive) {
      const checker = await checkerFor(mode, { allow, ask: [], deny: [] });
      for (const command of DANGEROUS_COMMANDS) {
        const decision = checker.check("Bash", { command });
        expect(decision.decision, `${command} in ${mode} with ${allow.join(",")}: ${decision.reason}`).not.toBe("allow");
        expect(decision.dangerous, command).toBe(true);
      }
    }
  });
});

describe("team policy cannot be loosened", () => {
  const team: RuleSource = { name: "team", origin: "workspace policy", allow: [], ask: ["Bash(git push:*)"], deny: ["Bash(curl:*)", "Edit(./infra/**)"] };

  it("a later allow does not lift a team deny or ask", async () => {
    const checker = await checkerFor("default", { allow: ["Bash(curl *)", "Bash(git push:*)", "Edit(**)"], ask: [], deny: [] }, [team]);
    expect(checker.check("Bash", { command: "curl https://example.com" })).toMatchObject({ decision: "deny", rule: "Bash(curl:*)", source: "team" });
    expect(checker.check("Bash", { command: "git push origin main" })).toMatchObject({ decision: "ask", rule: "Bash(git push:*)", source: "team" });
    expect(checker.check("Edit", { file_path: "/workspace/infra/main.tf" })).toMatchObject({ decision: "deny", source: "team" });
    expect(checker.check("Edit", { file_path: "/workspace/src/a.ts" })).toMatchObject({ decision: "allow", source: "session" });
  });

  it("bypassPermissions neither lifts a team ask nor a team deny", async () => {
    const checker = await checkerFor("bypassPermissions", { allow: [], ask: [], deny: [] }, [team]);
    expect(checker.check("Bash", { command: "git push" }).decision).toBe("ask");
    expect(checker.check("Bash", { command: "curl x" }).decision).toBe("deny");
    expect(checker.check("Bash", { command: "npm test" }).decision).toBe("allow");
  });

  it("a team policy can forbid bypassPermissions", async () => {
    const checker = await createPermissionChecker({
      rules: { sources: [{ ...team, disableBypassPermissionsMode: "disable" }] },
      mode: "bypassPermissions",
      workspaceRoot: "/workspace",
    });
    expect(checker.mode).toBe("default");
    expect(checker.modeNote).toMatch(/disabled by team/);
    expect(checker.check("Bash", { command: "npm test" }).decision).toBe("ask");
  });
});

describe("other tools", () => {
  const check = async (mode: Mode, tool: string, input: unknown, rules: Partial<Omit<RuleSource, "name" | "origin">> = {}) =>
    (await checkerFor(mode, { allow: rules.allow ?? [], ask: rules.ask ?? [], deny: rules.deny ?? [] })).check(tool, input);

  it("reads inside the workspace are allowed in every mode, outside they ask", async () => {
    for (const mode of MODES) {
      expect((await check(mode, "Read", { file_path: "/workspace/src/a.ts" })).decision).toBe("allow");
      expect((await check(mode, "Read", { file_path: "src/a.ts" })).decision).toBe("allow");
      expect((await check(mode, "Glob", { pattern: "**/*.ts" })).decision).toBe("allow");
      expect((await check(mode, "Grep", { pattern: "x", path: "/workspace/server" })).decision).toBe("allow");
      expect((await check(mode, "LS", { path: "/workspace" })).decision).toBe("allow");
    }
    expect((await check("default", "Read", { file_path: "/etc/passwd" })).decision).toBe("ask");
    expect((await check("default", "Read", { file_path: "../other/x" })).decision).toBe("ask");
    expect((await check("default", "Glob", { pattern: "/etc/**" })).decision).toBe("ask");
    expect((await check("bypassPermissions", "Read", { file_path: "/etc/passwd" })).decision).toBe("allow");
    expect((await check("default", "Read", { file_path: "/etc/passwd" }, { allow: ["Read(//etc/**)"] })).decision).toBe("allow");
    expect((await check("default", "Read", { file_path: "/home/pincer/notes.md" }, { allow: ["Read(~/notes.md)"] })).decision).toBe("allow");
  });

  it("Read rules use gitignore patterns", async () => {
    const deny = { deny: ["Read(./secrets/**)", "Read(*.pem)", "Read(/config/prod.json)"] };
    expect((await check("default", "Read", { file_path: "/workspace/secrets/a/b.txt" }, deny)).decision).toBe("deny");
    expect((await check("default", "Read", { file_path: "/workspace/deep/dir/key.pem" }, deny)).decision).toBe("deny");
    expect((await check("default", "Read", { file_path: "/workspace/config/prod.json" }, deny)).decision).toBe("deny");
    expect((await check("default", "Read", { file_path: "/workspace/other/config/prod.json" }, deny)).decision).toBe("allow");
    expect((await check("default", "Read", { file_path: "/workspace/src/secrets.ts" }, deny)).decision).toBe("allow");
    expect((await check("default", "Grep", { pattern: "x", path: "/workspace/secrets" }, deny)).decision).toBe("deny");
  });

  it("edits follow the mode, and protected paths always ask", async () => {
    expect((await check("default", "Edit", { file_path: "/workspace/src/a.ts" })).decision).toBe("ask");
    expect((await check("acceptEdits", "Edit", { file_path: "/workspace/src/a.ts" })).decision).toBe("allow");
    expect((await check("acceptEdits", "Write", { file_path: "/tmp/x" })).decision).toBe("ask");
    expect((await check("plan", "Write", { file_path: "/workspace/a.ts" })).decision).toBe("deny");
    expect((await check("bypassPermissions", "MultiEdit", { file_path: "/workspace/a.ts" })).decision).toBe("allow");
    expect((await check("default", "Edit", { file_path: "/workspace/docs/a.md" }, { allow: ["Edit(docs/**)"] })).decision).toBe("allow");
    expect((await check("default", "Write", { file_path: "/tmp/a" }, { allow: ["Write(//tmp/**)"] })).decision).toBe("allow");
    expect((await check("default", "NotebookEdit", { notebook_path: "/workspace/n.ipynb" }, { allow: ["Edit(*.ipynb)"] })).decision).toBe("allow");
    for (const mode of ["default", "acceptEdits", "bypassPermissions"] as const) {
      for (const file of ["/workspace/.git/config", "/workspace/.pincer/settings.json", "/workspace/.claude/settings.json", "/home/pincer/.bashrc", "/workspace/.zshrc"]) {
        expect((await check(mode, "Write", { file_path: file }, { allow: ["Edit", "Write(//**)"] })).decision, `${file} in ${mode}`).toBe("ask");
      }
    }
    expect((await check("bypassPermissions", "Edit", { file_path: "/workspace/.git/config" }, { deny: ["Edit(.git/**)"] })).decision).toBe("deny");
  });

  it("WebFetch matches domain rules", async () => {
    const rules = { allow: ["WebFetch(domain:example.com)", "WebFetch(domain:*.github.com)"], deny: ["WebFetch(domain:evil.com)"] };
    expect((await check("default", "WebFetch", { url: "https://example.com/a" }, rules)).decision).toBe("allow");
    expect((await check("default", "WebFetch", { url: "https://api.github.com/x" }, rules)).decision).toBe("allow");
    expect((await check("default", "WebFetch", { url: "https://example.com.evil.net/" }, rules)).decision).toBe("ask");
    expect((await check("bypassPermissions", "WebFetch", { url: "https://evil.com/" }, rules)).decision).toBe("deny");
    expect((await check("default", "WebFetch", { url: "not a url" }, rules)).decision).toBe("ask");
  });

  it("MCP tools match by server or tool name", async () => {
    expect((await check("default", "mcp__github__get_issue", {}, { allow: ["mcp__github"] })).decision).toBe("allow");
    expect((await check("default", "mcp__github__get_issue", {}, { allow: ["mcp__github__*"] })).decision).toBe("allow");
    expect((await check("default", "mcp__github__get_issue", {}, { allow: ["mcp__github__get_issue"] })).decision).toBe("allow");
    expect((await check("default", "mcp__github__create_issue", {}, { allow: ["mcp__github__get_issue"] })).decision).toBe("ask");
    expect((await check("default", "mcp__githubx__a", {}, { allow: ["mcp__github"] })).decision).toBe("ask");
    expect((await check("bypassPermissions", "mcp__github__x", {}, { deny: ["mcp__github"] })).decision).toBe("deny");
  });

  it("other tools go by bare name and the mode", async () => {
    expect((await check("default", "TodoWrite", {})).decision).toBe("allow");
    expect((await check("plan", "TodoWrite", {})).decision).toBe("allow");
    expect((await check("default", "Task", {})).decision).toBe("ask");
    expect((await check("default", "Task", {}, { allow: ["Task"] })).decision).toBe("allow");
    expect((await check("plan", "Task", {})).decision).toBe("deny");
    expect((await check("plan", "ExitPlanMode", {})).decision).toBe("ask");
    expect((await check("default", "ExitPlanMode", {})).decision).toBe("allow");
  });
});

describe("always-allow rules", () => {
  beforeAll(async () => {
    await checkerFor("default", { allow: [], ask: [], deny: [] });
  });
  const rulesFor = async (tool: string, input: unknown) => (await checkerFor("default", { allow: [], ask: [], deny: [] })).rulesForAlwaysAllow(tool, input);

  it("suggests a script prefix, or the exact command", async () => {
    expect(await rulesFor("Bash", { command: "npm run test -- --watch" })).toEqual(["Bash(npm run test:*)"]);
    expect(await rulesFor("Bash", { command: "git commit -m 'fix it'" })).toEqual(["Bash(git commit -m 'fix it')"]);
    expect(await rulesFor("Bash", { command: "timeout 60 cargo test --all" })).toEqual(["Bash(cargo test:*)"]);
    expect(await rulesFor("Bash", { command: "npm test && ./deploy.sh prod" })).toEqual(["Bash(npm test:*)", "Bash(./deploy.sh prod)"]);
    expect(await rulesFor("Bash", { command: "eval $X" })).toEqual([]);
    expect(await rulesFor("Bash", { command: "rm $FILE" })).toEqual([]);
  });

  it("each suggested rule allows the command it was made for", async () => {
    for (const command of ["npm run test -- --watch", "git commit -m 'fix it'", "docker build -t x .", "npm test && ./deploy.sh prod", "make build V=1"]) {
      const rules = await rulesFor("Bash", { command });
      const checker = await checkerFor("default", { allow: rules, ask: [], deny: [] });
      expect(checker.check("Bash", { command }).decision, `${command} with ${rules.join(",")}`).toBe("allow");
    }
  });

  it("suggests directory rules for files, domains for fetches, names otherwise", async () => {
    expect(await rulesFor("Edit", { file_path: "/workspace/src/lib/a.ts" })).toEqual(["Edit(/src/lib/**)"]);
    expect(await rulesFor("Write", { file_path: "/workspace/README.md" })).toEqual(["Edit(/README.md)"]);
    expect(await rulesFor("Write", { file_path: "/tmp/out.txt" })).toEqual(["Edit(//tmp/out.txt)"]);
    expect(await rulesFor("WebFetch", { url: "https://docs.example.com/x" })).toEqual(["WebFetch(domain:docs.example.com)"]);
    expect(await rulesFor("mcp__github__get_issue", {})).toEqual(["mcp__github__get_issue"]);
    const checker = await checkerFor("default", { allow: ["Edit(/src/lib/**)", "Edit(/README.md)", "Edit(//tmp/out.txt)"], ask: [], deny: [] });
    expect(checker.check("Edit", { file_path: "/workspace/src/lib/b.ts" }).decision).toBe("allow");
    expect(checker.check("Edit", { file_path: "/workspace/src/other.ts" }).decision).toBe("ask");
    expect(checker.check("Write", { file_path: "/workspace/README.md" }).decision).toBe("allow");
    expect(checker.check("Write", { file_path: "/workspace/docs/README.md" }).decision).toBe("ask");
    expect(checker.check("Write", { file_path: "/tmp/out.txt" }).decision).toBe("allow");
  });
});
