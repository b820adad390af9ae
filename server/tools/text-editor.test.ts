import { readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../sandbox/test-sandbox";
import { editTool } from "./edit";
import { makeToolContext } from "./test-context";
import { textEditorTool } from "./text-editor";
import type { ToolContext } from "./tool";

describe("str_replace_based_edit_tool on a real sandbox workspace", () => {
  let env: Awaited<ReturnType<typeof startTestSandbox>>;
  let context: ToolContext;
  beforeAll(async () => {
    env = await startTestSandbox();
    context = makeToolContext(env.sandbox);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const inSandbox = async (command: string) => (await env.sandbox.exec({ cmd: ["bash", "-c", command] })).stdout.toString();

  it("creates, edits and undoes files the sandbox sees, and edits count as reads for Edit", async () => {
    await textEditorTool.run({ command: "create", path: "/workspace/src/app.py", file_text: "def f():\n\treturn 1\n" }, context);
    expect(await inSandbox("cat /workspace/src/app.py; stat -c %u /workspace/src/app.py")).toMatch(/^def f\(\):\n\treturn 1\n(0|1000)\n$/);
    const replaced = await textEditorTool.run({ command: "str_replace", path: "/workspace/src/app.py", old_str: "return 1", new_str: "return 2" }, context);
    expect(replaced.output).toContain("     2\t\treturn 2");
    await textEditorTool.run({ command: "insert", path: "/workspace/src/app.py", insert_line: 0, new_str: "# header" }, context);
    expect(await inSandbox("cat /workspace/src/app.py")).toBe("# header\ndef f():\n\treturn 2\n");
    // The editor's writes leave the file "read", so Edit may follow without a Read.
    await editTool.run({ file_path: "src/app.py", old_string: "# header", new_string: "# top" }, context);
    await textEditorTool.run({ command: "undo_edit", path: "/workspace/src/app.py" }, context);
    expect(await inSandbox("cat /workspace/src/app.py")).toBe("def f():\n\treturn 2\n");
    await textEditorTool.run({ command: "undo_edit", path: "/workspace/src/app.py" }, context);
    await textEditorTool.run({ command: "undo_edit", path: "/workspace/src/app.py" }, context);
    expect(await inSandbox("test -e /workspace/src/app.py && echo yes || echo gone")).toBe("gone\n");
  });

  it("keeps undo history per session", async () => {
    await textEditorTool.run({ command: "create", path: "/workspace/h.txt", file_text: "a" }, context);
    const other = makeToolContext(env.sandbox);
    await expect(textEditorTool.run({ command: "undo_edit", path: "/workspace/h.txt" }, other)).rejects.toThrow("No edit history found for /workspace/h.txt.");
  });

  it("keeps CRLF line endings", async () => {
    await writeFile(path.join(env.workspaceDir, "win.txt"), "one\r\ntwo\r\nthree\r\n");
    await textEditorTool.run({ command: "str_replace", path: "/workspace/win.txt", old_str: "one\ntwo", new_str: "uno\ndos" }, context);
    await textEditorTool.run({ command: "insert", path: "/workspace/win.txt", insert_line: 1, new_str: "inserted" }, context);
    expect(await readFile(path.join(env.workspaceDir, "win.txt"), "utf8")).toBe("uno\r\ninserted\r\ndos\r\nthree\r\n");
  });

  it("refuses paths outside the workspace, through .. or a symlink", async () => {
    await symlink("/etc", path.join(env.workspaceDir, "etc-link"));
    await expect(textEditorTool.run({ command: "view", path: "/etc/passwd" }, context)).rejects.toThrow(/outside the workspace/);
    await expect(textEditorTool.run({ command: "view", path: "/workspace/../etc/passwd" }, context)).rejects.toThrow(/outside the workspace/);
    await expect(textEditorTool.run({ command: "create", path: "/workspace/etc-link/x", file_text: "x" }, context)).rejects.toThrow(/outside the workspace/);
  });

  it("describes binary files instead of editing them", async () => {
    await writeFile(path.join(env.workspaceDir, "blob.bin"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    await expect(textEditorTool.run({ command: "view", path: "/workspace/blob.bin" }, context)).rejects.toThrow(/binary file \(7 bytes, ELF executable\)/);
  });
});
