import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { editTool } from "./edit";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { readTool } from "./read";

const setup = async (content: string) => {
  const { workspaceDir, context } = await makeFileToolContext();
  const file = path.join(workspaceDir, "f.ts");
  await writeFile(file, content);
  return { file, context };
};

describe("Edit tool", () => {
  it("replaces a unique occurrence after a Read and shows the result", async () => {
    const { file, context } = await setup("const a = 1;\nconst b = 2;\n");
    await readTool.run({ file_path: "f.ts" }, context);
    const result = await editTool.run({ file_path: "f.ts", old_string: "b = 2", new_string: "b = $& 3" }, context);
    expect(result.output).toContain("Edited /workspace/f.ts: replaced 1 occurrence.");
    expect(result.output).toContain("     2\tconst b = $& 3;");
    expect(await readFile(file, "utf8")).toBe("const a = 1;\nconst b = $& 3;\n");
    // readFiles was updated, so a second edit needs no new Read.
    await editTool.run({ file_path: "f.ts", old_string: "a = 1", new_string: "a = 0" }, context);
    expect(await readFile(file, "utf8")).toBe("const a = 0;\nconst b = $& 3;\n");
  });

  it("requires a Read first and a file unchanged since", async () => {
    const { file, context } = await setup("x\n");
    await expect(editTool.run({ file_path: "f.ts", old_string: "x", new_string: "y" }, context)).rejects.toThrow(/Read it first/);
    await readTool.run({ file_path: "f.ts" }, context);
    await writeFile(file, "x changed\n");
    await expect(editTool.run({ file_path: "f.ts", old_string: "x", new_string: "y" }, context)).rejects.toThrow(/changed since it was last read/);
  });

  it("refuses ambiguous matches unless replace_all", async () => {
    const { file, context } = await setup("foo foo\nfoo\n");
    await readTool.run({ file_path: "f.ts" }, context);
    await expect(editTool.run({ file_path: "f.ts", old_string: "foo", new_string: "bar" }, context)).rejects.toThrow(
      "old_string was found 3 times in /workspace/f.ts. Provide more surrounding context to make it unique, or set replace_all to replace every occurrence.",
    );
    const result = await editTool.run({ file_path: "f.ts", old_string: "foo", new_string: "bar", replace_all: true }, context);
    expect(result.metadata).toMatchObject({ replacements: 3 });
    expect(await readFile(file, "utf8")).toBe("bar bar\nbar\n");
  });

  it("errors when old_string is missing or equal to new_string", async () => {
    const { context } = await setup("abc\n");
    await readTool.run({ file_path: "f.ts" }, context);
    await expect(editTool.run({ file_path: "f.ts", old_string: "zzz", new_string: "y" }, context)).rejects.toThrow(/was not found in \/workspace\/f.ts/);
    await expect(editTool.run({ file_path: "f.ts", old_string: "abc", new_string: "abc" }, context)).rejects.toThrow(/are the same/);
    await expect(editTool.run({ file_path: "missing.ts", old_string: "a", new_string: "b" }, context)).rejects.toThrow(/does not exist/);
  });

  it("creates a new file from an empty old_string", async () => {
    const { context } = await setup("");
    const result = await editTool.run({ file_path: "new.ts", old_string: "", new_string: "hello\n" }, context);
    expect(result.output).toBe("Created /workspace/new.ts.");
  });
});
