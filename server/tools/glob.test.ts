import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { globTool } from "./glob";
import { startSearchSandbox } from "./search-tools.test-helpers";

describe("Glob tool", () => {
  let env: Awaited<ReturnType<typeof startSearchSandbox>>;
  beforeAll(async () => {
    env = await startSearchSandbox();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it("finds files at any depth, newest first, skipping git-ignored ones", async () => {
    const result = await globTool.run({ pattern: "**/*.ts" }, env.context);
    expect(result.output.split("\n")).toEqual(["/workspace/src/app.ts", "/workspace/src/util.ts", "/workspace/src/deep/nested.ts"]);
    expect(result.metadata).toMatchObject({ count: 3 });
  });

  it("matches a pattern without a slash at the top level only, and searches under path", async () => {
    expect((await globTool.run({ pattern: "*.md" }, env.context)).output).toBe("/workspace/README.md");
    expect((await globTool.run({ pattern: "*.ts" }, env.context)).output).toBe("No files match *.ts in /workspace.");
    expect((await globTool.run({ pattern: "*.ts", path: "src" }, env.context)).output).toBe("/workspace/src/app.ts\n/workspace/src/util.ts");
    expect((await globTool.run({ pattern: "**/*.json" }, env.context)).output).toBe("/workspace/.config/settings.json");
  });

  it("refuses paths outside the workspace", async () => {
    await expect(globTool.run({ pattern: "*", path: "/etc" }, env.context)).rejects.toThrow(/outside the workspace/);
    await expect(globTool.run({ pattern: "*", path: "../.." }, env.context)).rejects.toThrow(/outside the workspace/);
  });
});
