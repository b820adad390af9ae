// A scripted forge for tests: GitHub's and GitLab's REST shapes for pull/merge requests (create,
// update, list, repository default branch), kept in memory, with token checks and a request log.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ForgePullRequest = { number: number; title: string; body: string; head: string; base: string; state: "open" };

export type ForgeApiServer = {
  url: string;
  /** API bases to configure: GitHub style at /github, GitLab style at /gitlab/api/v4. */
  githubApi: string;
  gitlabApi: string;
  pulls: Map<string, ForgePullRequest[]>;
  requests: Array<{ method: string; path: string; body: unknown; auth: string }>;
  close(): Promise<void>;
};

const readBody = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as unknown) : undefined;
};

const send = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
};

export const startForgeApi = async (options: { token: string; defaultBranch?: string }): Promise<ForgeApiServer> => {
  const pulls = new Map<string, ForgePullRequest[]>();
  const requests: ForgeApiServer["requests"] = [];
  const defaultBranch = options.defaultBranch ?? "main";
  let url = "";

  const listFor = (repo: string) => {
    const list = pulls.get(repo) ?? [];
    pulls.set(repo, list);
    return list;
  };

  const github = (request: IncomingMessage, response: ServerResponse, path: string, body: Record<string, string> | undefined) => {
    if (request.headers.authorization !== `Bearer ${options.token}`) return send(response, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/pulls(?:\/(\d+))?)?$/.exec(path.split("?")[0]!);
    if (!repoMatch) return send(response, 404, { message: "Not Found" });
    const [, owner, name, pullsPath, number] = repoMatch;
    const repo = `${owner}/${name}`;
    const shape = (pull: ForgePullRequest) => ({
      number: pull.number,
      html_url: `${url}/${repo}/pull/${pull.number}`,
      title: pull.title,
      body: pull.body,
      state: pull.state,
      head: { ref: pull.head, label: `${owner}:${pull.head}` },
      base: { ref: pull.base },
    });
    if (!pullsPath && request.method === "GET") return send(response, 200, { full_name: repo, default_branch: defaultBranch });
    const list = listFor(repo);
    if (pullsPath && !number && request.method === "POST") {
      if (!body?.title || !body.head || !body.base) return send(response, 422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "missing_field" }] });
      if (list.some((pull) => pull.head === body.head)) {
        return send(response, 422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${owner}:${body.head}.` }] });
      }
      const pull: ForgePullRequest = { number: list.length + 1, title: body.title, body: body.body ?? "", head: body.head, base: body.base, state: "open" };
      list.push(pull);
      return send(response, 201, shape(pull));
    }
    if (pullsPath && !number && request.method === "GET") {
      const head = new URL(path, "http://x").searchParams.get("head");
      return send(response, 200, list.filter((pull) => !head || `${owner}:${pull.head}` === head).map(shape));
    }
    const pull = list.find((candidate) => candidate.number === Number(number));
    if (!pull) return send(response, 404, { message: "Not Found" });
    if (request.method === "PATCH") {
      if (body?.title) pull.title = body.title;
      if (body?.body !== undefined) pull.body = body.body;
    }
    return send(response, 200, shape(pull));
  };

  const gitlab = (request: IncomingMessage, response: ServerResponse, path: string, body: Record<string, string> | undefined) => {
    if (request.headers["private-token"] !== options.token) return send(response, 401, { message: "401 Unauthorized" });
    const match = /^\/projects\/([^/]+)(\/merge_requests(?:\/(\d+))?)?$/.exec(path.split("?")[0]!);
    if (!match) return send(response, 404, { message: "404 Not Found" });
    const [, encoded, mrPath, iid] = match;
    const project = decodeURIComponent(encoded!);
    const shape = (pull: ForgePullRequest) => ({
      iid: pull.number,
      web_url: `${url}/${project}/-/merge_requests/${pull.number}`,
      title: pull.title,
      description: pull.body,
      state: "opened",
      source_branch: pull.head,
      target_branch: pull.base,
    });
    if (!mrPath && request.method === "GET") return send(response, 200, { path_with_namespace: project, default_branch: defaultBranch });
    const list = listFor(project);
    if (mrPath && !iid && request.method === "POST") {
      if (!body?.title || !body.source_branch || !body.target_branch) return send(response, 400, { message: "title is missing" });
      const existing = list.find((pull) => pull.head === body.source_branch);
      if (existing) return send(response, 409, { message: [`Another open merge request already exists for this source branch: !${existing.number}`] });
      const pull: ForgePullRequest = { number: list.length + 1, title: body.title, body: body.description ?? "", head: body.source_branch, base: body.target_branch, state: "open" };
      list.push(pull);
      return send(response, 201, shape(pull));
    }
    if (mrPath && !iid && request.method === "GET") {
      const source = new URL(path, "http://x").searchParams.get("source_branch");
      return send(response, 200, list.filter((pull) => !source || pull.head === source).map(shape));
    }
    const pull = list.find((candidate) => candidate.number === Number(iid));
    if (!pull) return send(response, 404, { message: "404 Not found" });
    if (request.method === "PUT") {
      if (body?.title) pull.title = body.title;
      if (body?.description !== undefined) pull.body = body.description;
    }
    return send(response, 200, shape(pull));
  };

  const server = createServer((request, response) => {
    void (async () => {
      const body = (await readBody(request)) as Record<string, string> | undefined;
      const path = request.url ?? "/";
      requests.push({ method: request.method ?? "GET", path, body, auth: String(request.headers.authorization ?? request.headers["private-token"] ?? "") });
      if (path.startsWith("/github/")) return github(request, response, path.slice("/github".length), body);
      if (path.startsWith("/gitlab/api/v4/")) return gitlab(request, response, path.slice("/gitlab/api/v4".length), body);
      return send(response, 404, { message: "Not Found" });
    })().catch((error: unknown) => send(response, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    githubApi: `${url}/github`,
    gitlabApi: `${url}/gitlab/api/v4`,
    pulls,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
