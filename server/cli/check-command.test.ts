import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BASH_CASES } from "../permissions/cases";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = path.join(root, "bin", "pincer.mjs");

const runCli = (args: string[], input?: string) => spawnSync(process.execPath, [bin, "check-command", ...args], { cwd: root, input, encoding: "utf8" });

describe("pincer check-command", () => {
  it("prints one JSON decision with sub-commands", () => {
    const result = runCli(["--allow", "Bash(git status)", "--", "git status && rm -rf ~"]);
    expect(result.status, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({ decision: "ask", parsed: true, dangerous: true });
    expect(output.subcommands).toEqual([
      { argv: ["git", "status"], decision: "allow", rule: "Bash(git status)", reason: expect.any(String) },
      { argv: ["rm", "-rf", "~"], decision: "ask", rule: null, reason: expect.stringMatching(/catastrophic/) },
    ]);
  });

  it("takes --mode, --ask and --deny, and joins words after --", () => {
    const denied = JSON.parse(runCli(["--mode", "bypassPermissions", "--deny", "Bash(git push:*)", "--", "git", "push", "origin"]).stdout);
    expect(denied).toMatchObject({ decision: "deny", rule: "Bash(git push:*)" });
    const asked = JSON.parse(runCli(["--ask", "Bash(ls *)", "--", "ls -la"]).stdout);
    expect(asked.decision).toBe("ask");
    const unparsed = JSON.parse(runCli(["--", "echo 'oops"]).stdout);
    expect(unparsed).toMatchObject({ decision: "ask", parsed: false, subcommands: [] });
  });

  it("rejects bad arguments with a usage message", () => {
    const result = runCli(["--mode", "yolo", "--", "ls"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown mode/);
    expect(runCli(["ls"]).status).toBe(2);
  });

  it("--jsonl answers every case of the table in one process, in order", async () => {
    const lines = BASH_CASES.map((entry) => JSON.stringify({ command: entry.command, mode: entry.mode, allow: entry.allow, ask: entry.ask, deny: entry.deny, cwd: entry.cwd }));
    const input = `${lines.join("\n")}\nnot json\n${JSON.stringify({ command: 42 })}\n`;
    const child = spawn(process.execPath, [bin, "check-command", "--jsonl"], { cwd: root });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stdin.end(input);
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(status).toBe(0);
    const results = Buffer.concat(chunks).toString("utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(results).toHaveLength(BASH_CASES.length + 2);
    BASH_CASES.forEach((entry, index) => expect(results[index]?.decision, entry.command).toBe(entry.expect));
    expect(results.at(-2)).toEqual({ error: "not valid JSON" });
    expect(results.at(-1)).toHaveProperty("error");
  });
});
