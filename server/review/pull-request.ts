// Opens a pull request (GitHub, and GitHub-compatible Gitea/Forgejo/GHE) or a merge request
// (GitLab) for a pushed branch, and updates the same one on later pushes. The API base URL is
// configurable, so self-hosted forges work.

export type ForgeKind = "github" | "gitlab";

export type ForgeConfig = { kind: ForgeKind; apiBaseUrl: string; token: string };

export type PullRequestRef = { number: number; url: string; created: boolean };

export type OpenPullRequestOptions = {
  forge: ForgeConfig;
  /** "owner/repo" (GitLab: the full project path, groups included). */
  repoPath: string;
  branch: string;
  /** The branch to merge into; the repository's default branch when absent. */
  base?: string;
  title: string;
  body: string;
  /** The request opened earlier for this session: updated instead of opening a new one. */
  existing?: { number: number };
  fetch?: typeof fetch;
};

export class ForgeError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ForgeError";
  }
}

/** The default API base for well-known hosts; self-hosted forges must configure theirs. */
export const defaultApiBaseUrl = (host: string): { kind: ForgeKind; apiBaseUrl: string } | undefined => {
  if (host === "github.com") return { kind: "github", apiBaseUrl: "https://api.github.com" };
  if (host === "gitlab.com") return { kind: "gitlab", apiBaseUrl: "https://gitlab.com/api/v4" };
  return undefined;
};

/** "owner/repo" from a remote URL: https://host/owner/repo(.git). */
export const repoPathFromUrl = (remoteUrl: string): string => {
  const url = new URL(remoteUrl);
  const repoPath = url.pathname.replace(/^\/+/, "").replace(/\.git$/, "").replace(/\/+$/, "");
  if (!repoPath.includes("/")) throw new ForgeError(`Cannot tell the repository from ${remoteUrl}`, 0);
  return repoPath;
};

type Json = Record<string, unknown>;

const call = async (options: OpenPullRequestOptions, method: string, path: string, body?: Json): Promise<{ status: number; json: unknown }> => {
  const { forge } = options;
  const headers: Record<string, string> =
    forge.kind === "github"
      ? { authorization: `Bearer ${forge.token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" }
      : { "private-token": forge.token, accept: "application/json" };
  if (body) headers["content-type"] = "application/json";
  const response = await (options.fetch ?? fetch)(`${forge.apiBaseUrl.replace(/\/+$/, "")}${path}`, {
    method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const json = (() => {
    try {
      return text ? (JSON.parse(text) as unknown) : null;
    } catch {
      return text;
    }
  })();
  return { status: response.status, json };
};

const failure = (what: string, status: number, json: unknown) => {
  const detail = typeof json === "object" && json !== null ? JSON.stringify(json) : String(json);
  return new ForgeError(`${what} failed (HTTP ${status}): ${detail}`, status);
};

const githubRequest = async (options: OpenPullRequestOptions): Promise<PullRequestRef> => {
  const repo = options.repoPath.split("/").map(encodeURIComponent).join("/");
  const owner = options.repoPath.split("/")[0]!;
  if (options.existing) {
    const updated = await call(options, "PATCH", `/repos/${repo}/pulls/${options.existing.number}`, { title: options.title, body: options.body });
    if (updated.status === 200) return { number: Number((updated.json as Json).number), url: String((updated.json as Json).html_url), created: false };
    if (updated.status !== 404) throw failure("Updating the pull request", updated.status, updated.json);
  }
  const base = options.base ?? (await defaultBranch(options, `/repos/${repo}`, "default_branch"));
  const created = await call(options, "POST", `/repos/${repo}/pulls`, { title: options.title, head: options.branch, base, body: options.body });
  if (created.status === 201) return { number: Number((created.json as Json).number), url: String((created.json as Json).html_url), created: true };
  // 422 "A pull request already exists": adopt it.
  if (created.status === 422) {
    const open = await call(options, "GET", `/repos/${repo}/pulls?state=open&head=${encodeURIComponent(`${owner}:${options.branch}`)}`);
    const first = Array.isArray(open.json) ? (open.json[0] as Json | undefined) : undefined;
    if (first) return { number: Number(first.number), url: String(first.html_url), created: false };
  }
  throw failure("Opening the pull request", created.status, created.json);
};

const gitlabRequest = async (options: OpenPullRequestOptions): Promise<PullRequestRef> => {
  const project = `/projects/${encodeURIComponent(options.repoPath)}`;
  if (options.existing) {
    const updated = await call(options, "PUT", `${project}/merge_requests/${options.existing.number}`, { title: options.title, description: options.body });
    if (updated.status === 200) return { number: Number((updated.json as Json).iid), url: String((updated.json as Json).web_url), created: false };
    if (updated.status !== 404) throw failure("Updating the merge request", updated.status, updated.json);
  }
  const target = options.base ?? (await defaultBranch(options, project, "default_branch"));
  const created = await call(options, "POST", `${project}/merge_requests`, {
    source_branch: options.branch,
    target_branch: target,
    title: options.title,
    description: options.body,
  });
  if (created.status === 201) return { number: Number((created.json as Json).iid), url: String((created.json as Json).web_url), created: true };
  // 409 "Another open merge request already exists for this source branch": adopt it.
  if (created.status === 409) {
    const open = await call(options, "GET", `${project}/merge_requests?state=opened&source_branch=${encodeURIComponent(options.branch)}`);
    const first = Array.isArray(open.json) ? (open.json[0] as Json | undefined) : undefined;
    if (first) return { number: Number(first.iid), url: String(first.web_url), created: false };
  }
  throw failure("Opening the merge request", created.status, created.json);
};

const defaultBranch = async (options: OpenPullRequestOptions, path: string, field: string): Promise<string> => {
  const repo = await call(options, "GET", path);
  if (repo.status !== 200) throw failure("Reading the repository", repo.status, repo.json);
  const branch = (repo.json as Json)[field];
  if (typeof branch !== "string" || branch === "") throw new ForgeError("The repository has no default branch; name the base branch.", 0);
  return branch;
};

export const openOrUpdatePullRequest = (options: OpenPullRequestOptions): Promise<PullRequestRef> =>
  options.forge.kind === "github" ? githubRequest(options) : gitlabRequest(options);
