// The Docker implementation of SandboxDriver: one hardened, long-lived container per session with
// the workspace bind-mounted at /workspace. The only module that imports dockerode.
import { randomBytes } from "node:crypto";
import { chown } from "node:fs/promises";
import type { Duplex } from "node:stream";
import Dockerode from "dockerode";
import {
  SandboxError,
  type ExecRequest,
  type ExecResult,
  type Sandbox,
  type SandboxDriver,
  type SandboxInfo,
  type SandboxSpec,
  type TtyStream,
} from "./sandbox";

const WORKDIR = "/workspace";
const SANDBOX_UID = 1000;
const SANDBOX_USER = `${SANDBOX_UID}:${SANDBOX_UID}`;
/** Where exec wrappers record their process group id, so a second exec can kill the group. */
const PID_DIR = "/tmp/.pincer";
/** ExecResult keeps this much of the head and of the tail of each stream; callbacks see it all. */
const KEEP_HEAD_BYTES = 1024 * 1024;
const KEEP_TAIL_BYTES = 1024 * 1024;
/** Between SIGTERM to the process group and SIGKILL. */
const KILL_GRACE_MS = 1000;

export type DockerDriverOptions = {
  docker?: Dockerode;
  /** Prefix for container names and labels; tests use their own to stay apart. Default "pincer". */
  labelPrefix?: string;
  /** OCI runtime, e.g. "runsc" for gVisor. Default: the engine's default (runc). */
  runtime?: string;
};

type HttpError = Error & { statusCode?: number; code?: string; json?: { message?: string } };

const isHttpError = (error: unknown, status: number) =>
  error instanceof Error && (error as HttpError).statusCode === status;

const engineErrorCodes = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"]);

/** Turns dockerode's errors into SandboxErrors with a message a user can act on. */
const toSandboxError = (error: unknown, what: string): Error => {
  if (error instanceof SandboxError) return error;
  if (!(error instanceof Error)) return new SandboxError("exec_failed", `${what} failed: ${String(error)}`);
  const httpError = error as HttpError;
  if (httpError.code && engineErrorCodes.has(httpError.code)) {
    const where = process.env.DOCKER_HOST ?? "/var/run/docker.sock";
    return new SandboxError(
      "engine_unreachable",
      `Cannot reach the Docker engine at ${where} (${httpError.code}). Is dockerd running and is this server allowed to use it?`,
      { cause: error },
    );
  }
  const detail = httpError.json?.message ?? error.message;
  if (httpError.statusCode === 404) return new SandboxError("not_found", `${what}: the sandbox container is gone (${detail})`, { cause: error });
  if (httpError.statusCode === 409) return new SandboxError("died", `${what}: the sandbox container is not running (${detail})`, { cause: error });
  return new SandboxError("exec_failed", `${what} failed: ${detail}`, { cause: error });
};

/** Keeps the first and last bytes of a stream, so 100 MB of output costs at most 2 MiB here. */
class BoundedBytes {
  private readonly head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private total = 0;

  push(chunk: Buffer) {
    this.total += chunk.length;
    const headRoom = KEEP_HEAD_BYTES - this.headSize;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.head.push(part);
      this.headSize += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailSize += chunk.length;
    if (this.tailSize > KEEP_TAIL_BYTES * 2) this.compactTail();
  }

  private compactTail() {
    const joined = Buffer.concat(this.tail);
    const kept = joined.subarray(joined.length - KEEP_TAIL_BYTES);
    this.tail = [Buffer.from(kept)];
    this.tailSize = kept.length;
  }

  toBuffer(): Buffer {
    if (this.tailSize > KEEP_TAIL_BYTES) this.compactTail();
    const kept = this.headSize + this.tailSize;
    if (kept === this.total) return Buffer.concat([...this.head, ...this.tail]);
    const note = Buffer.from(`\n[... ${this.total - kept} bytes cut ...]\n`);
    return Buffer.concat([...this.head, note, ...this.tail]);
  }
}

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
 * session. Builtins only (read, kill, /proc globbing), so it still works when the command has used
 * up the container's pids limit.
 */
const killScript = (pidFile: string, signal: "HUP" | "TERM" | "KILL") => `
read -r p < "${pidFile}" 2>/dev/null || exit 0
[[ $p =~ ^[0-9]+$ ]] || exit 0
pids=()
for f in /proc/[0-9]*/stat; do
  read -r line < "$f" 2>/dev/null || continue
  set -f
  set -- \${line##*) }
  [[ $3 == "$p" || $4 == "$p" ]] && pids+=("\${f:6:-5}")
done
[ \${#pids[@]} -gt 0 ] && kill -s ${signal} -- "\${pids[@]}" 2>/dev/null
exit 0`;

const describeExit = (state: Dockerode.ContainerInspectInfo["State"]) => {
  const parts = [`exit code ${state.ExitCode}`];
  if (state.OOMKilled) parts.push("OOM killed");
  if (state.Error) parts.push(state.Error);
  return parts.join(", ");
};

const stateOf = (state: Dockerode.ContainerInspectInfo["State"]): SandboxInfo["state"] => {
  if (state.Paused) return "paused";
  if (state.Running) return "running";
  if (state.Status === "created") return "created";
  return "exited";
};

export const createDockerDriver = (options: DockerDriverOptions = {}): SandboxDriver => {
  const docker = options.docker ?? new Dockerode();
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

  /** Runs a short helper command in the container (kills, cleanup), output discarded. */
  const runHelper = async (containerId: string, script: string) => {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: ["bash", "-c", script],
      User: SANDBOX_USER,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({})) as unknown as NodeJS.ReadableStream;
    await new Promise<void>((resolve) => {
      stream.on("data", () => {});
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    const { ExitCode } = await exec.inspect();
    if (ExitCode !== 0) throw new SandboxError("exec_failed", `A helper command in the sandbox failed (exit code ${ExitCode}).`);
  };

  const runExec = async (containerId: string, request: ExecRequest): Promise<ExecResult> => {
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

    let exec: Dockerode.Exec;
    let stream: Duplex;
    try {
      exec = await container.exec({
        Cmd: ["sh", "-c", wrapper, "pincer-exec", ...request.cmd],
        User: SANDBOX_USER,
        WorkingDir: request.cwd ?? WORKDIR,
        Env: Object.entries(request.env ?? {}).map(([key, value]) => `${key}=${value}`),
        AttachStdin: hasStdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      stream = (await exec.start({ hijack: hasStdin, stdin: hasStdin })) as unknown as Duplex;
    } catch (error) {
      throw toSandboxError(error, "Running a command in the sandbox");
    }

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
          throw new SandboxError("died", `The sandbox container stopped while the command was running (${describeExit(info.State)}).`);
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
      throw toSandboxError(error, "Opening a terminal in the sandbox");
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

  const toSandbox = (containerId: string, spec: SandboxSpec): Sandbox => ({
    id: containerId,
    sessionId: spec.sessionId,
    workdir: WORKDIR,
    hostWorkspaceDir: spec.workspaceDir,
    exec: (request) => runExec(containerId, request),
    openTty: (options) => openTty(containerId, options),
  });

  const toInfo = (info: Dockerode.ContainerInspectInfo): SandboxInfo => ({
    id: info.Id,
    sessionId: info.Config.Labels?.[labels.session] ?? "",
    ownerId: info.Config.Labels?.[labels.owner] ?? "",
    state: stateOf(info.State),
    image: info.Config.Image,
  });

  const create = async (spec: SandboxSpec): Promise<Sandbox> => {
    // The sandbox user (uid 1000) must own the workspace root to write to it.
    if (process.getuid?.() === 0) await chown(spec.workspaceDir, SANDBOX_UID, SANDBOX_UID);
    try {
      // A container left over for this session (crashed server, stopped sandbox) is replaced;
      // the workspace lives on the host and is untouched.
      await docker
        .getContainer(containerName(spec.sessionId))
        .remove({ force: true })
        .catch((error: unknown) => {
          if (!isHttpError(error, 404)) throw error;
        });
      const container = await docker.createContainer({
        name: containerName(spec.sessionId),
        Image: spec.image,
        Cmd: ["sleep", "infinity"],
        User: SANDBOX_USER,
        WorkingDir: WORKDIR,
        Hostname: "sandbox",
        Env: ["HOME=/home/pincer", "LANG=C.UTF-8", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        Labels: { [labels.session]: spec.sessionId, [labels.owner]: spec.ownerId, [labels.managed]: "true" },
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
          Mounts: [{ Type: "bind", Source: spec.workspaceDir, Target: WORKDIR, ReadOnly: false }],
          Memory: spec.memoryBytes,
          MemorySwap: spec.memoryBytes,
          NanoCpus: spec.nanoCpus,
          PidsLimit: spec.pidsLimit,
          IpcMode: "private",
          ...(options.runtime ? { Runtime: options.runtime } : {}),
        },
      });
      await container.start();
      return toSandbox(container.id, spec);
    } catch (error) {
      throw toSandboxError(error, "Creating the sandbox");
    }
  };

  return {
    create,

    async ensure(spec) {
      const info = await inspectContainer(spec.sessionId);
      if (!info) return { sandbox: await create(spec), recreated: true, reason: "the sandbox container was removed" };
      if (info.State.Running && !info.State.Paused) return { sandbox: toSandbox(info.Id, spec), recreated: false };
      const container = docker.getContainer(info.Id);
      if (info.State.Paused) {
        await container.unpause().catch((error: unknown) => {
          throw toSandboxError(error, "Resuming the sandbox");
        });
        return { sandbox: toSandbox(info.Id, spec), recreated: false };
      }
      const reason =
        info.State.Status === "created"
          ? "the sandbox container had never started"
          : `the sandbox container had stopped (${describeExit(info.State)})`;
      try {
        await container.start();
        return { sandbox: toSandbox(info.Id, spec), recreated: true, reason };
      } catch {
        // A container that cannot start again (its mount vanished, engine restarted) is replaced.
        return { sandbox: await create(spec), recreated: true, reason };
      }
    },

    async inspect(sessionId) {
      const info = await inspectContainer(sessionId);
      return info ? toInfo(info) : null;
    },

    async list() {
      try {
        const containers = await docker.listContainers({ all: true, filters: { label: [`${labels.managed}=true`] } });
        return containers.map((container) => ({
          id: container.Id,
          sessionId: container.Labels[labels.session] ?? "",
          ownerId: container.Labels[labels.owner] ?? "",
          state: container.State === "running" ? "running" : container.State === "paused" ? "paused" : container.State === "created" ? "created" : "exited",
          image: container.Image,
        }));
      } catch (error) {
        throw toSandboxError(error, "Listing sandboxes");
      }
    },

    async stop(sessionId) {
      try {
        await docker.getContainer(containerName(sessionId)).stop({ t: 2 });
      } catch (error) {
        // Already stopped (304) or gone (404) is what we wanted.
        if (isHttpError(error, 304) || isHttpError(error, 404)) return;
        throw toSandboxError(error, "Stopping the sandbox");
      }
    },

    async destroy(sessionId) {
      try {
        await docker.getContainer(containerName(sessionId)).remove({ force: true });
      } catch (error) {
        if (isHttpError(error, 404)) return;
        throw toSandboxError(error, "Removing the sandbox");
      }
    },
  };
};
