import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { multiEditTool } from "./multi-edit";
import { readTool } from "./read";

const setup = async (content: string) => {
  const { workspaceDir, context } = await makeFileToolContext();
  const file = path.join(workspaceDir, "f.ts");
  await writeFile(file, content);
  return { file, context, workspaceDir };
};

describe("MultiEdit tool", () => {
  it("applies edits in order, each on the previous result", async () => {
    const { file, context } = await setup("let a = 1;\nlet b = a;\n");
    await readTool.run({ file_path: "f.ts" }, context);
    const result = await multiEditTool.run(
      {
        file_path: "/workspace/f.ts",
        edits: [
          { old_string: "let a = 1;", new_string: "let value = 1;" },
          { old_string: "let b = a;", new_string: "let b = value;" },
          { old_string: "let", new_string: "const", replace_all: true },
        ],
      },
      context,
    );
    expect(await readFile(file, "utf8")).toBe("const value = 1;\nconst b = value;\n");
    expect(result.output).toContain("Edited /workspace/f.ts: applied 3 edits (4 replacements).");
    expect(result.output).toContain("     1\tconst value = 1;");
  });

  it("is all or nothing and names the failing edit", async () => {
    const { file, context } = await setup("x\ny\n");
    await readTool.run({ file_path: "f.ts" }, context);
    await expect(
      multiEditTool.run({ file_path: "f.ts", edits: [{ old_string: "x", new_string: "X" }, { old_string: "zzz", new_string: "Z" }] }, context),
    ).rejects.toThrow(/^Edit 2 of 2 failed, so no edit was applied: old_string was not found/);
    expect(await readFile(file, "utf8")).toBe("x\ny\n");
  });

  it("requires a fresh Read, like Edit", async () => {
    const { context } = await setup("x\n");
    await expect(multiEditTool.run({ file_path: "f.ts", edits: [{ old_string: "x", new_string: "y" }] }, context)).rejects.toThrow(/Read it first/);
  });

  it("creates a file from an empty first old_string and refuses paths outside the workspace", async () => {
    const { workspaceDir, context } = await setup("");
    const result = await multiEditTool.run(
      { file_path: "new/n.txt", edits: [{ old_string: "", new_string: "a b\n" }, { old_string: "b", new_string: "c" }] },
      context,
    );
    expect(result.metadata).toMatchObject({ created: true, edits: 2 });
    expect(await readFile(path.join(workspaceDir, "new/n.txt"), "utf8")).toBe("a c\n");
    await expect(multiEditTool.run({ file_path: "/etc/passwd", edits: [{ old_string: "a", new_string: "b" }] }, context)).rejects.toThrow(
      /outside the workspace/,
    );
  });
});
