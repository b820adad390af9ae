// The warm pool: N containers started ahead of time, each with its own empty host directory bound
// at /workspace. A new session takes one: its freshly initialised workspace is moved INTO the
// slot's directory and that directory is renamed to the session's workspace path. Renames keep
// the inode, so the running container's bind mount now shows the session's files and the session
// keeps the path it always had. The pool refills itself in the background.
import { mkdir, readdir, readFile, rename, rm, rmdir, unlink, writeFile, chown } from "node:fs/promises";
import { cpus } from "node:os";
import path from "node:path";
import type { Sandbox, SandboxSpec } from "./sandbox";

/** The spec fields a pooled container is created with; a session asking for others starts cold. */
export type PoolSpec = Omit<SandboxSpec, "sessionId" | "ownerId" | "workspaceDir">;

export type PoolOptions = {
  /** Warm containers to keep; 0 disables the pool. */
  size: number;
  /** Host directory for the slots' workspaces; must be on the same filesystem as the workspaces. */
  dir: string;
  spec: PoolSpec;
  /**
   * Waits after a container failed to start, before the next try (default: 5 s). The driver waits
   * for the engine to answer again when it is unreachable, so an outage costs no retries.
   */
  afterError?: (error: unknown) => Promise<void>;
};

/** What the pool needs from a driver (docker.ts implements it; the pool never talks to an engine). */
export type PoolBackend<Warm> = {
  /** Create and start a container whose /workspace is slotDir, with its exec path ready. */
  createWarm(slot: string, slotDir: string, spec: PoolSpec): Promise<Warm>;
  /** Hand a warm container to a session (rename it); its /workspace already shows spec.workspaceDir. */
  adopt(warm: Warm, spec: SandboxSpec): Promise<Sandbox>;
  discard(warm: Warm): Promise<void>;
  /** Whether a warm container still runs (an engine restart stops them). */
  alive(warm: Warm): Promise<boolean>;
  /** Remove unclaimed pool containers a previous server process left behind. */
  removeStale(): Promise<void>;
};

export type WarmPool = {
  readonly size: number;
  /** A warm sandbox for the spec, or null (pool empty or spec differs): start one cold then. */
  take(spec: SandboxSpec): Promise<Sandbox | null>;
  /** Resolves when every slot is warm (tests and benchmarks wait for this). */
  full(): Promise<void>;
  /** Drops warm containers that no longer run and refills (after the engine was away). */
  revalidate(): Promise<void>;
  /** Stop refilling and remove the warm containers. */
  dispose(): Promise<void>;
};

/** Default size: one warm container per core, at most 4 (each idles at ~10 MB). */
export const defaultPoolSize = () => Math.min(4, Math.max(1, cpus().length));

const RETRY_AFTER_ERROR_MS = 5_000;
const SANDBOX_UID = 1000;

const sameSpec = (a: PoolSpec, b: SandboxSpec) =>
  a.image === b.image && a.network === b.network && a.memoryBytes === b.memoryBytes && a.nanoCpus === b.nanoCpus && a.pidsLimit === b.pidsLimit;

export const createWarmPool = <Warm>(backend: PoolBackend<Warm>, options: PoolOptions): WarmPool => {
  const warm: { slot: string; slotDir: string; handle: Warm }[] = [];
  let filling = false;
  let disposed = false;
  let counter = 0;
  let waiters: (() => void)[] = [];
  let lastWarning = "";
  let onDispose: () => void = () => {};
  const disposal = new Promise<void>((resolve) => (onDispose = resolve));
  const waitAfterError = (error: unknown) =>
    Promise.race([options.afterError ? options.afterError(error) : new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_ERROR_MS).unref()), disposal]);
  const claimFile = (slot: string) => path.join(options.dir, `${slot}.claim`);

  // A claim interrupted by a crash leaves the session's files in a slot directory and a .claim
  // file naming where they belong: put them back before clearing the pool's leftovers.
  const start = (async () => {
    await mkdir(options.dir, { recursive: true });
    for (const entry of await readdir(options.dir)) {
      if (!entry.endsWith(".claim")) continue;
      const slotDir = path.join(options.dir, entry.slice(0, -".claim".length));
      const target = (await readFile(path.join(options.dir, entry), "utf8")).trim();
      await mkdir(target, { recursive: true });
      await moveEntries(slotDir, target);
      await unlink(path.join(options.dir, entry));
    }
    await backend.removeStale().catch((error: unknown) => {
      console.warn(`Warm pool: could not remove containers left by an earlier run (${error instanceof Error ? error.message : String(error)}).`);
    });
    await rm(options.dir, { recursive: true, force: true });
    await mkdir(options.dir, { recursive: true });
  })().catch((error: unknown) => {
    console.warn(`Warm pool: could not prepare ${options.dir} (${error instanceof Error ? error.message : String(error)}).`);
  });

  const notify = () => {
    if (warm.length < options.size) return;
    const pending = waiters;
    waiters = [];
    for (const resolve of pending) resolve();
  };

  const fill = async () => {
    if (filling || disposed) return;
    filling = true;
    try {
      await start;
      while (!disposed && warm.length < options.size) {
        const slot = `${Date.now().toString(36)}${(counter++).toString(36)}`;
        const slotDir = path.join(options.dir, slot);
        try {
          await mkdir(slotDir);
          if (process.getuid?.() === 0) await chown(slotDir, SANDBOX_UID, SANDBOX_UID);
          const handle = await backend.createWarm(slot, slotDir, options.spec);
          if (disposed) {
            await backend.discard(handle);
            return;
          }
          warm.push({ slot, slotDir, handle });
          lastWarning = "";
          notify();
        } catch (error) {
          // The engine is down or the image is missing: sessions start cold meanwhile. The same
          // failure is logged once, not on every retry.
          const message = error instanceof Error ? error.message : String(error);
          if (message !== lastWarning) console.warn(`Warm pool: could not start a container (${message}); will retry.`);
          lastWarning = message;
          await rm(slotDir, { recursive: true, force: true });
          await waitAfterError(error);
        }
      }
    } finally {
      filling = false;
    }
  };

  if (options.size > 0) void fill();

  return {
    size: options.size,

    async take(spec) {
      if (disposed || options.size === 0 || !sameSpec(options.spec, spec)) return null;
      const entry = warm.shift();
      if (!entry) {
        void fill();
        return null;
      }
      void fill();
      try {
        await writeFile(claimFile(entry.slot), spec.workspaceDir);
        await moveEntries(spec.workspaceDir, entry.slotDir);
        await rmdir(spec.workspaceDir).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        });
        await mkdir(path.dirname(spec.workspaceDir), { recursive: true });
        await rename(entry.slotDir, spec.workspaceDir);
        await unlink(claimFile(entry.slot));
      } catch (error) {
        // Put the files back where the session expects them and start this one cold.
        await mkdir(spec.workspaceDir, { recursive: true }).catch(() => undefined);
        await moveEntries(entry.slotDir, spec.workspaceDir).catch(() => undefined);
        await unlink(claimFile(entry.slot)).catch(() => undefined);
        await backend.discard(entry.handle).catch(() => undefined);
        console.warn(`Warm pool: could not hand a slot to session ${spec.sessionId} (${error instanceof Error ? error.message : String(error)}); starting it cold.`);
        return null;
      }
      return backend.adopt(entry.handle, spec);
    },

    full() {
      if (options.size === 0 || warm.length >= options.size) return Promise.resolve();
      void fill();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },

    async revalidate() {
      for (const entry of [...warm]) {
        if (await backend.alive(entry.handle).catch(() => false)) continue;
        const index = warm.indexOf(entry);
        if (index < 0) continue; // taken meanwhile
        warm.splice(index, 1);
        await backend.discard(entry.handle).catch(() => undefined);
        await rm(entry.slotDir, { recursive: true, force: true });
      }
      void fill();
    },

    async dispose() {
      disposed = true;
      onDispose();
      const entries = warm.splice(0);
      await Promise.all(entries.map((entry) => backend.discard(entry.handle).catch(() => undefined)));
      await rm(options.dir, { recursive: true, force: true });
      const pending = waiters;
      waiters = [];
      for (const resolve of pending) resolve();
    },
  };
};

/** Moves every entry of `from` into `to` (same filesystem: renames, no copying). */
const moveEntries = async (from: string, to: string) => {
  const entries = await readdir(from).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  for (const entry of entries) await rename(path.join(from, entry), path.join(to, entry));
};
