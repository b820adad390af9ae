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
const STDERR = 12;
const EXIT = 13;
const ERROR = 14;

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

  /** Starts argv and returns the server's writes for it, up to the one with its exit (or refusal). */
  const start = async (cmd: string[]) => {
    const id = nextId++;
    const payload = Buffer.from(JSON.stringify({ cmd, env: {}, stdin: false }));
    const header = Buffer.alloc(9);
    header.writeUInt8(SPAWN, 0);
    header.writeUInt32BE(id, 1);
    header.writeUInt32BE(payload.length, 5);
    stream.write(Buffer.concat([header, payload]));
    const mine = () => writes.map(framesIn).filter((frames) => frames.some((frame) => frame.id === id));
    while (!mine().some((frames) => frames.some((frame) => frame.type === EXIT || frame.type === ERROR))) await new Promise((resolve) => setTimeout(resolve, 10));
    return mine();
  };
  /** Runs `bash -c script` and returns the server's writes for it, up to the one with its exit. */
  const run = (script: string) => start(["bash", "-c", script]);
  /** What a command printed and how it ended. */
  const outcome = (frames: Frame[][]) => {
    const all = frames.flat();
    const text = (type: number) => Buffer.concat(all.filter((frame) => frame.type === type).map((frame) => frame.payload)).toString();
    const exit = all.find((frame) => frame.type === EXIT);
    const error = all.find((frame) => frame.type === ERROR);
    return {
      stdout: text(STDOUT),
      stderr: text(STDERR),
      code: exit ? (JSON.parse(exit.payload.toString()) as { code: number }).code : null,
      error: error ? (JSON.parse(error.payload.toString()) as { message: string }).message : null,
    };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

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

  it("runs `bash -c` in a shell started ahead, as a fresh `bash -c` would run it", async () => {
    await settle();
    const script = [
      // The spare's loader is on its command line: this really ran in the shell started ahead.
      `tr '\\0' ' ' < /proc/$$/cmdline | grep -q '[.] /dev/fd/' && echo spare`,
      `printf '%s|' "$0" "$#" "$1" "$2" "$SECONDS" "\${OLDPWD-unset}" "\${__pincer_script-unset}" "\${PINCER_EXEC_TOKEN-unset}" "$PWD"`,
      "no-such-command",
      "exit 3",
    ].join("\n");
    const result = outcome(await start(["bash", "-c", script, "my-name", "a 'quoted' arg", "two\nlines"]));
    expect(result.stdout).toBe("spare\nmy-name|2|a 'quoted' arg|two\nlines|0|unset|unset|unset|/workspace|");
    expect(result.stderr).toBe("my-name: line 3: no-such-command: command not found\n");
    expect(result.code).toBe(3);
  });

  it("replaces a spare shell that was killed while it waited", async () => {
    await settle();
    // Kills every waiting spare (not this command's own shell, which was one).
    await run(`for pid in $(pgrep -f '[.] /dev/fd/'); do [ "$pid" = "$$" ] || kill -9 "$pid"; done`);
    expect(outcome(await run("echo still here")).stdout).toBe("still here\n");
    await settle();
    expect(outcome(await run(`tr '\\0' ' ' < /proc/$$/cmdline | grep -c '[.] /dev/fd/'`)).stdout).toBe("1\n");
  });

  it("refuses an argument with a NUL byte and keeps serving", async () => {
    const refused = outcome(await start(["bash", "-c", "echo a\u0000b"]));
    expect(refused.error).toMatch(/NUL byte/);
    const direct = outcome(await start(["printf", "%s", "a\u0000b"]));
    expect(direct.error).toMatch(/NUL byte/);
    expect(outcome(await run("echo fine")).stdout).toBe("fine\n");
  });

  it("runs other programs directly, with the exit code and a clear word for a missing one", async () => {
    expect(outcome(await start(["sh", "-c", "echo $0; exit 4", "named"]))).toMatchObject({ stdout: "named\n", code: 4 });
    expect(outcome(await start(["no-such-program"]))).toMatchObject({ stderr: "pincer-exec: no-such-program: not found\n", code: 127 });
    // SIGPIPE is back to its default for commands (Python ignores it): `yes` ends when head is done.
    expect(outcome(await run("yes | head -n 2; echo ${PIPESTATUS[0]}"))).toMatchObject({ stdout: "y\ny\n141\n", code: 0 });
    // No signal is left ignored, in the spare shell or spawned as asked (posix_spawn would leave 32 and 33).
    await settle();
    expect(outcome(await run("grep SigIgn /proc/self/status")).stdout).toBe("SigIgn:\t0000000000000000\n");
    expect(outcome(await start(["grep", "SigIgn", "/proc/self/status"])).stdout).toBe("SigIgn:\t0000000000000000\n");
  });
});
