// The server's end of the in-container exec server (sandbox-images/base/exec-server.py): many
// concurrent commands multiplexed over one long-lived stream, so a command costs a round trip
// over an open pipe (~1-2 ms) instead of a new `docker exec` (~50 ms, queueing under load).
import { BoundedBytes } from "./bounded-bytes";
import type { ExecRequest, ExecResult } from "./sandbox";

const HEADER_BYTES = 9;
const Frame = {
  spawn: 1,
  stdin: 2,
  stdinEof: 3,
  signal: 4,
  hello: 10,
  stdout: 11,
  stderr: 12,
  exit: 13,
  error: 14,
} as const;

/** Between SIGTERM to the process group and SIGKILL. */
const KILL_GRACE_MS = 1000;
/** After SIGKILL, how long to wait for the exit report before giving up on the command. */
const KILL_GIVE_UP_MS = 5000;
const HELLO_TIMEOUT_MS = 10_000;

type ExitReport = { code: number; signal: number | null; oom: boolean; pids: boolean };

/** What a finished command reports beyond the ExecResult: the container's limits it ran into. */
export type ChannelExecResult = ExecResult & { oomKilled: boolean; pidsLimitHit: boolean };

/** The stream to the exec server went away (server killed, container stopped, connection lost). */
export class ExecChannelClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecChannelClosedError";
  }
}

/** The exec server refused the command (bad working directory and the like). */
export class ExecRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecRejectedError";
  }
}

type Pending = {
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
  onExit: (report: ExitReport | null) => void;
  onError: (error: Error) => void;
};

export type ExecChannelTransport = {
  write(frame: Buffer): void;
  close(): void;
};

export type ExecChannel = {
  /** Resolves once the exec server said hello; rejects when the stream ends before that. */
  readonly ready: Promise<void>;
  readonly closed: boolean;
  /** Feed bytes the exec server wrote to its stdout. */
  receive(chunk: Buffer): void;
  /** The stream ended: every running command fails with ExecChannelClosedError. */
  fail(reason: string): void;
  run(request: ExecRequest): Promise<ChannelExecResult>;
  /** Commands in flight (the idle pauser waits for zero). */
  readonly inFlight: number;
  close(): void;
};

const frame = (type: number, id: number, payload: Buffer = Buffer.alloc(0)) => {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(id, 1);
  header.writeUInt32BE(payload.length, 5);
  return payload.length === 0 ? header : Buffer.concat([header, payload]);
};

export const createExecChannel = (transport: ExecChannelTransport): ExecChannel => {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let buffered: Buffer = Buffer.alloc(0);
  let closedReason: string | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);
  const helloTimer = setTimeout(() => channel.fail("the exec server did not start in time"), HELLO_TIMEOUT_MS);
  helloTimer.unref();

  const dispatch = (type: number, id: number, payload: Buffer) => {
    if (type === Frame.hello) {
      clearTimeout(helloTimer);
      resolveReady();
      return;
    }
    const command = pending.get(id);
    if (!command) return;
    if (type === Frame.stdout) command.onStdout(payload);
    else if (type === Frame.stderr) command.onStderr(payload);
    else if (type === Frame.exit) command.onExit(JSON.parse(payload.toString()) as ExitReport);
    else if (type === Frame.error) command.onError(new ExecRejectedError((JSON.parse(payload.toString()) as { message: string }).message));
  };

  const channel: ExecChannel = {
    ready,
    get closed() {
      return closedReason !== undefined;
    },
    get inFlight() {
      return pending.size;
    },

    receive(chunk) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let offset = 0;
      while (buffered.length - offset >= HEADER_BYTES) {
        const size = buffered.readUInt32BE(offset + 5);
        if (buffered.length - offset < HEADER_BYTES + size) break;
        const type = buffered.readUInt8(offset);
        const id = buffered.readUInt32BE(offset + 1);
        dispatch(type, id, buffered.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size));
        offset += HEADER_BYTES + size;
      }
      buffered = offset === buffered.length ? Buffer.alloc(0) : buffered.subarray(offset);
    },

    fail(reason) {
      if (closedReason !== undefined) return;
      closedReason = reason;
      clearTimeout(helloTimer);
      rejectReady(new ExecChannelClosedError(reason));
      for (const command of pending.values()) command.onError(new ExecChannelClosedError(reason));
      pending.clear();
      transport.close();
    },

    close() {
      channel.fail("the exec channel was closed");
    },

    run(request) {
      const started = Date.now();
      if (closedReason !== undefined) return Promise.reject(new ExecChannelClosedError(closedReason));
      if (request.signal?.aborted) {
        return Promise.resolve({ exitCode: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false, aborted: true, durationMs: 0, oomKilled: false, pidsLimitHit: false });
      }
      const id = nextId;
      nextId = nextId >= 0xffffffff ? 1 : nextId + 1;
      const stdout = new BoundedBytes();
      const stderr = new BoundedBytes();
      let timedOut = false;
      let aborted = false;
      const timers: NodeJS.Timeout[] = [];

      return new Promise<ChannelExecResult>((resolve, reject) => {
        const cleanup = () => {
          for (const timer of timers) clearTimeout(timer);
          request.signal?.removeEventListener("abort", onAbort);
          pending.delete(id);
        };
        const settle = (report: ExitReport | null) => {
          cleanup();
          resolve({
            exitCode: report ? report.code : null,
            stdout: stdout.toBuffer(),
            stderr: stderr.toBuffer(),
            timedOut,
            aborted,
            durationMs: Date.now() - started,
            oomKilled: report?.oom ?? false,
            pidsLimitHit: report?.pids ?? false,
          });
        };
        const sendSignal = (signal: "TERM" | "KILL") => {
          if (closedReason === undefined) transport.write(frame(Frame.signal, id, Buffer.from(JSON.stringify({ signal }))));
        };
        let killing = false;
        const kill = () => {
          if (killing) return;
          killing = true;
          // TERM first; KILL after a grace period (children ignoring TERM die with the second).
          sendSignal("TERM");
          timers.push(setTimeout(() => sendSignal("KILL"), KILL_GRACE_MS));
          timers.push(setTimeout(() => settle(null), KILL_GRACE_MS + KILL_GIVE_UP_MS));
        };
        const onAbort = () => {
          aborted = true;
          kill();
        };
        pending.set(id, {
          onStdout: (chunk) => {
            stdout.push(chunk);
            request.onStdout?.(chunk);
          },
          onStderr: (chunk) => {
            stderr.push(chunk);
            request.onStderr?.(chunk);
          },
          onExit: settle,
          onError: (error) => {
            cleanup();
            reject(error);
          },
        });
        if (request.timeoutMs !== undefined) {
          timers.push(
            setTimeout(() => {
              timedOut = true;
              kill();
            }, request.timeoutMs),
          );
        }
        request.signal?.addEventListener("abort", onAbort, { once: true });

        const hasStdin = request.stdin !== undefined;
        const spawn = { cmd: request.cmd, cwd: request.cwd, env: request.env ?? {}, stdin: hasStdin };
        const frames = [frame(Frame.spawn, id, Buffer.from(JSON.stringify(spawn)))];
        if (hasStdin) {
          const input = typeof request.stdin === "string" ? Buffer.from(request.stdin) : (request.stdin as Buffer);
          // Frames carry at most 4 GiB; chunk anyway so one huge stdin does not hog the stream.
          for (let offset = 0; offset < input.length; offset += 256 * 1024) frames.push(frame(Frame.stdin, id, input.subarray(offset, offset + 256 * 1024)));
          frames.push(frame(Frame.stdinEof, id));
        }
        transport.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
      });
    },
  };
  return channel;
};
