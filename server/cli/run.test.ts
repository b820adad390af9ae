// `npx pincer run` as a user runs it: a child process, a real sandbox, the scripted model over HTTP.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModelServer, type ScriptedModelServer } from "../../test-support/scripted-model";
import { parseRunArgs } from "./run";

const root = path.resolve(import.meta.dirname, "../..");
let model: ScriptedModelServer;
let workspace: string;

beforeAll(async () => {
  model = await startScriptedModelServer();
  workspace = await mkdtemp(path.join(tmpdir(), "pincer-run-"));
});
afterAll(async () => {
  await model?.close();
  await rm(workspace, { recursive: true, force: true });
});

const pincerRun = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, "bin/pincer.mjs"), "run", ...args],
      { cwd: root, env: { ...process.env, ANTHROPIC_API_KEY: "sk-test", OPENAI_API_KEY: "" }, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

describe("pincer run (headless)", () => {
  it("streams events as JSON lines and exits 0 when the turn ends", async () => {
    model.setScript([
      { toolCalls: [{ name: "Write", input: { file_path: "/workspace/out.txt", content: "headless\n" } }] },
      { text: "Wrote it." },
    ]);
    const result = await pincerRun(["write a file", "--workspace", workspace, "--provider", "anthropic", "--base-url", model.url, "--model", "m", "--output-format", "stream-json", "--permission-mode", "acceptEdits"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { kind: string; parentId: null; event?: { type: string } });
    const types = lines.flatMap((line) => (line.kind === "event" ? [line.event!.type] : []));
    expect(types).toEqual(expect.arrayContaining(["user_message", "tool_call", "tool_result", "assistant_message", "turn_finished"]));
    expect(lines.every((line) => line.parentId === null)).toBe(true);
    expect(await readFile(path.join(workspace, "out.txt"), "utf8")).toBe("headless\n");
  });

  it("gives a subagent's events the id of the Task call that started them", async () => {
    model.setScript([
      { toolCalls: [{ id: "toolu_task", name: "Task", input: { description: "look around", prompt: "List the files and report." } }] },
      { text: "The workspace holds out.txt." },
      { expect: { toolResultIncludes: "out.txt" }, text: "The subagent reported back." },
    ]);
    const result = await pincerRun(["delegate", "--workspace", workspace, "--base-url", model.url, "--model", "m", "--output-format", "stream-json"]);
    expect(model.failures).toEqual([]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { kind: string; parentId: string | null; event?: { type: string } });
    const nested = lines.filter((line) => line.event?.type === "subagent_event");
    expect(lines.map((line) => line.event?.type ?? line.kind)).toContain("subagent_event");
    expect(nested.every((line) => line.parentId === "toolu_task")).toBe(true);
    expect(lines.filter((line) => line.event && line.event.type !== "subagent_event").every((line) => line.parentId === null)).toBe(true);
  });

  it("prints readable text with tool lines, and the exit code says how the turn ended", async () => {
    model.setScript([
      { toolCalls: [{ name: "Bash", input: { command: "echo from-the-sandbox" } }] },
      { error: { status: 401 } },
    ]);
    const result = await pincerRun(["do things", "--workspace", workspace, "--base-url", model.url, "--model", "m"]);
    expect(result.stdout).toContain("● Bash(echo from-the-sandbox)");
    expect(result.stdout).toContain("from-the-sandbox");
    expect(result.stdout).toMatch(/error: .*401/);
    expect(result.code).toBe(1);
  });

  it("refuses what would need approval, saying how to allow it", async () => {
    model.setScript([
      { toolCalls: [{ name: "Bash", input: { command: "touch made-by-agent" } }] },
      { expect: { toolResultIncludes: "--allow" }, toolCalls: [{ name: "Bash", input: { command: "touch allowed-by-rule" } }] },
      { text: "ok" },
    ]);
    const result = await pincerRun(["touch things", "--workspace", workspace, "--base-url", model.url, "--model", "m", "--allow", "Bash(touch allowed-by-rule)"]);
    expect(model.failures).toEqual([]);
    expect(result.code).toBe(0);
    await expect(readFile(path.join(workspace, "allowed-by-rule"), "utf8")).resolves.toBe("");
    await expect(readFile(path.join(workspace, "made-by-agent"), "utf8")).rejects.toThrow();
  });

  it("refuses bad arguments with a usage message and exit code 2", async () => {
    const result = await pincerRun(["--model", "m"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: pincer run");
    expect(() => parseRunArgs(["task", "--provider", "openai-compatible", "--model", "m"], {})).toThrow(/--base-url/);
    expect(() => parseRunArgs(["task", "--model", "m"], {})).toThrow(/--provider/);
    expect(parseRunArgs(["task", "--provider", "openai-responses", "--model", "gpt-5"], { OPENAI_API_KEY: "sk-x" }).provider).toMatchObject({ kind: "openai-responses", apiKey: "sk-x" });
  });
});
