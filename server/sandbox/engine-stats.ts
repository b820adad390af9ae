// Turns one sample of the Docker Engine's container stats (GET /containers/{id}/stats?stream=false)
// into the figures the session panel shows, the way `docker stats` computes them, for cgroup v1
// and v2 engines alike. Pure: docker.ts fetches the sample.
import type { SandboxStats } from "./sandbox";

type CpuSample = { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };

/** The fields of the engine's stats document this module reads (a subset of dockerode's type). */
export type EngineStatsSample = {
  cpu_stats?: CpuSample;
  precpu_stats?: CpuSample;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
  pids_stats?: { current?: number; limit?: number };
};

/** The limits the container was created with (inspect's HostConfig), for what the engine omits. */
export type ContainerLimits = { nanoCpus?: number; memoryBytes?: number; pidsLimit?: number };

/**
 * CPU in % of one core over the engine's sampling window (200 = two cores busy); 0 when the
 * window is empty (a container's first sample has no previous one).
 */
const cpuPercent = (sample: EngineStatsSample) => {
  const now = sample.cpu_stats;
  const before = sample.precpu_stats;
  const cpuDelta = (now?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (now?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  if (!before?.system_cpu_usage || cpuDelta <= 0 || systemDelta <= 0) return 0;
  const cores = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  return (cpuDelta / systemDelta) * cores * 100;
};

/**
 * Memory in use without the reclaimable page cache, as `docker stats` shows it: cgroup v1 reports
 * total_inactive_file, v2 inactive_file. Files on the sandbox's tmpfs are shared memory, not
 * page cache, so they count.
 */
const memoryInUse = (memory: NonNullable<EngineStatsSample["memory_stats"]>) => {
  const usage = memory.usage ?? 0;
  const stats = memory.stats ?? {};
  const inactiveFile = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  return inactiveFile < usage ? usage - inactiveFile : usage;
};

/** A limit the engine reports as "unlimited" (0, or a huge number on cgroup v1) means none. */
const realLimit = (value: number | undefined) => (value && value > 0 && value < 2 ** 62 ? value : null);

export const usageFromEngineStats = (sample: EngineStatsSample, limits: ContainerLimits, state: SandboxStats["state"]): SandboxStats => ({
  state,
  cpuPercent: Math.round(cpuPercent(sample) * 10) / 10,
  cpuLimit: limits.nanoCpus ? limits.nanoCpus / 1e9 : null,
  memoryBytes: sample.memory_stats ? memoryInUse(sample.memory_stats) : 0,
  memoryLimitBytes: realLimit(limits.memoryBytes) ?? realLimit(sample.memory_stats?.limit),
  pids: sample.pids_stats?.current ?? 0,
  pidsLimit: realLimit(limits.pidsLimit) ?? realLimit(sample.pids_stats?.limit),
});
