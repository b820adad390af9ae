import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { readTool } from "./read";

describe("Read tool", () => {
  it("returns numbered lines and records the read", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await writeFile(path.join(workspaceDir, "a.txt"), "first\nsecond\n");
    const result = await readTool.run({ file_path: "/workspace/a.txt" }, context);
    expect(result.output).toBe("     1\tfirst\n     2\tsecond");
    expect(context.readFiles.has(path.join(workspaceDir, "a.txt"))).toBe(true);
  });

  it("honours offset and limit and cuts long lines", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    const lines = Array.from({ length: 3000 }, (_, i) => (i === 4 ? "x".repeat(5000) : `line ${i + 1}`));
    await writeFile(path.join(workspaceDir, "big.txt"), lines.join("\n"));
    const all = await readTool.run({ file_path: "big.txt" }, context);
    expect(all.output).toContain("(showing lines 1-2000 of 3000; use offset to read more)");
    expect(all.output).toContain("[line cut, 5000 characters]");
    const part = await readTool.run({ file_path: "big.txt", offset: 2999, limit: 5 }, context);
    expect(part.output).toBe("  2999\tline 2999\n  3000\tline 3000");
    await expect(readTool.run({ file_path: "big.txt", offset: 4000 }, context)).rejects.toThrow(/has 3000 lines; offset 4000 is past the end/);
  });

  it("describes binary files instead of dumping them", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await writeFile(path.join(workspaceDir, "img.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    const result = await readTool.run({ file_path: "img.png" }, context);
    expect(result.output).toBe("/workspace/img.png is a binary file (12 bytes, PNG image); its contents are not shown.");
  });

  it("gives clear errors for missing files, directories and paths outside", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await mkdir(path.join(workspaceDir, "dir"));
    await symlink("/etc/passwd", path.join(workspaceDir, "passwd"));
    await expect(readTool.run({ file_path: "nope.txt" }, context)).rejects.toThrow("File /workspace/nope.txt does not exist.");
    await expect(readTool.run({ file_path: "dir" }, context)).rejects.toThrow(/is a directory/);
    await expect(readTool.run({ file_path: "/etc/passwd" }, context)).rejects.toThrow("Path /etc/passwd is outside the workspace /workspace");
    await expect(readTool.run({ file_path: "passwd" }, context)).rejects.toThrow(/outside the workspace/);
  });

  it("says when a file is empty", async () => {
    const { workspaceDir, context } = await makeFileToolContext();
    await writeFile(path.join(workspaceDir, "empty"), "");
    expect((await readTool.run({ file_path: "empty" }, context)).output).toBe("(/workspace/empty is empty)");
  });
});
