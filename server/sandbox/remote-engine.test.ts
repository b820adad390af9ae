// A remote engine over TLS, as `dockerd --tlsverify -H tcp://...` serves it: DOCKER_HOST,
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, read by the driver's client like the docker CLI reads
// them. The TLS front (test-support/docker-proxy.ts) forwards to this machine's engine and
// accepts only client certificates signed by its CA; certificates come from openssl.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
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
    // DOCKER_CERT_PATH holds ca.pem, cert.pem and key.pem, as for the docker CLI.
    const certs = path.join(dir, "client-certs");
    execFileSync("mkdir", [certs]);
    execFileSync("cp", [path.join(dir, "ca.pem"), path.join(certs, "ca.pem")]);
    execFileSync("cp", [path.join(dir, "client.pem"), path.join(certs, "cert.pem")]);
    execFileSync("cp", [path.join(dir, "client-key.pem"), path.join(certs, "key.pem")]);
    env = { DOCKER_HOST: `tcp://127.0.0.1:${proxy.port}`, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs };
  });

  afterAll(async () => {
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a sandbox there, runs commands (exec server and docker exec), opens a terminal, removes it", async () => {
    for (const execPath of ["auto", "docker-exec"] as const) {
      const sandboxEnv = await withRemoteEnv(env, () => startTestSandbox({}, { execPath }));
      try {
        expect(await sandboxEnv.driver.execPathOf(sandboxEnv.sandbox.id)).toBe(execPath === "auto" ? "exec-server" : "docker-exec");
        const result = await sandboxEnv.sandbox.exec({ cmd: ["sh", "-c", "id -u; cat"], stdin: "through TLS\n" });
        expect({ out: result.stdout.toString(), err: result.stderr.toString(), code: result.exitCode }).toEqual({ out: "1000\nthrough TLS\n", err: "", code: 0 });

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
    }
  });

  it("a client certificate from another CA is refused, and the error says the engine could not be reached", async () => {
    newCa(dir, "stranger-ca");
    await issue(dir, "stranger-ca", "stranger", "client");
    const certs = path.join(dir, "stranger-certs");
    execFileSync("mkdir", [certs]);
    execFileSync("cp", [path.join(dir, "ca.pem"), path.join(certs, "ca.pem")]);
    execFileSync("cp", [path.join(dir, "stranger.pem"), path.join(certs, "cert.pem")]);
    execFileSync("cp", [path.join(dir, "stranger-key.pem"), path.join(certs, "key.pem")]);
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
