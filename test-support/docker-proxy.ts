// A TCP front for the machine's Docker socket that a test can cut and restore, so engine outages
// are tested against the real engine without stopping the dockerd that everyone shares. Point a
// driver at it with DOCKER_HOST=tcp://127.0.0.1:<port> (or new Dockerode({ host, port })). With
// `tls`, it is the engine's TLS port as `dockerd --tlsverify` serves it: the client must present a
// certificate signed by the given CA (DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH).
import net from "node:net";
import tls from "node:tls";

export type DockerProxy = {
  port: number;
  /** "tcp://127.0.0.1:<port>" */
  url: string;
  /** Like dockerd going away: stop listening and drop every open connection (streams included). */
  cut(): Promise<void>;
  /** Listen again on the same port. */
  restore(): Promise<void>;
  readonly up: boolean;
  close(): Promise<void>;
};

export type ProxyTls = { key: string; cert: string; ca: string };

export const startDockerProxy = async (options: { port?: number; socketPath?: string; tls?: ProxyTls } = {}): Promise<DockerProxy> => {
  const socketPath = options.socketPath ?? "/var/run/docker.sock";
  const open = new Set<net.Socket>();
  const forward = (client: net.Socket) => {
    const engine = net.connect(socketPath);
    open.add(client);
    open.add(engine);
    const drop = () => {
      client.destroy();
      engine.destroy();
      open.delete(client);
      open.delete(engine);
    };
    client.on("error", drop).on("close", drop);
    engine.on("error", drop).on("close", drop);
    client.setNoDelay(true);
    client.pipe(engine);
    engine.pipe(client);
  };
  // Half-open like the engine: a client that ends its stdin (docker exec with input) still reads the output.
  const server = options.tls
    ? tls.createServer({ ...options.tls, requestCert: true, rejectUnauthorized: true, allowHalfOpen: true }, forward)
    : net.createServer({ allowHalfOpen: true }, forward);
  let up = false;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        up = true;
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(options.port ?? 0);
  const stopListening = () =>
    new Promise<void>((resolve) => {
      up = false;
      for (const socket of open) socket.destroy();
      open.clear();
      server.close(() => resolve());
    });

  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    get up() {
      return up;
    },
    async cut() {
      if (up) await stopListening();
    },
    async restore() {
      if (!up) await listen(port);
    },
    async close() {
      if (up) await stopListening();
    },
  };
};
