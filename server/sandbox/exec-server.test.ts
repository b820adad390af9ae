// The exec server's writes as they leave it: this checkout's sandbox-images/base/exec-server.py,
// run in a sandbox container over a docker exec stream, where every write of the server arrives as
// one docker frame. (docker.test.ts covers what commands see through the driver.)
import { copyFile } from "node:fs/promises";
import path from "node:path";
import type { Duplex } from "node:stream";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "./test-sandbox";

const SPAWN = 1;
const STDOUT = 11;
const EXIT = 13;

type Frame = { type: number; id: number; payload: Buffer };

/** The exec server's frames in one of its writes. */
const framesIn = (write: Buffer): Frame[] => {
  const frames: Frame[] = [];
  for (let offset = 0; offset + 9 <= write.length; ) {
    const size = write.readUInt32BE(offset + 5);
    frames.push({ type: write[offset]!, id: write.readUInt32BE(offset + 1), payload: write.subarray(offset + 9, offset + 9 + size) });
    offset += 9 + size;
  }
  return frames;
};

describe("exec server", { timeout: 60_000 }, () => {
  let env: Awaited<ReturnType<typeof startTestSandbox>>;
  let stream: Duplex;
  /** Each write of the server's stdout, in order. */
  const writes: Buffer[] = [];
  let nextId = 1;

  beforeAll(async () => {
    env = await startTestSandbox();
    await copyFile(path.join(import.meta.dirname, "../../sandbox-images/base/exec-server.py"), path.join(env.workspaceDir, "exec-server.py"));
    const exec = await new Dockerode().getContainer(env.sandbox.id).exec({
      Cmd: ["python3", "-I", "-S", "/workspace/exec-server.py"],
      User: "1000:1000",
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
    let pending = Buffer.alloc(0);
    stream.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= 8 + pending.readUInt32BE(4)) {
        if (pending[0] === 1) writes.push(pending.subarray(8, 8 + pending.readUInt32BE(4)));
        pending = pending.subarray(8 + pending.readUInt32BE(4));
      }
    });
  });

  afterAll(async () => {
    stream?.destroy();
    await env?.cleanup();
  });

  /** Runs `bash -c script` and returns the server's writes for it, up to the one with its exit. */
  const run = async (script: string) => {
    const id = nextId++;
    const payload = Buffer.from(JSON.stringify({ cmd: ["bash", "-c", script], env: {}, stdin: false }));
    const header = Buffer.alloc(9);
    header.writeUInt8(SPAWN, 0);
    header.writeUInt32BE(id, 1);
    header.writeUInt32BE(payload.length, 5);
    stream.write(Buffer.concat([header, payload]));
    const mine = () => writes.map(framesIn).filter((frames) => frames.some((frame) => frame.id === id));
    while (!mine().some((frames) => frames.some((frame) => frame.type === EXIT))) await new Promise((resolve) => setTimeout(resolve, 10));
    return mine();
  };

  it("sends a command's last output in the same write as its exit report", async () => {
    // Each write crosses the docker stream on its own; one write saves a crossing per command.
    const writesOfCommand = await run("printf done");
    expect(writesOfCommand).toHaveLength(1);
    expect(writesOfCommand[0]!.map((frame) => frame.type)).toEqual([STDOUT, EXIT]);
    expect(writesOfCommand[0]![0]!.payload.toString()).toBe("done");
  });

  it("still sends output while the command runs, before its exit", async () => {
    const writesOfCommand = await run("echo first; sleep 1; echo second");
    expect(writesOfCommand.length).toBeGreaterThanOrEqual(2);
    const first = writesOfCommand[0]!;
    expect(first.map((frame) => frame.type)).toEqual([STDOUT]);
    expect(first[0]!.payload.toString()).toBe("first\n");
    expect(writesOfCommand.at(-1)!.map((frame) => frame.type)).toEqual([STDOUT, EXIT]);
  });
});
