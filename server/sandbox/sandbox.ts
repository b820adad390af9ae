// The SandboxDriver seam: everything that runs "inside the session's sandbox" goes through this
// interface. docker.ts is the only implementation today and the only module importing dockerode.
import type { EngineHealth } from "./engine-health";

export type SandboxSpec = {
  sessionId: string;
  ownerId: string;
  /** Host directory holding the workspace; mounted at /workspace in the sandbox. */
  workspaceDir: string;
  image: string;
  /** Egress: "none" (default) or "bridge". */
  network: "none" | "bridge";
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
};

export type SandboxInfo = {
  id: string;
  sessionId: string;
  ownerId: string;
  state: "running" | "paused" | "exited" | "missing" | "created";
  image: string;
  /** The host directory mounted as the workspace (tells which Pincer install a sandbox belongs to). */
  workspaceDir?: string;
};

/** A running sandbox's resource use, as the engine measures it (the session's side panel). */
export type SandboxStats = {
  state: "running" | "paused";
  /** CPU over the engine's last sampling window, in % of one core (200 = two cores busy). */
  cpuPercent: number;
  /** How many cores the sandbox may use; null without a limit. */
  cpuLimit: number | null;
  /** Memory in use, page cache that can be reclaimed left out (as `docker stats` shows it). */
  memoryBytes: number;
  memoryLimitBytes: number | null;
  pids: number;
  pidsLimit: number | null;
};

export type ExecRequest = {
  /** argv, run directly (no shell unless argv asks for one). */
  cmd: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Fed to the process, then stdin closes. Without it stdin is closed at once. */
  stdin?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
};

export type ExecResult = {
  exitCode: number | null;
  /** Output is also kept (bounded) here; the callbacks see every byte. */
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Set when the command ran into the sandbox's memory or process limit (stderr says so too). */
  limitHit?: "memory" | "pids";
};

export interface TtyStream {
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  onExit(listener: () => void): void;
  close(): void;
}

/** A long-lived process with open stdin/stdout (an MCP stdio server), not a one-shot command. */
export type SpawnRequest = { cmd: string[]; cwd?: string; env?: Record<string, string> };

export interface SandboxProcess {
  write(data: string | Buffer): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  /** Called once when the process ends or its stream is lost (exitCode null when unknown). */
  onExit(listener: (exitCode: number | null) => void): void;
  /** Kills the process (and its process group) and closes the stream. */
  kill(): void;
}

export interface Sandbox {
  readonly id: string;
  readonly sessionId: string;
  /** Workspace path inside the sandbox. */
  readonly workdir: string;
  /** The same workspace on the host (for fast, symlink-safe host-side file access). */
  readonly hostWorkspaceDir: string;
  /** The OCI runtime the container runs under ("runc", "runsc"), where the driver knows it. */
  readonly runtime?: string;
  exec(request: ExecRequest): Promise<ExecResult>;
  openTty(options: { cols: number; rows: number; cwd?: string }): Promise<TtyStream>;
  /** Starts a long-lived process with streaming stdin/stdout (optional: fakes may leave it out). */
  spawn?(request: SpawnRequest): Promise<SandboxProcess>;
}

export interface SandboxDriver {
  /** Create and start a new sandbox for the spec. */
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Find the session's sandbox; recreate it (same workspace) when it died or was removed. */
  ensure(spec: SandboxSpec): Promise<{ sandbox: Sandbox; recreated: boolean; reason?: string }>;
  inspect(sessionId: string): Promise<SandboxInfo | null>;
  list(): Promise<SandboxInfo[]>;
  stop(sessionId: string): Promise<void>;
  destroy(sessionId: string): Promise<void>;
  /** Whether the engine answers (drivers that watch it; the UI shows it as a banner). */
  readonly health?: EngineHealth;
  /** The session's sandbox's resource use now; null when it has no running (or paused) sandbox. */
  stats(sessionId: string): Promise<SandboxStats | null>;
}

/** Raised when the engine cannot be reached or the sandbox is gone; message is user-facing. */
export class SandboxError extends Error {
  readonly code: "engine_unreachable" | "not_found" | "died" | "exec_failed" | "runtime_unavailable";
  /** True when the failure came before the command started (so running it again is safe). */
  readonly beforeStart: boolean;
  constructor(code: SandboxError["code"], message: string, options?: { cause?: unknown; beforeStart?: boolean }) {
    super(message, options);
    this.name = "SandboxError";
    this.code = code;
    this.beforeStart = options?.beforeStart ?? false;
  }
}
