import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../sandbox/test-sandbox";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { readTool } from "./read";
import { makeToolContext } from "./test-context";
import { writeTool } from "./write";

describe("Write tool", () => {
  it("creates new files and missing directories", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    const result = await writeTool.run({ file_path: "/workspace/src/deep/new.ts", content: "export {};\n" }, context);
    expect(result.output).toBe("Created /workspace/src/deep/new.ts (2 lines, 11 bytes).");
    expect(await readFile(path.join(workspaceDir, "src/deep/new.ts"), "utf8")).toBe("export {};\n");
  });

  it("refuses to overwrite a file that was not read, or changed since", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    const file = path.join(workspaceDir, "a.txt");
    await writeFile(file, "original");
    await expect(writeTool.run({ file_path: "a.txt", content: "new" }, context)).rejects.toThrow(/has not been read in this session. Read it first/);
    await readTool.run({ file_path: "a.txt" }, context);
    await writeFile(file, "changed behind our back");
    await expect(writeTool.run({ file_path: "a.txt", content: "new" }, context)).rejects.toThrow(/has changed since it was last read/);
    await readTool.run({ file_path: "a.txt" }, context);
    expect((await writeTool.run({ file_path: "a.txt", content: "new" }, context)).output).toMatch(/^Overwrote/);
    // Our own write counts as read: writing again works without another Read.
    await writeTool.run({ file_path: "a.txt", content: "newer" }, context);
    expect(await readFile(file, "utf8")).toBe("newer");
  });

  it("refuses paths outside the workspace", async () => {
    const { context } = await makeFileToolContext();
    await expect(writeTool.run({ file_path: "../escape.txt", content: "x" }, context)).rejects.toThrow(/outside the workspace/);
  });
});

describe("Write tool with a real sandbox", () => {
  let env: Awaited<ReturnType<typeof startTestSandbox>>;
  beforeAll(async () => {
    env = await startTestSandbox();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it("leaves files the sandbox user can edit", async () => {
    const context = makeToolContext(env.sandbox);
    await writeTool.run({ file_path: "dir/file.txt", content: "from the tool\n" }, context);
    if (process.getuid?.() === 0) expect((await stat(path.join(env.workspaceDir, "dir/file.txt"))).uid).toBe(1000);
    const result = await env.sandbox.exec({ cmd: ["sh", "-c", "echo more >> dir/file.txt && touch dir/other && cat dir/file.txt"] });
    expect(result.stderr.toString()).toBe("");
    expect(result.stdout.toString()).toBe("from the tool\nmore\n");
  });
});
