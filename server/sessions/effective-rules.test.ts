import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SessionEvent } from "../agent/events";
import { effectiveRules } from "./effective-rules";

const event = (seq: number, type: string, payload: unknown) => ({ seq, type, payload, createdAt: "" }) as SessionEvent;

describe("effective rules", () => {
  it("lists each source with its rules: defaults, project files, session answers; bad files are reported", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "rules-"));
    await mkdir(path.join(dir, ".pincer"));
    await mkdir(path.join(dir, ".claude"));
    await writeFile(path.join(dir, ".pincer/settings.json"), JSON.stringify({ permissions: { allow: ["Bash(npm test:*)"], deny: ["Read(.env)"] } }));
    await writeFile(path.join(dir, ".claude/settings.json"), "{ not json");
    const rules = await effectiveRules(dir, [
      event(1, "mode_changed", { mode: "acceptEdits", by: "Ada" }),
      event(2, "permission_request", { requestId: "r", toolUseId: "t", toolName: "Bash", input: {}, reason: "", rule: null, dangerous: false, suggestedRules: ["Bash(make:*)"] }),
      event(3, "permission_decision", { requestId: "r", toolUseId: "t", choice: "allow_session", by: "Ada", rules: ["Bash(make:*)"] }),
    ]);
    expect(rules.mode).toBe("acceptEdits");
    expect(rules.sources.map((s) => s.name)).toEqual(["defaults", "project", "session"]);
    expect(rules.sources[1]).toMatchObject({ origin: ".pincer/settings.json", allow: ["Bash(npm test:*)"], deny: ["Read(.env)"] });
    expect(rules.sources[2].allow).toEqual(["Bash(make:*)"]);
    expect(rules.errors.join(" ")).toContain(".claude/settings.json");
  });

  it("lists the sources most general first: defaults, team, project, user, session", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "rules-"));
    await mkdir(path.join(dir, ".pincer"));
    await writeFile(path.join(dir, ".pincer/settings.json"), JSON.stringify({ permissions: { allow: ["Bash(npm test:*)"] } }));
    const user = { name: "user" as const, origin: "rules of Ada", allow: [], ask: [], deny: ["Bash(curl:*)"] };
    const team = { name: "team" as const, origin: "workspace policy", allow: [], ask: ["Bash(git push:*)"], deny: [] };
    const rules = await effectiveRules(dir, [], [team, user]);
    expect(rules.sources.map((s) => s.name)).toEqual(["defaults", "team", "project", "user", "session"]);
    expect(rules.sources[3]).toEqual(user);
  });
});
