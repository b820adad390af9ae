import { execFileSync } from "node:child_process";
import { lstat, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { initWorkspace } from "./init";

const temp = () => mkdtemp(path.join(tmpdir(), "pincer-init-"));
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", ...args], { cwd, encoding: "utf8" }).trim();

describe("initWorkspace", () => {
  it("creates an empty repository on main with an initial commit by Pincer", async () => {
    const dir = path.join(await temp(), "ws");
    const { baseCommit } = await initWorkspace(dir, { kind: "empty" });
    expect(baseCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(baseCommit).toBe(git(dir, "rev-parse", "HEAD"));
    expect(git(dir, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(git(dir, "log", "-1", "--format=%an <%ae>")).toBe("Pincer <pincer@localhost>");
    // The repository's own identity, for commits made inside the sandbox.
    expect(`${git(dir, "config", "--local", "user.name")} <${git(dir, "config", "--local", "user.email")}>`).toBe("Pincer <pincer@localhost>");
    if (process.getuid?.() === 0) {
      // Every file, down to the commit's objects, belongs to the sandbox user.
      const files = (await readdir(dir, { recursive: true })).map((entry) => path.join(dir, entry));
      const owners = new Set(await Promise.all([dir, ...files].map(async (file) => (await lstat(file)).uid)));
      expect([...owners]).toEqual([1000]);
      expect(files.some((file) => file.includes(`objects/${baseCommit.slice(0, 2)}`))).toBe(true);
    }
  });

  it("clones a repository and takes HEAD as the base", async () => {
    const origin = await temp();
    git(origin, "init", "-q", "-b", "main");
    await writeFile(path.join(origin, "README.md"), "hi\n");
    git(origin, "add", ".");
    git(origin, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "first");
    const dir = path.join(await temp(), "ws");
    const { baseCommit } = await initWorkspace(dir, { kind: "git", url: origin });
    expect(baseCommit).toBe(git(origin, "rev-parse", "HEAD"));
  });

  it("reports a failed clone with git's message", async () => {
    const dir = path.join(await temp(), "ws");
    await expect(initWorkspace(dir, { kind: "git", url: "/nonexistent/repo" })).rejects.toThrow(/Cloning \/nonexistent\/repo failed: .*does not exist/s);
    await expect(initWorkspace(path.join(await temp(), "ws"), { kind: "git", url: "--upload-pack=evil" })).rejects.toThrow(/Not a repository URL/);
  });
});
