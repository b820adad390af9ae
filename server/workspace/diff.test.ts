import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../sandbox/test-sandbox";
import { getWorkspaceDiff } from "./diff";
import { initWorkspace } from "./init";

describe("getWorkspaceDiff", () => {
  let env: Awaited<ReturnType<typeof startTestSandbox>>;
  let baseCommit: string;
  let workspaceDir: string;

  beforeAll(async () => {
    workspaceDir = path.join(await mkdtemp(path.join(tmpdir(), "pincer-diff-")), "ws");
    ({ baseCommit } = await initWorkspace(workspaceDir, { kind: "empty" }));
    env = await startTestSandbox({ workspaceDir });
    const setup = [
      "printf 'one\\ntwo\\nthree\\n' > modified.txt",
      "printf 'gone\\n' > deleted.txt",
      "seq 1 200 > renamed-before.txt",
      "git add -A && git commit -qm base",
    ].join(" && ");
    await env.sandbox.exec({ cmd: ["sh", "-c", setup] });
    baseCommit = (await env.sandbox.exec({ cmd: ["git", "rev-parse", "HEAD"] })).stdout.toString().trim();
    const changes = [
      "printf 'one\\nTWO\\nthree\\n' > modified.txt",
      "rm deleted.txt",
      "git mv renamed-before.txt renamed-after.txt",
      "printf 'new file\\n' > 'untracked file.txt'",
      "head -c 3000 /dev/urandom > binary.bin",
      "seq 1 100000 > large.txt",
    ].join(" && ");
    await env.sandbox.exec({ cmd: ["sh", "-c", changes] });
  });

  afterAll(async () => {
    await env?.cleanup();
    await rm(path.dirname(workspaceDir), { recursive: true, force: true });
  });

  it("reports added, modified, deleted, renamed, binary and untracked files", async () => {
    const diff = await getWorkspaceDiff(env.sandbox, baseCommit);
    const byPath = Object.fromEntries(diff.files.map((file) => [file.path, file]));
    expect(Object.keys(byPath).sort()).toEqual(["binary.bin", "deleted.txt", "large.txt", "modified.txt", "renamed-after.txt", "untracked file.txt"]);
    expect(byPath["modified.txt"]).toMatchObject({ status: "modified", additions: 1, deletions: 1, binary: false, truncated: false });
    expect(byPath["modified.txt"]!.patch).toMatch(/^diff --git a\/modified.txt b\/modified.txt\n[\s\S]*-two\n\+TWO\n/);
    expect(byPath["deleted.txt"]).toMatchObject({ status: "deleted", additions: 0, deletions: 1 });
    expect(byPath["renamed-after.txt"]).toMatchObject({ status: "renamed", oldPath: "renamed-before.txt", additions: 0, deletions: 0 });
    expect(byPath["untracked file.txt"]).toMatchObject({ status: "added", additions: 1 });
    expect(byPath["untracked file.txt"]!.patch).toContain("+new file");
    expect(byPath["binary.bin"]).toMatchObject({ status: "added", binary: true, patch: "" });
    expect(byPath["large.txt"]).toMatchObject({ status: "added", additions: 100000, truncated: true });
    expect(byPath["large.txt"]!.patch.length).toBeLessThanOrEqual(200 * 1024);
    expect(byPath["large.txt"]!.patch.endsWith("\n")).toBe(true);
  });

  it("leaves the repository's index and objects untouched", async () => {
    const status = await env.sandbox.exec({ cmd: ["git", "status", "--porcelain"] });
    expect(status.stdout.toString()).toContain("?? binary.bin");
    const objects = async () => (await env.sandbox.exec({ cmd: ["git", "count-objects"] })).stdout.toString();
    const before = await objects();
    await getWorkspaceDiff(env.sandbox, baseCommit);
    expect(await objects()).toBe(before);
  });

  it("fails clearly for an unknown base commit", async () => {
    await expect(getWorkspaceDiff(env.sandbox, "0".repeat(40))).rejects.toThrow(/base commit 0+ is not in the repository/);
  });

  it("writes nothing when the diff is empty", async () => {
    await writeFile(path.join(workspaceDir, ".gitignore"), "*\n");
    const head = (await env.sandbox.exec({ cmd: ["sh", "-c", "git add -f .gitignore modified.txt && git rm -q --cached deleted.txt 2>/dev/null; git commit -qam all; git rev-parse HEAD"] })).stdout.toString().trim().split("\n").pop()!;
    const diff = await getWorkspaceDiff(env.sandbox, head);
    expect(diff.files.filter((file) => file.path === "modified.txt")).toEqual([]);
  });
});
