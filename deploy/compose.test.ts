// Deployment smoke test (issue #8): docker-compose.yml for real. Pincer built from the Dockerfile
// next to PostgreSQL, sandboxes as sibling containers through the host's engine, driven over HTTP
// and the terminal WebSocket as a browser would; then a Pincer restart and a teardown. The steps
// depend on each other and run in order. Base images come from the registry or, where none is
// reachable, from deploy/offline-base-images/. Its own vitest project ("compose"): see vitest.config.ts.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { terminalPath } from "../lib/ws-protocol";
import { createHttpClient } from "../test-support/http-client";

const root = path.resolve(import.meta.dirname, "..");
const project = "pincer-smoke";
const port = Number(process.env.PINCER_COMPOSE_PORT ?? 3400);
const base = `http://127.0.0.1:${port}`;
const client = createHttpClient(base);
const dataDir = mkdtempSync(path.join(os.tmpdir(), "pincer-compose-"));
const MINUTE = 60_000;

// What the compose file reads from the environment; the secret key is left unset on purpose, so the
// key generated in the data dir is what is used (vitest's own test key must not leak in).
const composeEnv = {
  ...process.env,
  PINCER_DATA_DIR: dataDir,
  PINCER_PORT: String(port),
  POSTGRES_PASSWORD: randomBytes(12).toString("hex"),
  PINCER_SECRET_KEY: "",
  SANDBOX_IMAGE: "",
  SANDBOX_IMAGES: "",
};

type Run = { code: number; output: string };

/** Runs a program to its end; rejects with its output when it fails (or `check` is false). */
const run = (command: string, args: string[], options: { timeoutMs?: number; check?: boolean; env?: NodeJS.ProcessEnv } = {}) =>
  new Promise<Run>((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 5 * MINUTE);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 1, output };
      if (result.code !== 0 && options.check !== false) {
        reject(new Error(`\`${command} ${args.join(" ")}\` ${signal ? `was killed (${signal})` : `exited with ${code}`}:\n${output.slice(-6000)}`));
        return;
      }
      resolve(result);
    });
  });

/** `docker compose` (v2) where the plugin exists, else docker-compose (v1.29+). */
const composeProgram = async (): Promise<string[]> =>
  (await run("docker", ["compose", "version"], { check: false })).code === 0 ? ["docker", "compose"] : ["docker-compose"];
let composeCommand: string[] = [];
const compose = (args: string[], timeoutMs?: number) =>
  run(composeCommand[0]!, [...composeCommand.slice(1), "-p", project, ...args], { env: composeEnv, timeoutMs });

/** The image id behind a tag, or null. */
const imageId = async (name: string) => {
  const result = await run("docker", ["image", "inspect", "-f", "{{.Id}}", name], { check: false });
  return result.code === 0 ? result.output.trim() : null;
};
/** The Pincer image compose builds: v1 tags it <project>_pincer, v2 <project>-pincer. */
const pincerImages = async () => Promise.all([`${project}_pincer`, `${project}-pincer`].map(imageId));

const containerOf = async (service: string) => {
  const id = (await compose(["ps", "-q", service])).output.trim();
  if (!id) throw new Error(`compose has no ${service} container`);
  return id;
};

type ContainerInfo = {
  Id: string;
  State: { Running: boolean; Status: string; StartedAt: string };
  RestartCount: number;
  Config: { User: string };
  Mounts: Array<{ Source: string; Destination: string; RW: boolean }>;
};
const inspect = async (container: string): Promise<ContainerInfo> => {
  const [info] = JSON.parse((await run("docker", ["inspect", container])).output) as ContainerInfo[];
  return info!;
};

/** One value from PostgreSQL, asked inside its own container (trust on the local socket). */
const psql = async (sql: string) => (await compose(["exec", "-T", "postgres", "psql", "-U", "pincer", "-d", "pincer", "-tAXc", sql])).output.trim();

/** Polls /healthz until it answers; fails at once when the Pincer container stops or restarts on its own. */
const waitForPincer = async (timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const healthy = await fetch(`${base}/healthz`).then((response) => response.ok, () => false);
    if (healthy) return;
    const info = await inspect(await containerOf("pincer"));
    if (!info.State.Running || info.RestartCount > 0) throw new Error(`the Pincer container is ${info.State.Status} (restarts: ${info.RestartCount})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${base}/healthz did not answer within ${timeoutMs / 1000} s`);
};

/** Types a command into the session's terminal once its shell is up; resolves with the first match of `until`. */
const typeInTerminal = (cookie: string, sessionId: string, command: string, until: RegExp) =>
  new Promise<RegExpMatchArray>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${terminalPath(sessionId)}?cols=200&rows=50`, { headers: { cookie, origin: base } });
    let output = "";
    let typed = false;
    const finish = (error: Error | null, match?: RegExpMatchArray) => {
      clearTimeout(timer);
      ws.terminate();
      if (error) reject(error);
      else resolve(match!);
    };
    const timer = setTimeout(() => finish(new Error(`the terminal never showed ${until}; it showed:\n${output}`)), MINUTE);
    ws.on("unexpected-response", (_request, response) => finish(new Error(`terminal socket refused: HTTP ${response.statusCode}`)));
    ws.on("error", (error) => finish(error));
    ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) {
        const message = JSON.parse(data.toString()) as { type: string; message?: string };
        if (message.type === "error") finish(new Error(`terminal: ${message.message}`));
        return;
      }
      output += data.toString();
      // The socket listens for input only once the TTY is open: its first output (the prompt) says so.
      if (!typed) {
        typed = true;
        ws.send(JSON.stringify({ type: "input", data: `${command}\n` }));
      }
      const match = output.match(until);
      if (match) finish(null, match);
    });
  });

/** State an earlier step should have left; its absence means that step failed. */
const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`an earlier step failed: no ${what}`);
  return value;
};

/** Every Pincer sandbox (session or warm) whose workspace lies in this run's data dir. */
const sandboxesOfThisRun = async () => {
  const ids = (await run("docker", ["ps", "-aq", "--filter", "label=pincer.managed=true"])).output.split("\n").filter(Boolean);
  const infos = await Promise.all(ids.map((id) => inspect(id).catch(() => null)));
  return infos.filter((info): info is ContainerInfo =>
    Boolean(info?.Mounts.some((mount) => mount.Destination === "/workspace" && mount.Source.startsWith(`${dataDir}/`))),
  );
};

const removeEverything = async () => {
  await compose(["down", "-v", "--remove-orphans"], 3 * MINUTE).catch((error: Error) => console.error(error.message));
  for (const sandbox of await sandboxesOfThisRun()) await run("docker", ["rm", "-f", sandbox.Id], { check: false });
  // The workspaces belong to the sandbox user (uid 1000) and the secret key to root: the suite runs as root.
  rmSync(dataDir, { recursive: true, force: true });
};

describe("docker-compose.yml (Pincer + PostgreSQL)", () => {
  const state: { cookie?: string; sessionId?: string; sandbox?: ContainerInfo } = {};
  const marker = `compose-smoke-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    composeCommand = await composeProgram();
    // A stack left by an interrupted run holds the project name and the port.
    await compose(["down", "-v", "--remove-orphans"], 3 * MINUTE);
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      const logs = await compose(["logs", "--no-color", "--timestamps", "--tail=200"], MINUTE).catch((error: Error) => ({ output: error.message }));
      console.error(`--- docker-compose logs (project ${project}) ---\n${logs.output}`);
    });
  });

  afterAll(removeEverything, 5 * MINUTE);

  it("builds the Pincer image and starts it next to PostgreSQL", async () => {
    const started = Date.now();
    await run("bash", ["deploy/offline-base-images/build.sh"], { timeoutMs: 10 * MINUTE });
    const baseImages = Date.now();
    const previous = await pincerImages();
    // --force-rm: a failed build leaves no stopped intermediate containers behind.
    await compose(["build", "--force-rm"], 20 * MINUTE);
    const built = Date.now();
    // The image a code change replaced would stay behind untagged, a few hundred MB each run.
    const current = await pincerImages();
    for (const id of previous) if (id && !current.includes(id)) await run("docker", ["rmi", id], { check: false });
    await compose(["up", "-d"], 5 * MINUTE);
    await waitForPincer(5 * MINUTE);
    console.log(
      `compose smoke: base images ${((baseImages - started) / 1000).toFixed(1)} s, Pincer image ${((built - baseImages) / 1000).toFixed(1)} s, ` +
        `up to /healthz ${((Date.now() - built) / 1000).toFixed(1)} s`,
    );

    const pincer = await inspect(await containerOf("pincer"));
    expect(pincer.Mounts.map((mount) => mount.Destination)).toEqual(expect.arrayContaining(["/var/run/docker.sock", dataDir]));
    const postgres = await inspect(await containerOf("postgres"));
    expect(postgres.Mounts.map((mount) => mount.Destination)).toEqual(["/var/lib/postgresql/data"]);
  }, 40 * MINUTE);

  it("signs up the first account over HTTP and keeps it in PostgreSQL", async () => {
    state.cookie = await client.signUp("Compose Owner", "owner@compose.test");
    expect(await psql(`select count(*) from "User" where email = 'owner@compose.test'`)).toBe("1");
    expect(await psql(`select count(*) from "User"`)).toBe("1");
  });

  it("starts a session whose sandbox is a sibling container: non-root, no Docker socket", async () => {
    const cookie = need(state.cookie, "account");
    const { id } = await client.trpc<{ id: string }>(cookie, "sessions.create", { title: "Compose smoke", source: { kind: "empty" } }, "POST");
    state.sessionId = id;
    await expect.poll(async () => (await client.trpc<{ status: string }>(cookie, "sessions.get", { sessionId: id })).status, { timeout: 3 * MINUTE, interval: 1000 }).toBe("idle");

    const containerId = await psql(`select "containerId" from "Session" where id = '${id}'`);
    expect(containerId).toMatch(/^[0-9a-f]{64}$/);
    const sandbox = await inspect(containerId);
    state.sandbox = sandbox;
    expect(sandbox.State.Running).toBe(true);
    // The workspace, and the exec server's socket directory (read-only): both host paths in the
    // data dir, the same inside Pincer and on the host (a warm sandbox's mount still names the pool
    // slot that was renamed to the session's folder).
    const mounts = Object.fromEntries(sandbox.Mounts.map((mount) => [mount.Destination, mount]));
    expect(Object.keys(mounts).sort()).toEqual(["/run/pincer", "/workspace"]);
    expect(mounts["/workspace"]!.Source.startsWith(`${dataDir}/workspaces/`)).toBe(true);
    expect(mounts["/run/pincer"]!.Source.startsWith(`${dataDir}/exec/`)).toBe(true);
    expect(mounts["/run/pincer"]!.RW).toBe(false);

    const seen = await typeInTerminal(
      cookie,
      id,
      `printf 'uid=%s socket=%s\\n' "$(id -u)" "$(test -e /var/run/docker.sock && echo present || echo absent)"; echo ${marker} > /workspace/smoke.txt && echo wrote-$((6*7))`,
      /uid=(\d+) socket=(present|absent)[\s\S]*wrote-42/,
    );
    expect({ uid: seen[1], socket: seen[2] }).toEqual({ uid: "1000", socket: "absent" });
    expect(readFileSync(path.join(dataDir, "workspaces", id, "smoke.txt"), "utf8").trim()).toBe(marker);
  }, 5 * MINUTE);

  it("keeps the session and its running sandbox across `restart pincer`", async () => {
    const cookie = need(state.cookie, "account");
    const sessionId = need(state.sessionId, "session");
    const before = need(state.sandbox, "sandbox");
    await compose(["restart", "pincer"], 3 * MINUTE);
    await waitForPincer(3 * MINUTE);
    // SIGTERM reached the server (PID 1): it shut down cleanly instead of being killed.
    expect((await compose(["logs", "--no-color", "pincer"])).output).toContain("SIGTERM: stopping running turns");

    const session = await client.trpc<{ status: string; title: string }>(cookie, "sessions.get", { sessionId });
    expect(session).toMatchObject({ status: "idle", title: "Compose smoke" });
    // The same container, never stopped: sessions outlive the server.
    const sandbox = await inspect(before.Id);
    expect(sandbox.State.Running).toBe(true);
    expect(sandbox.State.StartedAt).toBe(before.State.StartedAt);

    const seen = await typeInTerminal(cookie, sessionId, `echo "read=$(cat /workspace/smoke.txt)"`, /read=(compose-smoke-[0-9a-f]+)/);
    expect(seen[1]).toBe(marker);
  }, 8 * MINUTE);

  it("`down -v` removes the stack and its database; only the session's sandbox is left to remove", async () => {
    const sandbox = need(state.sandbox, "sandbox");
    await compose(["down", "-v", "--remove-orphans"], 3 * MINUTE);
    expect((await compose(["ps", "-q"])).output.trim()).toBe("");
    expect((await run("docker", ["volume", "ls", "-q", "--filter", `name=${project}_postgres-data`])).output.trim()).toBe("");
    // Warm sandboxes went with the server's clean shutdown; the session's sandbox outlives it by design.
    const left = await sandboxesOfThisRun();
    expect(left.map((container) => container.Id)).toEqual([sandbox.Id]);
    await run("docker", ["rm", "-f", sandbox.Id]);
    expect(await sandboxesOfThisRun()).toEqual([]);
  }, 5 * MINUTE);
});
