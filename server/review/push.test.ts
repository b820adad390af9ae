import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHttpServer, type GitHttpServer } from "../../test-support/git-http-server";
import { pushBranch } from "./push";
import { startReviewFixture, type ReviewFixture } from "./test-helpers";

describe("pushBranch", () => {
  let fx: ReviewFixture;
  let remote: GitHttpServer;
  let workDir: string;
  let remoteUrl: string;
  const credential = { username: "reviewer", password: "s3cret-token" };

  beforeAll(async () => {
    fx = await startReviewFixture();
    remote = await startGitHttpServer(credential);
    remoteUrl = remote.createRepo("project");
    workDir = await mkdtemp(path.join(tmpdir(), "pincer-push-"));
    await fx.sh("printf 'hello\\n' > hello.txt && git add -A && git commit -qm 'add hello'");
  });
  afterAll(async () => {
    await fx?.cleanup();
    await remote?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  const push = (options: Partial<Parameters<typeof pushBranch>[0]> = {}) =>
    pushBranch({ sandbox: fx.sandbox, workDir, sessionId: fx.sessionId, remoteUrl, branch: "pincer/feature", credential, ...options });

  it("pushes HEAD to a branch over HTTP with the stored credential, which never enters the sandbox", async () => {
    const head = (await fx.sh("git rev-parse HEAD")).trim();
    const result = await push();
    expect(result).toMatchObject({ branch: "pincer/feature", commit: head, uncommittedChanges: false });
    expect(remote.git("project", "rev-parse", "refs/heads/pincer/feature")).toBe(head);
    expect(remote.requests.some((request) => request.user === "reviewer")).toBe(true);
    // Nothing of the credential is in the workspace.
    expect(await fx.sh("grep -r s3cret-token .git . 2>/dev/null | wc -l")).toBe("0\n");
  });

  it("reports an auth failure with the remote's message", async () => {
    await expect(push({ credential: { username: "reviewer", password: "wrong" } })).rejects.toMatchObject({ kind: "auth" });
    await expect(push({ credential: undefined })).rejects.toMatchObject({ kind: "auth" });
  });

  it("reports a non-fast-forward rejection, and pushes with force when asked", async () => {
    await fx.sh("git reset -q --hard HEAD~1 && printf 'other\\n' > other.txt && git add -A && git commit -qm other");
    const rejected = push();
    await expect(rejected).rejects.toMatchObject({ kind: "rejected" });
    await expect(rejected).rejects.toThrow(/non-fast-forward|rejected/);
    const forced = await push({ force: true });
    expect(remote.git("project", "rev-parse", "refs/heads/pincer/feature")).toBe(forced.commit);
  });

  it("refuses URLs that are not http(s) or carry credentials, and bad branch names", async () => {
    await expect(push({ remoteUrl: "ext::sh -c touch% /tmp/pwned" })).rejects.toMatchObject({ kind: "invalid" });
    await expect(push({ remoteUrl: "file:///tmp/x" })).rejects.toMatchObject({ kind: "invalid" });
    await expect(push({ remoteUrl: "http://u:p@127.0.0.1/x.git" })).rejects.toMatchObject({ kind: "invalid" });
    await expect(push({ branch: "--force" })).rejects.toMatchObject({ kind: "invalid" });
  });
});
