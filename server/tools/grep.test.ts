import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grepTool } from "./grep";
import { startSearchSandbox } from "./search-tools.test-helpers";

describe("Grep tool", () => {
  let env: Awaited<ReturnType<typeof startSearchSandbox>>;
  beforeAll(async () => {
    env = await startSearchSandbox();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it("lists matching files newest first, skipping ignored and binary files", async () => {
    const result = await grepTool.run({ pattern: "hello" }, env.context);
    expect(result.output.split("\n")).toEqual([
      "/workspace/src/util.ts",
      "/workspace/src/deep/nested.ts",
      "/workspace/README.md",
      "/workspace/.config/settings.json",
    ]);
  });

  it("shows content with line numbers and context, case-insensitively", async () => {
    const result = await grepTool.run({ pattern: "HELLO", "-i": true, output_mode: "content", path: "src", "-A": 1 }, env.context);
    expect(result.output).toBe(
      [
        "/workspace/src/app.ts:1:export const app = () => 'Hello';",
        "/workspace/src/app.ts-2-// TODO: more",
        "--",
        "/workspace/src/deep/nested.ts:1:const hello = 1;",
        "/workspace/src/deep/nested.ts-2-const two = 2;",
        "--",
        "/workspace/src/util.ts:2:export const hello = 'hello';",
      ].join("\n"),
    );
  });

  it("counts per file, filters by glob and type, and honours head_limit", async () => {
    const count = await grepTool.run({ pattern: "hello", output_mode: "count", glob: "*.ts" }, env.context);
    expect(count.output).toBe("/workspace/src/deep/nested.ts:1\n/workspace/src/util.ts:2\n(3 matches in 2 files)");
    const typed = await grepTool.run({ pattern: "hello", type: "md" }, env.context);
    expect(typed.output).toBe("/workspace/README.md");
    const limited = await grepTool.run({ pattern: "const", output_mode: "content", head_limit: 2 }, env.context);
    expect(limited.output.split("\n")).toHaveLength(3);
    expect(limited.output).toMatch(/more lines not shown/);
  });

  it("searches across lines in multiline mode", async () => {
    const result = await grepTool.run({ pattern: "two = 2;\\nconst three", multiline: true, output_mode: "content" }, env.context);
    expect(result.output).toBe("/workspace/src/deep/nested.ts:2:const two = 2;\n/workspace/src/deep/nested.ts:3:const three = 3;");
  });

  it("treats option-like patterns and globs as data, and reports regex errors", async () => {
    const dashed = await grepTool.run({ pattern: "--pre=sh" }, env.context);
    expect(dashed.output).toBe("No matches for --pre=sh in /workspace.");
    await expect(grepTool.run({ pattern: "a(b" }, env.context)).rejects.toThrow(/ripgrep failed: .*regex/s);
    await expect(grepTool.run({ pattern: "x", path: "/etc/passwd" }, env.context)).rejects.toThrow(/outside the workspace/);
  });
});
