// A real git remote over HTTP for tests: `git http-backend` (CGI) behind node:http, serving bare
// repositories under a temp root. Pushes (receive-pack) need basic auth with the given user and
// password; fetches are anonymous.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export type GitHttpServer = {
  /** http://127.0.0.1:<port> */
  url: string;
  root: string;
  /** Creates an empty bare repository and returns its URL (http://.../<name>.git). */
  createRepo(name: string): string;
  /** Runs git in a served repository (test assertions: rev-parse, log...). */
  git(name: string, ...args: string[]): string;
  /** Every request with the auth user it carried ("" when none). */
  requests: Array<{ method: string; path: string; user: string }>;
  close(): Promise<void>;
};

const BACKEND = execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim() + "/git-http-backend";

const gitEnv: NodeJS.ProcessEnv = { ...({} as NodeJS.ProcessEnv), GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", PATH: process.env.PATH ?? "/usr/bin:/bin" };

export const startGitHttpServer = async (options: { username: string; password: string }): Promise<GitHttpServer> => {
  const root = mkdtempSync(path.join(tmpdir(), "pincer-git-remote-"));
  const requests: GitHttpServer["requests"] = [];

  const authUser = (request: IncomingMessage): string | null => {
    const header = request.headers.authorization ?? "";
    if (!header.startsWith("Basic ")) return null;
    const [user, ...rest] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
    return user === options.username && rest.join(":") === options.password ? user : null;
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const isPush = url.searchParams.get("service") === "git-receive-pack" || url.pathname.endsWith("/git-receive-pack");
    const user = authUser(request);
    requests.push({ method: request.method ?? "GET", path: `${url.pathname}${url.search}`, user: user ?? "" });
    if (isPush && !user) {
      response.writeHead(401, { "WWW-Authenticate": 'Basic realm="pincer-test"', "Content-Type": "text/plain" });
      response.end("Authentication required\n");
      return;
    }
    const cgi = spawn(BACKEND, [], {
      env: <NodeJS.ProcessEnv>{
        ...gitEnv,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: request.method ?? "GET",
        CONTENT_TYPE: request.headers["content-type"] ?? "",
        HTTP_CONTENT_ENCODING: request.headers["content-encoding"] ?? "",
        GIT_PROTOCOL: String(request.headers["git-protocol"] ?? ""),
        REMOTE_USER: user ?? "",
        REMOTE_ADDR: request.socket.remoteAddress ?? "127.0.0.1",
      },
    });
    request.pipe(cgi.stdin);
    // CGI output: headers, a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      const endLf = head.indexOf("\n\n");
      const split = end >= 0 ? { at: end, length: 4 } : endLf >= 0 ? { at: endLf, length: 2 } : null;
      if (!split) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, split.at).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      response.write(head.subarray(split.at + split.length));
    });
    cgi.stdout.on("end", () => response.end());
    cgi.on("error", (error) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const git = (name: string, ...args: string[]) =>
    execFileSync("git", args, { cwd: path.join(root, name.endsWith(".git") ? name : `${name}.git`), env: gitEnv, encoding: "utf8" }).trim();

  return {
    url,
    root,
    requests,
    createRepo(name) {
      const dir = path.join(root, `${name}.git`);
      execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir], { env: gitEnv });
      execFileSync("git", ["config", "http.receivepack", "true"], { cwd: dir, env: gitEnv });
      return `${url}/${name}.git`;
    },
    git,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
};
