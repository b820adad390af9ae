// Remote engines, the ways the docker CLI reaches them, with this machine's engine behind:
// - TLS, as `dockerd --tlsverify -H tcp://...` serves it (DOCKER_HOST, DOCKER_TLS_VERIFY,
//   DOCKER_CERT_PATH): a TLS front (test-support/docker-proxy.ts) that accepts only client
//   certificates signed by its CA; certificates come from openssl;
// - SSH (DOCKER_HOST=ssh://user@host:port, the key in the agent at SSH_AUTH_SOCK): a real sshd
//   of the test's own, and `docker system dial-stdio` on the far side, as the CLI does.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDockerProxy, type DockerProxy } from "../../test-support/docker-proxy";
import { createDockerDriver } from "./docker";
import { SandboxError } from "./sandbox";
import { startTestSandbox } from "./test-sandbox";

const openssl = (dir: string, args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

/** A CA and a certificate it signs for `name` (server: 127.0.0.1 as its address; client: client auth). */
const issue = async (dir: string, ca: string, name: string, usage: "server" | "client") => {
  openssl(dir, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
  await writeFile(path.join(dir, `${name}.ext`), usage === "server" ? "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n" : "extendedKeyUsage=clientAuth\n");
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}-key.pem`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "1", "-extfile", `${name}.ext`]);
};
const newCa = (dir: string, name: string) =>
  openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}-key.pem`, "-out", `${name}.pem`, "-days", "1", "-subj", `/CN=${name}`]);

/** A DOCKER_CERT_PATH for client `name`: ca.pem, cert.pem and key.pem, as the docker CLI wants them. */
const certPath = async (dir: string, name: string) => {
  const certs = path.join(dir, `${name}-certs`);
  await mkdir(certs);
  await copyFile(path.join(dir, "ca.pem"), path.join(certs, "ca.pem"));
  await copyFile(path.join(dir, `${name}.pem`), path.join(certs, "cert.pem"));
  await copyFile(path.join(dir, `${name}-key.pem`), path.join(certs, "key.pem"));
  return certs;
};

/** Runs `start` with the docker CLI's remote-engine variables set (the client reads them when made). */
const withRemoteEnv = async <T>(env: Record<string, string>, start: () => Promise<T>) => {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await start();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
};

/** Through the engine `env` names: a sandbox is created, runs a command with stdin, opens a terminal and is removed. */
const expectWorkingSandbox = async (env: Record<string, string>, execPath: "auto" | "docker-exec", via: string) => {
  const sandboxEnv = await withRemoteEnv(env, () => startTestSandbox({}, { execPath }));
  try {
    expect(await sandboxEnv.driver.execPathOf(sandboxEnv.sandbox.id)).toBe(execPath === "auto" ? "exec-server" : "docker-exec");
    const result = await sandboxEnv.sandbox.exec({ cmd: ["sh", "-c", "id -u; cat"], stdin: `through ${via}\n` });
    expect({ out: result.stdout.toString(), err: result.stderr.toString(), code: result.exitCode }).toEqual({ out: `1000\nthrough ${via}\n`, err: "", code: 0 });
    const tty = await sandboxEnv.sandbox.openTty({ cols: 80, rows: 24 });
    let seen = "";
    const echoed = new Promise<void>((resolve) =>
      tty.onData((chunk) => {
        seen += chunk.toString();
        if (seen.includes("tty-42")) resolve();
      }),
    );
    tty.write("echo tty-$((6*7))\n");
    await echoed;
    tty.close();
  } finally {
    await sandboxEnv.cleanup();
  }
  expect(await sandboxEnv.driver.inspect(sandboxEnv.spec.sessionId)).toBeNull();
};

describe("a remote engine over TLS (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)", { timeout: 60_000 }, () => {
  let dir: string;
  let proxy: DockerProxy;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pincer-tls-"));
    newCa(dir, "ca");
    await issue(dir, "ca", "server", "server");
    await issue(dir, "ca", "client", "client");
    const read = (name: string) => execFileSync("cat", [path.join(dir, name)], { encoding: "utf8" });
    proxy = await startDockerProxy({ tls: { key: read("server-key.pem"), cert: read("server.pem"), ca: read("ca.pem") } });
    env = { DOCKER_HOST: `tcp://127.0.0.1:${proxy.port}`, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: await certPath(dir, "client") };
  });

  afterAll(async () => {
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a sandbox there, runs commands (exec server and docker exec), opens a terminal, removes it", async () => {
    for (const execPath of ["auto", "docker-exec"] as const) {
      await expectWorkingSandbox(env, execPath, "TLS");
    }
  });

  it("a client certificate from another CA is refused, and the error says the engine could not be reached", async () => {
    newCa(dir, "stranger-ca");
    await issue(dir, "stranger-ca", "stranger", "client");
    const certs = await certPath(dir, "stranger");
    const driver = await withRemoteEnv({ ...env, DOCKER_CERT_PATH: certs }, async () => createDockerDriver({ labelPrefix: "pincer-test" }));
    try {
      const error = await driver.list().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${proxy.port}`));
    } finally {
      await driver.dispose();
    }
  });
});

/** An sshd of the test's own on a free port, letting in one key (from an ssh-agent) as root. */
const startSshd = async (dir: string) => {
  if (process.getuid?.() !== 0) throw new Error("The SSH engine test starts its own sshd and logs in as root: run the tests as root (./pincer test does)");
  if (!existsSync("/usr/sbin/sshd")) throw new Error("No /usr/sbin/sshd: ./pincer test installs openssh-server");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_key")]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "client_key")]);
  await copyFile(path.join(dir, "client_key.pub"), path.join(dir, "authorized_keys"));
  const port = await freePort();
  await writeFile(
    path.join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${path.join(dir, "host_key")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "StrictModes no",
      "",
    ].join("\n"),
  );
  // Privilege separation wants this directory; Debian's service would make it.
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const sshd = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  sshd.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const agentSocket = path.join(dir, "agent.sock");
  const agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" });
  // Waited for, so that nothing is left behind unreaped.
  const ended = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
  const stop = async () => {
    sshd.kill();
    agent.kill();
    await Promise.all([ended(sshd), ended(agent)]);
  };
  try {
    await waitFor(() => connects(port), () => `sshd did not start: ${log}`);
    await waitFor(async () => existsSync(agentSocket), () => "ssh-agent did not start");
    execFileSync("ssh-add", ["-q", path.join(dir, "client_key")], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: "pipe" });
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, agentSocket, log: () => log, stop };
};

const waitFor = async (ready: () => Promise<boolean>, failure: () => string) => {
  for (const deadline = Date.now() + 10_000; !(await ready()); ) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("a remote engine over SSH (DOCKER_HOST=ssh://user@host:port, key from SSH_AUTH_SOCK)", { timeout: 120_000 }, () => {
  let dir: string;
  let sshd: Awaited<ReturnType<typeof startSshd>>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pincer-ssh-"));
    sshd = await startSshd(dir);
  });

  afterAll(async () => {
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a sandbox there, runs commands through the exec server, opens a terminal, removes it", async () => {
    await expectWorkingSandbox({ DOCKER_HOST: `ssh://root@127.0.0.1:${sshd.port}`, SSH_AUTH_SOCK: sshd.agentSocket }, "auto", "SSH");
    // It went through sshd, with the agent's key.
    expect(sshd.log()).toMatch(/Accepted publickey for root from 127\.0\.0\.1/);
  });
});
