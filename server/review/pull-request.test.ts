import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startForgeApi, type ForgeApiServer } from "../../test-support/forge-api";
import { openOrUpdatePullRequest, repoPathFromUrl } from "./pull-request";

describe("openOrUpdatePullRequest", () => {
  let forge: ForgeApiServer;
  beforeAll(async () => {
    forge = await startForgeApi({ token: "tok" });
  });
  afterAll(async () => forge?.close());

  it("opens a GitHub pull request against the default branch, then updates the same one", async () => {
    const github = { kind: "github" as const, apiBaseUrl: forge.githubApi, token: "tok" };
    const opened = await openOrUpdatePullRequest({ forge: github, repoPath: "acme/app", branch: "pincer/x", title: "First", body: "b" });
    expect(opened).toMatchObject({ number: 1, created: true, url: `${forge.url}/acme/app/pull/1` });
    expect(forge.pulls.get("acme/app")![0]).toMatchObject({ base: "main", head: "pincer/x" });
    const updated = await openOrUpdatePullRequest({ forge: github, repoPath: "acme/app", branch: "pincer/x", title: "Second", body: "b2", existing: { number: 1 } });
    expect(updated).toMatchObject({ number: 1, created: false });
    expect(forge.pulls.get("acme/app")).toHaveLength(1);
    expect(forge.pulls.get("acme/app")![0]!.title).toBe("Second");
    // Without the stored number, an existing PR for the branch is adopted, not duplicated.
    const adopted = await openOrUpdatePullRequest({ forge: github, repoPath: "acme/app", branch: "pincer/x", title: "Third", body: "" });
    expect(adopted).toMatchObject({ number: 1, created: false });
  });

  it("opens and updates a GitLab merge request", async () => {
    const gitlab = { kind: "gitlab" as const, apiBaseUrl: forge.gitlabApi, token: "tok" };
    const opened = await openOrUpdatePullRequest({ forge: gitlab, repoPath: "group/sub/app", branch: "feature", base: "develop", title: "MR", body: "d" });
    expect(opened).toMatchObject({ number: 1, created: true, url: `${forge.url}/group/sub/app/-/merge_requests/1` });
    expect(forge.requests.at(-1)).toMatchObject({ method: "POST", path: "/gitlab/api/v4/projects/group%2Fsub%2Fapp/merge_requests" });
    const updated = await openOrUpdatePullRequest({ forge: gitlab, repoPath: "group/sub/app", branch: "feature", title: "MR 2", body: "d", existing: { number: 1 } });
    expect(updated).toMatchObject({ number: 1, created: false });
    expect(forge.pulls.get("group/sub/app")![0]!.title).toBe("MR 2");
  });

  it("shows the forge's message on failure", async () => {
    await expect(openOrUpdatePullRequest({ forge: { kind: "github", apiBaseUrl: forge.githubApi, token: "bad" }, repoPath: "acme/app", branch: "b", base: "main", title: "t", body: "" })).rejects.toThrow(/HTTP 401.*Bad credentials/);
  });

  it("reads owner/repo from a remote URL", () => {
    expect(repoPathFromUrl("https://github.com/acme/app.git")).toBe("acme/app");
    expect(repoPathFromUrl("https://gitlab.example.com/group/sub/app")).toBe("group/sub/app");
  });
});
