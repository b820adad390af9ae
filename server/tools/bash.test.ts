import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../sandbox/test-sandbox";
import { bashTool } from "./bash";
import { makeToolContext } from "./test-context";
import type { ToolContext } from "./tool";

describe("Bash tool", () => {
  let env: Awaited<ReturnType<typeof startTestSandbox>>;
  let context: ToolContext;
  beforeAll(async () => {
    env = await startTestSandbox();
    context = makeToolContext(env.sandbox);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it("runs a command and streams its output", async () => {
    const streamed: string[] = [];
    const result = await bashTool.run({ command: "echo hello; echo oops >&2" }, { ...context, onOutput: (chunk) => streamed.push(chunk) });
    expect(result.isError).toBe(false);
    expect(result.output).toBe("hello\noops");
    expect(streamed.join("")).not.toContain("__PINCER_CWD_");
    expect(result.metadata).toMatchObject({ exitCode: 0, cwd: "/workspace" });
  });

  it("never lets stderr split the cwd marker, however the two pipes interleave", async () => {
    // stdout and stderr arrive in any order; the marker must still be found and stripped each time.
    for (let round = 0; round < 200; round++) {
      const result = await bashTool.run({ command: "echo hello; echo oops >&2" }, context);
      expect(result.output).toBe("hello\noops");
      expect(result.metadata).toMatchObject({ cwd: "/workspace" });
    }
  });

  it("keeps the working directory between calls, even after cd then a failure", async () => {
    await bashTool.run({ command: "mkdir -p a/b && cd a" }, context);
    expect(context.shell.cwd).toBe("/workspace/a");
    const failed = await bashTool.run({ command: "cd b && false" }, context);
    expect(failed.output).toBe("[exit code 1]");
    expect(failed.metadata).toMatchObject({ exitCode: 1 });
    expect(context.shell.cwd).toBe("/workspace/a/b");
    await bashTool.run({ command: "cd /tmp; exit 4" }, context);
    expect(context.shell.cwd).toBe("/tmp");
    const pwd = await bashTool.run({ command: "pwd" }, context);
    expect(pwd.output).toBe("/tmp");
    context.shell.cwd = "/workspace";
  });

  it("falls back to /workspace when the directory is gone", async () => {
    const ctx = makeToolContext(env.sandbox, { shell: { cwd: "/workspace/missing" } });
    const result = await bashTool.run({ command: "pwd" }, ctx);
    expect(result.output).toContain("no longer exists");
    expect(result.output).toContain("/workspace");
    expect(ctx.shell.cwd).toBe("/workspace");
  });

  it("reports non-zero exit codes and closes stdin", async () => {
    const result = await bashTool.run({ command: "cat; echo done; exit 3" }, context);
    expect(result.output).toBe("done\n[exit code 3]");
    expect(result.metadata).toMatchObject({ exitCode: 3 });
  });

  it("kills a command at its timeout", async () => {
    const result = await bashTool.run({ command: "echo start; sleep 60", timeout: 500 }, context);
    expect(result.isError).toBe(true);
    expect(result.output).toBe("start\n[command timed out after 500 ms and was killed]");
  });

  it("bounds long output and describes binary output", async () => {
    const long = await bashTool.run({ command: "seq 1 200000" }, { ...context, limits: { maxOutputChars: 2000 } });
    expect(long.output.length).toBeLessThan(2200);
    expect(long.output).toMatch(/^1\n2\n/);
    expect(long.output).toMatch(/200000$/);
    expect(long.output).toMatch(/cut \.\.\.\]/);
    expect(long.metadata).toMatchObject({ truncated: true });
    const binary = await bashTool.run({ command: "head -c 4000 /bin/ls" }, context);
    expect(binary.output).toMatch(/^\(binary output not shown: 4000 bytes, ELF executable\)$/);
  });

  it("is interrupted by the abort signal", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await bashTool.run({ command: "sleep 60" }, { ...context, signal: controller.signal });
    expect(result.output).toContain("[command was interrupted]");
  });

  it("says so when there is no output", async () => {
    expect((await bashTool.run({ command: "true" }, context)).output).toBe("(no output)");
  });
});
