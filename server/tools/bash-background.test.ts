import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../sandbox/test-sandbox";
import { bashTool } from "./bash";
import { bashOutputTool } from "./bash-output";
import { killShellTool } from "./kill-shell";
import { makeToolContext } from "./test-context";
import type { ToolContext } from "./tool";

const waitFor = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("timed out waiting");
};

describe("Bash background runs, BashOutput and KillShell", () => {
  let env: Awaited<ReturnType<typeof startTestSandbox>>;
  let context: ToolContext;
  beforeAll(async () => {
    env = await startTestSandbox();
    context = makeToolContext(env.sandbox);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const start = async (command: string) => {
    const started = await bashTool.run({ command, run_in_background: true }, context);
    expect(started.output).toMatch(/^Started in the background as bash_[0-9a-f]{8} \(in \/workspace[^)]*\)\./);
    return String(started.metadata?.bashId);
  };

  it("returns at once, then reads new output incrementally until the exit code", async () => {
    const startedAt = Date.now();
    const id = await start("echo one; sleep 0.5; echo two >&2; sleep 0.5; echo three; exit 3");
    expect(Date.now() - startedAt).toBeLessThan(5000);
    const first = await bashOutputTool.run({ bash_id: id }, context);
    expect(first.output).toMatch(/^Status: running\n(one|\(no new output\))$/);
    let last = first;
    const seen: string[] = [first.output];
    await waitFor(async () => {
      last = await bashOutputTool.run({ bash_id: id }, context);
      seen.push(last.output);
      return last.metadata?.status === "exited";
    });
    expect(last.output.startsWith("Status: exited with code 3")).toBe(true);
    const all = seen.map((output) => output.split("\n").slice(1).join("\n")).join("\n");
    expect(all.match(/one|two|three/g)).toEqual(["one", "two", "three"]);
    const after = await bashOutputTool.run({ bash_id: id }, context);
    expect(after.output).toBe("Status: exited with code 3\n(no new output)");
  });

  it("filters lines, starts in the current directory and keeps the foreground cwd", async () => {
    await bashTool.run({ command: "mkdir -p sub && cd sub" }, context);
    const id2 = await start("pwd; printf 'ERROR a\\nok\\nERROR b\\n'; cd /tmp");
    let output = "";
    await waitFor(async () => {
      const read = await bashOutputTool.run({ bash_id: id2, filter: "ERROR|sub" }, context);
      output += read.output;
      return read.metadata?.status === "exited";
    });
    expect(output).toContain("/workspace/sub\nERROR a\nERROR b");
    expect(output).not.toContain("ok");
    expect(context.shell.cwd).toBe("/workspace/sub");
    context.shell.cwd = "/workspace";
  });

  it("kills the whole process group, and says so when asked again", async () => {
    const id = await start("sleep 300 & sleep 300; echo never");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killed = await killShellTool.run({ shell_id: id }, context);
    expect(killed.output).toBe(`Killed background shell ${id} (sleep 300 & sleep 300; echo never).`);
    const read = await bashOutputTool.run({ bash_id: id }, context);
    expect(read.output).toBe("Status: killed (KillShell)\n(no new output)");
    const ps = await bashTool.run({ command: "ps -eo args | grep -c '^sleep 300$' || true" }, context);
    expect(ps.output).toBe("0");
    expect((await killShellTool.run({ shell_id: id }, context)).output).toBe(`Background shell ${id} was already killed.`);
  });

  it("reports unknown ids and finished shells", async () => {
    await expect(bashOutputTool.run({ bash_id: "bash_nope" }, context)).rejects.toThrow(/No background shell bash_nope in this session/);
    await expect(killShellTool.run({ shell_id: "bash_nope" }, context)).rejects.toThrow(/No background shell/);
    const id = await start("true");
    await waitFor(async () => (await bashOutputTool.run({ bash_id: id }, context)).metadata?.status === "exited");
    expect((await killShellTool.run({ shell_id: id }, context)).output).toMatch(/had already ended/);
    await expect(bashOutputTool.run({ bash_id: id, filter: "(" }, context)).rejects.toThrow(/not a valid regular expression/);
  });
});
