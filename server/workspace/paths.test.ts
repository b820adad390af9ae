import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveWorkspacePath } from "./paths";

describe("resolveWorkspacePath", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "pincer-paths-"));
    await mkdir(path.join(root, "src"));
    await writeFile(path.join(root, "src/a.ts"), "a");
    await symlink("/etc", path.join(root, "etc-link"));
    await symlink("/nonexistent-dir/file", path.join(root, "dangling-out"));
    await symlink("src/a.ts", path.join(root, "inside-link"));
  });

  it("accepts relative and absolute in-sandbox paths, existing or not", async () => {
    expect(await resolveWorkspacePath(root, "src/a.ts")).toEqual({ hostPath: path.join(root, "src/a.ts"), sandboxPath: "/workspace/src/a.ts" });
    expect((await resolveWorkspacePath(root, "/workspace/src/a.ts")).sandboxPath).toBe("/workspace/src/a.ts");
    expect((await resolveWorkspacePath(root, "/workspace/new/dir/b.ts")).hostPath).toBe(path.join(root, "new/dir/b.ts"));
    expect((await resolveWorkspacePath(root, "src/../src/./a.ts")).sandboxPath).toBe("/workspace/src/a.ts");
  });

  it("refuses .. and absolute paths outside /workspace", async () => {
    await expect(resolveWorkspacePath(root, "../etc/passwd")).rejects.toThrow("Path ../etc/passwd is outside the workspace /workspace");
    await expect(resolveWorkspacePath(root, "/etc/passwd")).rejects.toThrow("Path /etc/passwd is outside the workspace /workspace");
    await expect(resolveWorkspacePath(root, "/workspace/../etc/passwd")).rejects.toThrow(/outside the workspace/);
    await expect(resolveWorkspacePath(root, "/workspacex/a")).rejects.toThrow(/outside the workspace/);
  });

  it("refuses symlinks that point outside, including dangling ones", async () => {
    await expect(resolveWorkspacePath(root, "etc-link/passwd")).rejects.toThrow(/symbolic link/);
    await expect(resolveWorkspacePath(root, "dangling-out")).rejects.toThrow(/outside the workspace/);
  });

  it("follows symlinks that stay inside", async () => {
    expect(await resolveWorkspacePath(root, "inside-link")).toEqual({ hostPath: path.join(root, "src/a.ts"), sandboxPath: "/workspace/src/a.ts" });
  });
});
