// The direct socket's host side with real Unix sockets: only the token gets through, the socket
// file goes when listening stops, and the sweep removes only old directories nobody mounts.
import { mkdtemp, readdir, rm, stat, utimes } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createExecSocketDir, EXEC_SOCKET_MOUNT, listenForExecServer, sweepExecSocketDirs } from "./exec-socket";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "pincer-sock-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The listener's env as a map, and the socket's host path (the container sees the directory at EXEC_SOCKET_MOUNT). */
const parse = (dir: string, env: string[]) => {
  const values = Object.fromEntries(env.map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const inContainer = values.PINCER_EXEC_SOCKET!;
  expect(inContainer.startsWith(`${EXEC_SOCKET_MOUNT}/`)).toBe(true);
  return { token: values.PINCER_EXEC_TOKEN!, hostPath: path.join(dir, path.basename(inContainer)) };
};

const connect = (hostPath: string) =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.createConnection(hostPath, () => resolve(socket));
    socket.once("error", reject);
  });

const closedByPeer = (socket: net.Socket) => new Promise<void>((resolve) => socket.once("close", () => resolve()));

describe("exec server's direct socket", () => {
  it("hands over the connection that presents the token, with what followed it", async () => {
    const dir = (await createExecSocketDir(root))!;
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
    const listener = await listenForExecServer(dir);
    const { token, hostPath } = parse(dir, listener.env);
    // World-connectable on purpose (the container's user is not ours); the token is the lock.
    expect((await stat(hostPath)).mode & 0o777).toBe(0o666);

    const stranger = await connect(hostPath);
    stranger.write("not-the-token\n");
    await closedByPeer(stranger);

    const server = await connect(hostPath);
    server.write(`${token}\nHELLO`);
    const { socket, rest } = await listener.connected;
    expect(rest.toString()).toBe("HELLO");
    const echoed = new Promise<string>((resolve) => socket.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    socket.resume();
    server.write("frame");
    expect(await echoed).toBe("frame");

    // Taken: the socket file is gone and nobody else can connect.
    await expect.poll(() => readdir(dir)).toEqual([]);
    socket.destroy();
    server.destroy();
  });

  it("cuts a connection that sends too much without a newline, or nothing at all in time", async () => {
    const dir = (await createExecSocketDir(root))!;
    const listener = await listenForExecServer(dir);
    const { hostPath } = parse(dir, listener.env);
    const flood = await connect(hostPath);
    flood.write("x".repeat(500));
    await closedByPeer(flood);
    const silent = await connect(hostPath);
    await closedByPeer(silent);
    listener.close();
    await expect(listener.connected).rejects.toThrow(/no longer listening/);
  }, 10_000);

  it("closing stops listening and removes the socket file", async () => {
    const dir = (await createExecSocketDir(root))!;
    const listener = await listenForExecServer(dir);
    const { hostPath } = parse(dir, listener.env);
    listener.close();
    await expect.poll(() => readdir(dir)).toEqual([]);
    await expect(connect(hostPath)).rejects.toThrow(/ENOENT|ECONNREFUSED/);
  });

  it("declines a directory whose socket path would not fit a Unix socket address", async () => {
    const deep = path.join(root, "d".repeat(90));
    expect(await createExecSocketDir(deep)).toBeNull();
  });

  it("sweeps old directories no container mounts, and nothing else", async () => {
    const inUse = (await createExecSocketDir(root))!;
    const orphan = (await createExecSocketDir(root))!;
    const young = (await createExecSocketDir(root))!;
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(inUse, hourAgo, hourAgo);
    await utimes(orphan, hourAgo, hourAgo);
    await sweepExecSocketDirs(root, new Set([inUse]));
    expect((await readdir(root)).sort()).toEqual([path.basename(inUse), path.basename(young)].sort());
  });
});
