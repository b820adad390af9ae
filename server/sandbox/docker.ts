// The Docker implementation of SandboxDriver: one hardened, long-lived container per session with
// the workspace bind-mounted at /workspace. The only module that imports dockerode. Commands go
// through the in-container exec server over one stream per container (exec-channel.ts), with a
// plain `docker exec` per command as the fallback for images without it.
import { randomBytes } from "node:crypto";
import { chown } from "node:fs/promises";
import path from "node:path";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import Dockerode from "dockerode";
import { BoundedBytes } from "./bounded-bytes";
import { usageFromEngineStats } from "./engine-stats";
import { createExecChannel, ExecChannelClosedError, ExecRejectedError, type ExecChannel } from "./exec-channel";
import { createExecSocketDir, EXEC_SOCKET_MOUNT, listenForExecServer, removeExecSocketDir, sweepExecSocketDirs } from "./exec-socket";
import { createWarmPool, type PoolBackend, type PoolSpec, type WarmPool } from "./pool";
import { createEngineHealth, type EngineHealth, type EngineHealthOptions } from "./engine-health";
import { egressUnavailable, GVISOR_RUNTIME, runtimeTraits, selectRuntime, type RuntimeEntry, type RuntimeTraits } from "./runtime";
import {
  SandboxError,
  type ExecRequest,
  type ExecResult,
  type Sandbox,
  type SandboxDriver,
  type SandboxProcess,
  type SpawnRequest,
  type SandboxInfo,
  type SandboxSpec,
  type TtyStream,
} from "./sandbox";

const WORKDIR = "/workspace";
const SANDBOX_UID = 1000;
const SANDBOX_USER = `${SANDBOX_UID}:${SANDBOX_UID}`;
/** Where exec wrappers record their process group id, so a second exec can kill the group. */
const PID_DIR = "/tmp/.pincer";
/** Where the image keeps the exec server (sandbox-images/base/exec-server.py). */
const EXEC_SERVER_PATH = "/opt/pincer/exec-server.py";
/** Between SIGTERM to the process group and SIGKILL. */
const KILL_GRACE_MS = 1000;
/** Before a warm pool's next try after a failed start (and then, if the engine is away, until it is back). */
const POOL_RETRY_MS = 5_000;

export type DockerDriverOptions = {
  docker?: Dockerode;
  /** Prefix for container names and labels; tests use their own to stay apart. Default "pincer". */
  labelPrefix?: string;
  /**
   * OCI runtime for sandboxes: "auto" (default) takes gVisor (runsc) when the engine lists it and
   * the engine's default runtime otherwise; any other value must be a runtime the engine lists.
   */
  runtime?: string;
  /** The engine health watcher's timing (tests move a clock by hand). */
  health?: Pick<EngineHealthOptions, "clock" | "okIntervalMs" | "retryMs" | "maxRetryMs" | "pingTimeoutMs" | "log">;
  /**
   * "auto" (default): the in-container exec server when the image has it, else docker exec.
   * "docker-exec": always one docker exec per command (tests and benchmarks compare the two).
   */
  execPath?: "auto" | "docker-exec";
  /** Where the image keeps the exec server; tests point it elsewhere to act like an older image. */
  execServerPath?: string;
  /** Pause a session's container after this long without commands or terminals; 0 (default) never. */
  idlePauseMs?: number;
  /**
   * A host directory for the exec servers' direct sockets (exec-socket.ts), at the same path for the
   * engine as for us (like the workspaces). Omitted: frames go over the docker exec stream only.
   */
  execSocketDir?: string;
  /** Warm pool of pre-started containers (pool.ts); omitted or size 0: every sandbox starts cold. */
  pool?: { size: number; dir: string; spec: PoolSpec };
};

/** The Docker driver also tells how a sandbox runs commands and can shut its pool down. */
export type DockerSandboxDriver = SandboxDriver & {
  /** "exec-server" or "docker-exec" for a container (after its first command or warm-up). */
  execPathOf(containerId: string): Promise<"exec-server" | "docker-exec">;
  /** How the exec server's frames travel: its direct socket, or its docker exec stream; null without one. */
  execTransportOf(containerId: string): Promise<"socket" | "stream" | null>;
  readonly pool: WarmPool | null;
  /** Whether the engine answers (one watcher per driver; the server makes one driver). */
  readonly health: EngineHealth;
  /** The runtime new sandboxes get (resolved against the engine's `docker info`). */
  runtime(): Promise<string>;
  /** Closes exec channels and removes the warm containers (server shutdown, tests, benchmarks). */
  dispose(): Promise<void>;
};

type HttpError = Error & { statusCode?: number; code?: string; json?: { message?: string } };

const isHttpError = (error: unknown, status: number) =>
  error instanceof Error && (error as HttpError).statusCode === status;

/** Socket errors that mean the engine itself is away, in words for the banner. */
const engineErrorWords: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOENT: "no socket at that path",
  EACCES: "permission denied",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENOTFOUND: "host not found",
};

/** Why a ping to the engine failed, short: "connection refused (ECONNREFUSED)". */
export const describeEngineError = (error: unknown) => {
  if (!(error instanceof Error)) return String(error);
  const { code, statusCode, json } = error as HttpError;
  if (code && engineErrorWords[code]) return `${engineErrorWords[code]} (${code})`;
  if (statusCode) return `the engine answered ${statusCode}${json?.message ? ` (${json.message})` : ""}`;
  return error.message;
};

/** Turns dockerode's errors into SandboxErrors with a message a user can act on. */
const sandboxErrorMapper = (engineAddress: string, onUnreachable: () => void) => (error: unknown, what: string, beforeStart = false): Error => {
  if (error instanceof SandboxError) return error;
  if (!(error instanceof Error)) return new SandboxError("exec_failed", `${what} failed: ${String(error)}`);
  const httpError = error as HttpError;
  if (httpError.code && httpError.code in engineErrorWords) {
    onUnreachable();
    return new SandboxError(
      "engine_unreachable",
      `Cannot reach the Docker engine at ${engineAddress} (${httpError.code}). Is dockerd running and is this server allowed to use it?`,
      { cause: error },
    );
  }
  const detail = httpError.json?.message ?? error.message;
  if (httpError.statusCode === 404) return new SandboxError("not_found", `${what}: the sandbox container is gone (${detail})`, { cause: error, beforeStart });
  if (httpError.statusCode === 409) return new SandboxError("died", `${what}: the sandbox container is not running (${detail})`, { cause: error, beforeStart });
  return new SandboxError("exec_failed", `${what} failed: ${detail}`, { cause: error });
};

/** Splits Docker's multiplexed exec stream (8-byte frame headers) into stdout and stderr. */
const createDemuxer = (onStdout: (chunk: Buffer) => void, onStderr: (chunk: Buffer) => void) => {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) return;
      const payload = pending.subarray(8, 8 + size);
      if (pending[0] === 2) onStderr(payload);
      else onStdout(payload);
      pending = pending.subarray(8 + size);
    }
  };
};

/**
 * The bash snippet a kill exec runs: signal the recorded process group and every process in its
 * session (for KILL, again until none is left: a fork bomb forks between scans). Builtins only
 * (read, kill, /proc globbing), so it needs no pid beyond its own.
 */
const killScript = (pidFile: string, signal: "HUP" | "TERM" | "KILL") => `
read -r p < "${pidFile}" 2>/dev/null || exit 0
[[ $p =~ ^[0-9]+$ ]] || exit 0
for round in {1..${signal === "KILL" ? 50 : 1}}; do
  pids=()
  for f in /proc/[0-9]*/stat; do
    read -r line < "$f" 2>/dev/null || continue
    set -f
    set -- \${line##*) }
    [[ $1 != Z && ( $3 == "$p" || $4 == "$p" ) ]] && pids+=("\${f:6:-5}")
  done
  [ \${#pids[@]} -eq 0 ] && break
  kill -s ${signal} -- "\${pids[@]}" 2>/dev/null
done
exit 0`;

/** How a container ended; under gVisor, why a sandbox over its limits ends as a whole (not just the command). */
const describeExit = (state: Dockerode.ContainerInspectInfo["State"], gvisor: boolean) => {
  const parts = [`exit code ${state.ExitCode}`];
  if (state.OOMKilled) parts.push("OOM killed");
  if (state.Error) parts.push(state.Error);
  // 137 and 143 without an OOM kill are a stop or kill from outside.
  if (gvisor && (state.OOMKilled || ![0, 137, 143].includes(state.ExitCode))) {
    parts.push("under gVisor the whole sandbox stops when its commands run past the memory or process limit");
  }
  return parts.join(", ");
};

const stateOf = (state: Dockerode.ContainerInspectInfo["State"]): SandboxInfo["state"] => {
  if (state.Paused) return "paused";
  if (state.Running) return "running";
  if (state.Status === "created") return "created";
  return "exited";
};

export const createDockerDriver = (options: DockerDriverOptions = {}): DockerSandboxDriver => {
  const docker = options.docker ?? new Dockerode();
  const modem = (docker as unknown as { modem?: { socketPath?: string; host?: string; port?: number } }).modem;
  const engineAddress =
    modem?.socketPath ?? (modem?.host ? `${modem.host}${modem.port ? `:${modem.port}` : ""}` : (process.env.DOCKER_HOST ?? "/var/run/docker.sock"));
  const health = createEngineHealth({ address: engineAddress, ping: () => docker.ping().then(() => undefined), describe: describeEngineError, ...options.health });
  const toSandboxError = sandboxErrorMapper(engineAddress, () => health.reportUnreachable());

  /** A non-TTY `docker exec` as the sandbox user with stdout/stderr (and, when asked, stdin) attached. */
  const startPipedExec = async (
    container: Dockerode.Container,
    cmd: string[],
    request: { cwd?: string; env?: Record<string, string> },
    attachStdin: boolean,
    what: string,
  ): Promise<{ exec: Dockerode.Exec; stream: Duplex }> => {
    try {
      const exec = await container.exec({
        Cmd: cmd,
        User: SANDBOX_USER,
        WorkingDir: request.cwd ?? WORKDIR,
        Env: Object.entries(request.env ?? {}).map(([key, value]) => `${key}=${value}`),
        AttachStdin: attachStdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = (await exec.start({ hijack: attachStdin, stdin: attachStdin })) as unknown as Duplex;
      return { exec, stream };
    } catch (error) {
      // Nothing ran: a caller may retry in a recreated container.
      throw toSandboxError(error, what, true);
    }
  };
  const prefix = options.labelPrefix ?? "pincer";
  const labels = { session: `${prefix}.session`, owner: `${prefix}.owner`, managed: `${prefix}.managed` };
  const containerName = (sessionId: string) => `${prefix}-${sessionId}`;

  const inspectContainer = async (sessionId: string): Promise<Dockerode.ContainerInspectInfo | null> => {
    try {
      return await docker.getContainer(containerName(sessionId)).inspect();
    } catch (error) {
      if (isHttpError(error, 404)) return null;
      throw toSandboxError(error, "Inspecting the sandbox");
    }
  };

  /** Runs a short helper command in the container (kills, cleanup, counters); returns its stdout. */
  const runHelper = async (containerId: string, script: string) => {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: ["bash", "-c", script],
      User: SANDBOX_USER,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({})) as unknown as NodeJS.ReadableStream;
    const output: Buffer[] = [];
    const demux = createDemuxer((chunk) => output.push(chunk), () => {});
    await new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => demux(chunk));
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0) throw new SandboxError("exec_failed", `A helper command in the sandbox failed (exit code ${ExitCode}).`);
    return Buffer.concat(output).toString();
  };

  /** The fallback path: one `docker exec` per command, wrapped so the whole group can be killed. */
  const runDockerExec = async (containerId: string, request: ExecRequest): Promise<ExecResult> => {
    const started = Date.now();
    const execId = randomBytes(8).toString("hex");
    const pidFile = `${PID_DIR}/${execId}.pgid`;
    // setsid puts the command in a new session/process group whose id the wrapper records, so a
    // timeout or abort can kill every process it started (including ones ignoring SIGTERM).
    // setsid's own complaints (a killed child "did not exit normally") go to /dev/null; the
    // command's stderr is handed through on fd 3.
    const inner = `exec 2>&3 3>&-; [ -d ${PID_DIR} ] || mkdir -p ${PID_DIR}; echo $$ > ${pidFile}; "$@"; rc=$?; rm -f ${pidFile}; exit $rc`;
    const wrapper = `exec 3>&2 2>/dev/null; exec setsid -w sh -c '${inner}' pincer-exec "$@"`;
    const hasStdin = request.stdin !== undefined;
    const container = docker.getContainer(containerId);

    if (request.signal?.aborted) {
      return { exitCode: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false, aborted: true, durationMs: 0 };
    }

    const { exec, stream } = await startPipedExec(container, ["sh", "-c", wrapper, "pincer-exec", ...request.cmd], request, hasStdin, "Running a command in the sandbox");

    const stdout = new BoundedBytes();
    const stderr = new BoundedBytes();
    const demux = createDemuxer(
      (chunk) => {
        stdout.push(chunk);
        request.onStdout?.(chunk);
      },
      (chunk) => {
        stderr.push(chunk);
        request.onStderr?.(chunk);
      },
    );

    let timedOut = false;
    let aborted = false;
    let killing: Promise<void> | undefined;
    let forceClose: NodeJS.Timeout | undefined;
    const streamEnded = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
    });
    const killGroup = () => {
      if (killing) return;
      killing = (async () => {
        // TERM first; KILL once the command is gone or after a grace period (children that
        // ignore TERM are in the same group or session and die with the second signal).
        await runHelper(containerId, killScript(pidFile, "TERM"));
        await Promise.race([streamEnded, new Promise((resolve) => setTimeout(resolve, KILL_GRACE_MS))]);
        await runHelper(containerId, killScript(pidFile, "KILL"));
      })().catch(async () => {
        // No exec possible (pids limit exhausted, engine trouble): stopping the container is the
        // only way left to stop the command; ensure() brings the sandbox back.
        await container.kill().catch(() => {});
      });
      // If the stream still does not end, stop waiting for it.
      forceClose = setTimeout(() => stream.destroy(), KILL_GRACE_MS + 10_000);
    };
    const timer =
      request.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            killGroup();
          }, request.timeoutMs)
        : undefined;
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    request.signal?.addEventListener("abort", onAbort, { once: true });

    const ended = new Promise<void>((resolve, reject) => {
      stream.on("data", (chunk: Buffer) => demux(chunk));
      stream.on("end", () => resolve());
      stream.on("close", () => resolve());
      stream.on("error", (error) => reject(error));
    });

    if (hasStdin) {
      stream.write(request.stdin);
      // Half-close: the engine closes the process's stdin, so `cat` and friends see EOF.
      stream.end();
    }

    try {
      await ended;
    } catch (error) {
      if (!timedOut && !aborted) throw toSandboxError(error, "Reading command output");
    } finally {
      if (timer) clearTimeout(timer);
      request.signal?.removeEventListener("abort", onAbort);
    }
    if (killing) await killing;
    if (forceClose) clearTimeout(forceClose);

    const details = await exec.inspect().catch((error: unknown) => {
      throw toSandboxError(error, "Reading the command's exit code");
    });
    // A stream that ended without an exit code, or with SIGKILL's 137, may mean the container
    // itself died; its state lags the exec's by a moment, so look a few times before trusting it.
    if (details.Running || details.ExitCode === null || (details.ExitCode === 137 && !timedOut && !aborted)) {
      for (let attempt = 0; attempt < 6; attempt++) {
        const info = await inspectById(containerId);
        if (!info) throw new SandboxError("not_found", "The sandbox container was removed while the command was running.");
        if (!info.State.Running) {
          throw new SandboxError("died", `The sandbox container stopped while the command was running (${describeExit(info.State, isGvisor(info))}).`);
        }
        if (!details.Running && details.ExitCode !== null && attempt >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return {
      exitCode: details.Running ? null : (details.ExitCode ?? null),
      stdout: stdout.toBuffer(),
      stderr: stderr.toBuffer(),
      timedOut,
      aborted,
      durationMs: Date.now() - started,
    };
  };

  const inspectById = async (containerId: string) => {
    try {
      return await docker.getContainer(containerId).inspect();
    } catch (error) {
      if (isHttpError(error, 404)) return null;
      throw toSandboxError(error, "Inspecting the sandbox");
    }
  };

  const openTty = async (containerId: string, options: { cols: number; rows: number; cwd?: string }): Promise<TtyStream> => {
    const pidFile = `${PID_DIR}/tty-${randomBytes(8).toString("hex")}.pgid`;
    let exec: Dockerode.Exec;
    let stream: Duplex;
    try {
      exec = await docker.getContainer(containerId).exec({
        Cmd: ["sh", "-c", `[ -d ${PID_DIR} ] || mkdir -p ${PID_DIR}; echo $$ > ${pidFile}; exec bash -l`],
        User: SANDBOX_USER,
        WorkingDir: options.cwd ?? WORKDIR,
        Env: ["TERM=xterm-256color", "COLORTERM=truecolor"],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
      });
      stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as unknown as Duplex;
    } catch (error) {
      throw toSandboxError(error, "Opening a terminal in the sandbox", true);
    }
    const resize = async (cols: number, rows: number) => {
      await exec.resize({ w: Math.max(1, Math.floor(cols)), h: Math.max(1, Math.floor(rows)) }).catch((error: unknown) => {
        // Resizing after the shell exited is harmless; anything else is worth reporting.
        if (!isHttpError(error, 404) && !isHttpError(error, 409)) throw toSandboxError(error, "Resizing the terminal");
      });
    };
    await resize(options.cols, options.rows);

    const dataListeners: ((chunk: Buffer) => void)[] = [];
    const exitListeners: (() => void)[] = [];
    // Output that arrives before anyone listens (the prompt) is kept for the first listener.
    let backlog: Buffer[] = [];
    let exited = false;
    stream.on("data", (chunk: Buffer) => {
      if (dataListeners.length === 0) {
        backlog.push(chunk);
        return;
      }
      for (const listener of dataListeners) listener(chunk);
    });
    const finish = () => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener();
    };
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", finish);

    return {
      write: (data) => {
        if (!exited) stream.write(data);
      },
      resize,
      onData: (listener) => {
        dataListeners.push(listener);
        if (backlog.length > 0) {
          const pending = backlog;
          backlog = [];
          for (const chunk of pending) listener(chunk);
        }
      },
      onExit: (listener) => {
        if (exited) listener();
        else exitListeners.push(listener);
      },
      close: () => {
        // Closing the connection alone leaves the shell running; kill its session too.
        void runHelper(containerId, killScript(pidFile, "HUP"))
          .then(() => runHelper(containerId, killScript(pidFile, "KILL")))
          .catch(() => {});
        stream.destroy();
        finish();
      },
    };
  };

  // One exec server per container, reached over one long-lived `docker exec -i` stream.
  const openChannels = new Map<string, ExecChannel>();
  const channelTransports = new Map<string, "socket" | "stream">();
  const openingChannels = new Map<string, Promise<ExecChannel | null>>();
  const withoutExecServer = new Set<string>();

  /** A listener on the container's direct socket directory, when it has one (exec-socket.ts). */
  const listenOnSocketDir = async (containerId: string) => {
    if (!options.execSocketDir) return null;
    const info = await inspectById(containerId);
    const mount = info?.Mounts?.find((entry) => entry.Destination === EXEC_SOCKET_MOUNT);
    if (!mount) return null;
    return listenForExecServer(mount.Source).catch(() => null);
  };

  const openChannel = async (containerId: string): Promise<ExecChannel | null> => {
    const direct = await listenOnSocketDir(containerId);
    let stream: Duplex & { setNoDelay?: (noDelay: boolean) => void };
    try {
      const exec = await docker.getContainer(containerId).exec({
        // -I -S: no site-packages or PYTHON* variables; starts faster and uses less memory.
        Cmd: ["python3", "-I", "-S", options.execServerPath ?? EXEC_SERVER_PATH],
        Env: direct?.env,
        User: SANDBOX_USER,
        WorkingDir: WORKDIR,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      stream = (await exec.start({ hijack: true, stdin: true })) as unknown as typeof stream;
    } catch (error) {
      direct?.close();
      throw error;
    }
    // Over TCP (a remote engine) small frames must not wait for Nagle.
    stream.setNoDelay?.(true);
    let stderrTail = "";
    const containerStopped = new AbortController();
    // Frames travel over the direct socket once the exec server connected to it, otherwise over
    // the stream; whichever carries the hello carries everything after it.
    let socket: Socket | null = null;
    let overStream = false;
    const channel = createExecChannel({
      write: (frame) => (socket ?? stream).write(frame),
      close: () => {
        containerStopped.abort();
        direct?.close();
        socket?.destroy();
        stream.destroy();
      },
    });
    const ended = () => channel.fail(`the exec server stopped${stderrTail ? ` (${stderrTail.trim()})` : ""}`);
    void direct?.connected.then(
      ({ socket: connected, rest }) => {
        if (overStream || channel.closed) {
          connected.destroy();
          return;
        }
        socket = connected;
        channelTransports.set(containerId, "socket");
        connected.on("data", (chunk: Buffer) => channel.receive(chunk));
        connected.on("close", ended);
        connected.on("error", (error) => channel.fail(`the exec server's socket failed (${error.message})`));
        if (rest.length > 0) channel.receive(rest);
        connected.resume();
      },
      () => undefined,
    );
    // A gVisor sandbox killed for its limits can leave exec streams open for good: the engine's
    // word that the container stopped ends the channel (and its commands) instead.
    void docker
      .getContainer(containerId)
      .wait({ condition: "not-running", abortSignal: containerStopped.signal })
      .then(
        () => channel.fail("the sandbox container stopped"),
        () => undefined,
      );
    const demux = createDemuxer(
      (chunk) => {
        // Once on the socket, the stream carries nothing of the protocol.
        if (socket) return;
        if (!overStream) {
          overStream = true;
          channelTransports.set(containerId, "stream");
          direct?.close();
        }
        channel.receive(chunk);
      },
      (chunk) => {
        stderrTail = (stderrTail + chunk.toString()).slice(-2000);
      },
    );
    stream.on("data", (chunk: Buffer) => demux(chunk));
    stream.on("end", ended);
    stream.on("close", ended);
    stream.on("error", (error) => channel.fail(`the exec server's stream failed (${error.message})`));
    try {
      await channel.ready;
    } catch {
      // An image without the exec server (or without python3) keeps using docker exec.
      if (/can't open file|No such file|not found/i.test(stderrTail)) withoutExecServer.add(containerId);
      return null;
    }
    openChannels.set(containerId, channel);
    return channel;
  };

  /** The container's exec channel, opening it when needed; null means: use docker exec. */
  const channelFor = async (containerId: string): Promise<ExecChannel | null> => {
    if (options.execPath === "docker-exec" || withoutExecServer.has(containerId)) return null;
    const live = openChannels.get(containerId);
    if (live && !live.closed) return live;
    const opening = openingChannels.get(containerId);
    if (opening) return opening;
    const next = openChannel(containerId)
      .catch(() => null)
      .finally(() => openingChannels.delete(containerId));
    openingChannels.set(containerId, next);
    return next;
  };

  const closeChannel = (containerId: string) => {
    openChannels.get(containerId)?.close();
    openChannels.delete(containerId);
    channelTransports.delete(containerId);
  };

  /** Throws the SandboxError that explains a lost command when the container itself is gone. */
  const explainIfContainerDied = async (containerId: string) => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const info = await inspectById(containerId);
      if (!info) throw new SandboxError("not_found", "The sandbox container was removed while the command was running.");
      if (!info.State.Running) {
        throw new SandboxError("died", `The sandbox container stopped while the command was running (${describeExit(info.State, isGvisor(info))}).`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const runOnChannel = async (channel: ExecChannel, containerId: string, request: ExecRequest) => {
    try {
      return await channel.run(request);
    } catch (error) {
      if (error instanceof ExecRejectedError) throw new SandboxError("exec_failed", `Running a command in the sandbox failed: ${error.message}.`);
      if (!(error instanceof ExecChannelClosedError)) throw toSandboxError(error, "Running a command in the sandbox");
      closeChannel(containerId);
      await explainIfContainerDied(containerId);
      throw new SandboxError("exec_failed", `The sandbox's exec server stopped while the command was running (${error.message}); the next command starts a new one.`);
    }
  };

  // The fallback path learns about OOM kills and the pids limit from the cgroup's event counters.
  const limitCounters = new Map<string, { oom: number; pids: number }>();
  const readLimitCounters = async (containerId: string) => {
    const text = await runHelper(
      containerId,
      "cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/pids/pids.events /sys/fs/cgroup/memory.events /sys/fs/cgroup/pids.events 2>/dev/null; true",
    );
    const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    const now = { oom: counter("oom_kill"), pids: counter("max") };
    const before = limitCounters.get(containerId) ?? { oom: 0, pids: 0 };
    limitCounters.set(containerId, now);
    return { oomKilled: now.oom > before.oom, pidsLimitHit: now.pids > before.pids };
  };

  const runWithDockerExec = async (containerId: string, request: ExecRequest) => {
    const result = await runDockerExec(containerId, request);
    if (result.exitCode === 0 && !result.timedOut) return { ...result, oomKilled: false, pidsLimitHit: false };
    const limits = await readLimitCounters(containerId).catch(() => ({ oomKilled: false, pidsLimitHit: false }));
    return { ...result, oomKilled: limits.oomKilled && result.exitCode === 137, pidsLimitHit: limits.pidsLimitHit };
  };

  /** Says so in stderr (and in limitHit) when a command ran into the sandbox's memory or pids limit. */
  const withLimitNotes = (result: ExecResult & { oomKilled: boolean; pidsLimitHit: boolean }, spec: SandboxSpec, request: ExecRequest): ExecResult => {
    const { oomKilled, pidsLimitHit, ...plain } = result;
    const limitHit = oomKilled ? "memory" : pidsLimitHit ? "pids" : undefined;
    if (!limitHit) return plain;
    const note = Buffer.from(
      limitHit === "memory"
        ? `\n[sandbox] The command was killed: it ran out of memory (the sandbox's limit is ${Math.round(spec.memoryBytes / 1024 / 1024)} MiB).\n`
        : `\n[sandbox] The command hit the sandbox's process limit (${spec.pidsLimit} processes): new processes could not be started.\n`,
    );
    request.onStderr?.(note);
    return { ...plain, stderr: Buffer.concat([plain.stderr, note]), limitHit };
  };

  // Idle pause: a container with no command or terminal for idlePauseMs is frozen (no CPU, ~15 ms
  // to thaw); the next command or terminal thaws it first.
  type Activity = { busy: number; paused: boolean; timer?: NodeJS.Timeout; transition: Promise<void> };
  const activity = new Map<string, Activity>();
  const activityOf = (containerId: string) => {
    const existing = activity.get(containerId);
    if (existing) return existing;
    const created: Activity = { busy: 0, paused: false, transition: Promise.resolve() };
    activity.set(containerId, created);
    return created;
  };
  const beginUse = async (containerId: string) => {
    const state = activityOf(containerId);
    state.busy += 1;
    clearTimeout(state.timer);
    if (state.paused) {
      state.paused = false;
      state.transition = state.transition.then(() =>
        docker
          .getContainer(containerId)
          .unpause()
          .catch(() => undefined),
      );
    }
    await state.transition;
  };
  const endUse = (containerId: string) => {
    const state = activityOf(containerId);
    state.busy -= 1;
    const idlePauseMs = options.idlePauseMs ?? 0;
    if (state.busy > 0 || idlePauseMs <= 0) return;
    state.timer = setTimeout(() => {
      if (state.busy > 0 || state.paused) return;
      state.paused = true;
      state.transition = state.transition.then(() =>
        docker
          .getContainer(containerId)
          .pause()
          .catch(() => {
            state.paused = false;
          }),
      );
    }, idlePauseMs);
    state.timer.unref();
  };
  const forget = (containerId: string) => {
    clearTimeout(activity.get(containerId)?.timer);
    activity.delete(containerId);
    limitCounters.delete(containerId);
    withoutExecServer.delete(containerId);
    closeChannel(containerId);
  };

  const runExec = async (containerId: string, spec: SandboxSpec, request: ExecRequest): Promise<ExecResult> => {
    await beginUse(containerId);
    try {
      const channel = await channelFor(containerId);
      const result = channel ? await runOnChannel(channel, containerId, request) : await runWithDockerExec(containerId, request);
      return withLimitNotes(result, spec, request);
    } finally {
      endUse(containerId);
    }
  };

  const openTrackedTty = async (containerId: string, ttyOptions: { cols: number; rows: number; cwd?: string }) => {
    await beginUse(containerId);
    try {
      const tty = await openTty(containerId, ttyOptions);
      tty.onExit(() => endUse(containerId));
      return tty;
    } catch (error) {
      endUse(containerId);
      throw error;
    }
  };

  /**
   * A long-lived process over its own `docker exec -i` (non-TTY, so stdout stays byte-exact and
   * apart from stderr): MCP stdio servers. One-shot ExecRequest stdin closes after writing, so it
   * cannot carry a conversation. The container counts as in use (not paused) while it runs.
   */
  const spawnProcess = async (containerId: string, request: SpawnRequest): Promise<SandboxProcess> => {
    const pidFile = `${PID_DIR}/spawn-${randomBytes(8).toString("hex")}.pgid`;
    const inner = `[ -d ${PID_DIR} ] || mkdir -p ${PID_DIR}; echo $$ > ${pidFile}; exec "$@"`;
    await beginUse(containerId);
    const { exec, stream } = await startPipedExec(
      docker.getContainer(containerId),
      ["setsid", "-w", "sh", "-c", inner, "pincer-spawn", ...request.cmd],
      request,
      true,
      "Starting a process in the sandbox",
    ).catch((error: unknown) => {
      endUse(containerId);
      throw error;
    });
    const stdoutListeners: ((chunk: Buffer) => void)[] = [];
    const stderrListeners: ((chunk: Buffer) => void)[] = [];
    const exitListeners: ((exitCode: number | null) => void)[] = [];
    let exited: { code: number | null } | null = null;
    stream.on("data", createDemuxer(
      (chunk) => stdoutListeners.forEach((listener) => listener(chunk)),
      (chunk) => stderrListeners.forEach((listener) => listener(chunk)),
    ));
    const finish = () => {
      if (exited) return;
      exited = { code: null };
      endUse(containerId);
      void exec.inspect().then((details) => details.ExitCode ?? null, () => null).then((code) => {
        if (exited) exited.code = code;
        for (const listener of exitListeners) listener(code);
      });
    };
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", finish);
    return {
      write: (data) => {
        if (!exited) stream.write(data);
      },
      onStdout: (listener) => void stdoutListeners.push(listener),
      onStderr: (listener) => void stderrListeners.push(listener),
      onExit: (listener) => {
        if (exited) listener(exited.code);
        else exitListeners.push(listener);
      },
      kill: () => {
        void runHelper(containerId, killScript(pidFile, "TERM"))
          .then(() => runHelper(containerId, killScript(pidFile, "KILL")))
          .catch(() => {});
        stream.destroy();
        finish();
      },
    };
  };

  const toSandbox = (containerId: string, spec: SandboxSpec, runtime: string | undefined): Sandbox => ({
    id: containerId,
    sessionId: spec.sessionId,
    runtime,
    workdir: WORKDIR,
    hostWorkspaceDir: spec.workspaceDir,
    exec: (request) => runExec(containerId, spec, request),
    openTty: (ttyOptions) => openTrackedTty(containerId, ttyOptions),
    spawn: (request) => spawnProcess(containerId, request),
  });

  const poolNamePrefix = `${prefix}-pool-`;
  /** Pooled containers carry no session label (labels are fixed at create); their name says it. */
  const sessionIdOf = (containerLabels: Record<string, string> | undefined, name: string) =>
    containerLabels?.[labels.session] || name.replace(/^\//, "").slice(prefix.length + 1);

  const toInfo = (info: Dockerode.ContainerInspectInfo): SandboxInfo => ({
    id: info.Id,
    sessionId: sessionIdOf(info.Config.Labels, info.Name),
    ownerId: info.Config.Labels?.[labels.owner] ?? "",
    state: stateOf(info.State),
    image: info.Config.Image,
  });

  /** The container's direct socket directory, when it is one of ours (never anything else is removed). */
  const socketDirOf = (mounts: Array<{ Destination: string; Source: string }> | undefined) => {
    const dir = mounts?.find((mount) => mount.Destination === EXEC_SOCKET_MOUNT)?.Source;
    return dir && options.execSocketDir && path.dirname(dir) === path.resolve(options.execSocketDir) ? dir : null;
  };
  const removeSocketDirOf = async (mounts: Array<{ Destination: string; Source: string }> | undefined) => {
    const dir = socketDirOf(mounts);
    if (dir) await removeExecSocketDir(dir).catch(() => undefined);
  };
  let socketDirsSwept = false;
  /** Removes socket directories left by containers that are gone (a crash, a removal behind our back). */
  const sweepSocketDirs = async () => {
    if (!options.execSocketDir) return;
    const containers = await docker.listContainers({ all: true, filters: { label: [`${labels.managed}=true`] } });
    const inUse = new Set(containers.map((container) => socketDirOf(container.Mounts)).filter((dir): dir is string => dir !== null));
    await sweepExecSocketDirs(path.resolve(options.execSocketDir), inUse);
  };

  const removeByName = async (name: string) => {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch((error: unknown) => {
        if (!isHttpError(error, 404)) throw error;
      });
  };

  // The runtime is asked of the engine once, and again after an outage (it may come back changed).
  type RuntimeChoice = RuntimeTraits & { name: string };
  let runtimeChoice: Promise<RuntimeChoice> | null = null;
  let chosenRuntime: RuntimeChoice | null = null;
  const chooseRuntime = (): Promise<RuntimeChoice> => {
    runtimeChoice ??= docker.info().then((info: { Runtimes?: Record<string, RuntimeEntry>; DefaultRuntime?: string }) => {
      const name = selectRuntime(options.runtime ?? "auto", { runtimes: Object.keys(info.Runtimes ?? {}), defaultRuntime: info.DefaultRuntime ?? "runc" }, engineAddress);
      chosenRuntime = { name, ...runtimeTraits(name, info.Runtimes?.[name]) };
      return chosenRuntime;
    });
    const choice = runtimeChoice;
    return choice.catch((error: unknown) => {
      if (runtimeChoice === choice) runtimeChoice = null;
      throw toSandboxError(error, "Asking the engine for its runtimes");
    });
  };
  const runtime = async () => (await chooseRuntime()).name;
  /** Whether a container runs under gVisor, as far as the last `docker info` tells. */
  const isGvisor = (info: Dockerode.ContainerInspectInfo) =>
    info.HostConfig.Runtime === GVISOR_RUNTIME || (info.HostConfig.Runtime === chosenRuntime?.name && chosenRuntime?.gvisor === true);

  const createContainer = async (name: string, spec: SandboxSpec, containerLabels: Record<string, string>) => {
    const { name: runtimeName, network } = await chooseRuntime();
    if (spec.network === "bridge" && !network) throw egressUnavailable(runtimeName);
    if (options.execSocketDir && !socketDirsSwept) {
      socketDirsSwept = true;
      void sweepSocketDirs().catch(() => undefined);
    }
    const socketDir = options.execSocketDir ? await createExecSocketDir(options.execSocketDir) : null;
    const container = await docker
      .createContainer({
        name,
        Image: spec.image,
        Cmd: ["sleep", "infinity"],
        User: SANDBOX_USER,
        WorkingDir: WORKDIR,
        Hostname: "sandbox",
        Env: ["HOME=/home/pincer", "LANG=C.UTF-8", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        Labels: { ...containerLabels, [labels.managed]: "true" },
        NetworkDisabled: spec.network !== "bridge",
        HostConfig: {
          Init: true,
          NetworkMode: spec.network === "bridge" ? "bridge" : "none",
          CapDrop: ["ALL"],
          SecurityOpt: ["no-new-privileges"],
          ReadonlyRootfs: true,
          Tmpfs: {
            "/tmp": "rw,nosuid,nodev,exec,size=512m,mode=1777",
            "/home/pincer": `rw,nosuid,nodev,exec,size=256m,mode=0755,uid=${SANDBOX_UID},gid=${SANDBOX_UID}`,
          },
          Mounts: [
            { Type: "bind", Source: spec.workspaceDir, Target: WORKDIR, ReadOnly: false },
            ...(socketDir ? [{ Type: "bind" as const, Source: socketDir, Target: EXEC_SOCKET_MOUNT, ReadOnly: true }] : []),
          ],
          Memory: spec.memoryBytes,
          MemorySwap: spec.memoryBytes,
          NanoCpus: spec.nanoCpus,
          PidsLimit: spec.pidsLimit,
          IpcMode: "private",
          // The engine's json-file log would keep whatever the container's main process prints.
          LogConfig: { Type: "none", Config: {} },
          Runtime: runtimeName,
        },
      })
      .catch(async (error: unknown) => {
        if (socketDir) await removeExecSocketDir(socketDir);
        throw error;
      });
    await container.start();
    return { container, runtime: runtimeName };
  };

  const poolBackend: PoolBackend<{ containerId: string; runtime: string }> = {
    async createWarm(slot, slotDir, spec) {
      try {
        const { container, runtime: runtimeName } = await createContainer(`${poolNamePrefix}${slot}`, { ...spec, sessionId: "", ownerId: "", workspaceDir: slotDir }, { [`${prefix}.pool`]: slot });
        // Open the exec server now, so a session's first command does not wait for it.
        await channelFor(container.id);
        return { containerId: container.id, runtime: runtimeName };
      } catch (error) {
        throw toSandboxError(error, "Starting a warm sandbox");
      }
    },
    async alive(warm) {
      const info = await inspectById(warm.containerId);
      return Boolean(info?.State.Running);
    },
    async adopt(warm, spec) {
      const container = docker.getContainer(warm.containerId);
      try {
        await container.rename({ name: containerName(spec.sessionId) });
      } catch (error) {
        if (!isHttpError(error, 409)) throw toSandboxError(error, "Taking a warm sandbox");
        // A container left over for this session holds the name: replace it.
        await removeByName(containerName(spec.sessionId));
        await container.rename({ name: containerName(spec.sessionId) });
      }
      return toSandbox(warm.containerId, spec, warm.runtime);
    },
    async discard(warm) {
      forget(warm.containerId);
      await removeSocketDirOf((await inspectById(warm.containerId).catch(() => null))?.Mounts);
      await docker
        .getContainer(warm.containerId)
        .remove({ force: true })
        .catch(() => undefined);
    },
    async removeStale() {
      const containers = await docker.listContainers({ all: true, filters: { label: [`${prefix}.pool`] } });
      // Only this pool's leftovers: another Pincer on the same engine keeps its warm containers.
      const poolDir = options.pool ? path.resolve(options.pool.dir) + path.sep : null;
      const unclaimed = containers.filter(
        (container) =>
          container.Names.some((name) => name.startsWith(`/${poolNamePrefix}`)) &&
          (!poolDir || (container.Mounts ?? []).some((mount) => mount.Destination === WORKDIR && mount.Source.startsWith(poolDir))),
      );
      await Promise.all(unclaimed.map((container) => docker.getContainer(container.Id).remove({ force: true })));
      await Promise.all(unclaimed.map((container) => removeSocketDirOf(container.Mounts)));
      await sweepSocketDirs().catch(() => undefined);
    },
  };
  // While the engine is away the pool waits for it instead of retrying on its own.
  const waitAfterPoolError = async (error: unknown) => {
    await new Promise((resolve) => setTimeout(resolve, POOL_RETRY_MS).unref());
    if (error instanceof SandboxError && error.code === "engine_unreachable") await health.whenReachable();
  };
  const pool = options.pool && options.pool.size > 0 ? createWarmPool(poolBackend, { afterError: waitAfterPoolError, ...options.pool }) : null;

  // Back from an outage: the engine may have restarted (warm containers stopped, runtimes changed).
  let engineState = health.current().state;
  health.onChange(({ state }) => {
    if (state === "unreachable") runtimeChoice = null;
    if (state === "ok" && engineState === "unreachable") void pool?.revalidate();
    engineState = state;
  });
  health.start();

  const createCold = async (spec: SandboxSpec): Promise<Sandbox> => {
    // The sandbox user (uid 1000) must own the workspace root to write to it.
    if (process.getuid?.() === 0) await chown(spec.workspaceDir, SANDBOX_UID, SANDBOX_UID);
    try {
      // A container left over for this session (crashed server, stopped sandbox) is replaced;
      // the workspace lives on the host and is untouched.
      await removeByName(containerName(spec.sessionId));
      const { container, runtime: runtimeName } = await createContainer(containerName(spec.sessionId), spec, { [labels.session]: spec.sessionId, [labels.owner]: spec.ownerId });
      // Start the exec server while the caller gets on with its work.
      void channelFor(container.id);
      return toSandbox(container.id, spec, runtimeName);
    } catch (error) {
      throw toSandboxError(error, "Creating the sandbox");
    }
  };

  const create = async (spec: SandboxSpec): Promise<Sandbox> => (await pool?.take(spec)) ?? createCold(spec);

  return {
    create,
    pool,
    health,
    runtime,

    async execPathOf(containerId) {
      return (await channelFor(containerId)) ? "exec-server" : "docker-exec";
    },

    async execTransportOf(containerId) {
      return (await channelFor(containerId)) ? (channelTransports.get(containerId) ?? null) : null;
    },

    async ensure(spec) {
      const info = await inspectContainer(spec.sessionId);
      if (!info) return { sandbox: await create(spec), recreated: true, reason: "the sandbox container was removed" };
      if (info.State.Running && !info.State.Paused) return { sandbox: toSandbox(info.Id, spec, info.HostConfig.Runtime), recreated: false };
      const container = docker.getContainer(info.Id);
      if (info.State.Paused) {
        const state = activityOf(info.Id);
        state.paused = false;
        await state.transition;
        await container.unpause().catch((error: unknown) => {
          // 500 "not paused": our own idle pauser thawed it meanwhile.
          if (!isHttpError(error, 500)) throw toSandboxError(error, "Resuming the sandbox");
        });
        return { sandbox: toSandbox(info.Id, spec, info.HostConfig.Runtime), recreated: false };
      }
      forget(info.Id);
      const reason =
        info.State.Status === "created"
          ? "the sandbox container had never started"
          : `the sandbox container had stopped (${describeExit(info.State, isGvisor(info))})`;
      try {
        await container.start();
        return { sandbox: toSandbox(info.Id, spec, info.HostConfig.Runtime), recreated: true, reason };
      } catch {
        // A container that cannot start again (its mount vanished, engine restarted) is replaced.
        return { sandbox: await createCold(spec), recreated: true, reason };
      }
    },

    async inspect(sessionId) {
      const info = await inspectContainer(sessionId);
      return info ? toInfo(info) : null;
    },

    async list() {
      try {
        const containers = await docker.listContainers({ all: true, filters: { label: [`${labels.managed}=true`] } });
        // Unclaimed warm containers belong to the pool, not to any session.
        return containers
          .filter((container) => !container.Names.some((name) => name.startsWith(`/${poolNamePrefix}`)))
          .map((container) => ({
            id: container.Id,
            sessionId: sessionIdOf(container.Labels, container.Names[0] ?? ""),
            ownerId: container.Labels[labels.owner] ?? "",
            state: container.State === "running" ? "running" : container.State === "paused" ? "paused" : container.State === "created" ? "created" : "exited",
            image: container.Image,
            workspaceDir: container.Mounts?.find((mount) => mount.Destination === "/workspace")?.Source,
          }));
      } catch (error) {
        throw toSandboxError(error, "Listing sandboxes");
      }
    },

    async stop(sessionId) {
      const info = await inspectContainer(sessionId);
      if (!info) return;
      forget(info.Id);
      try {
        await docker.getContainer(info.Id).stop({ t: 2 });
      } catch (error) {
        // Already stopped (304) or gone (404) is what we wanted.
        if (isHttpError(error, 304) || isHttpError(error, 404)) return;
        throw toSandboxError(error, "Stopping the sandbox");
      }
    },

    async destroy(sessionId) {
      const info = await inspectContainer(sessionId);
      if (!info) return;
      forget(info.Id);
      try {
        await docker.getContainer(info.Id).remove({ force: true });
      } catch (error) {
        if (isHttpError(error, 404)) return;
        throw toSandboxError(error, "Removing the sandbox");
      }
      await removeSocketDirOf(info.Mounts);
    },

    async stats(sessionId) {
      const info = await inspectContainer(sessionId);
      if (!info?.State.Running) return null;
      try {
        // stream=false: the engine takes two readings about a second apart, so CPU has a window.
        const sample = await docker.getContainer(info.Id).stats({ stream: false });
        const limits = { nanoCpus: info.HostConfig.NanoCpus, memoryBytes: info.HostConfig.Memory, pidsLimit: info.HostConfig.PidsLimit ?? undefined };
        return usageFromEngineStats(sample, limits, info.State.Paused ? "paused" : "running");
      } catch (error) {
        if (isHttpError(error, 404)) return null;
        throw toSandboxError(error, "Reading the sandbox's resource use");
      }
    },

    async dispose() {
      await health.stop();
      await pool?.dispose();
      for (const containerId of [...activity.keys(), ...openChannels.keys()]) forget(containerId);
    },
  };
};
