import { describe, expect, it } from "vitest";
import { usageFromEngineStats, type EngineStatsSample } from "./engine-stats";

const cpu = (total: number, system: number, cores = 2) => ({ cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: cores });

describe("usage from the engine's stats", () => {
  it("computes CPU over the sampling window in % of one core, as docker stats does", () => {
    // 0.5 s of CPU while the host's 2 cores ran 2 s in all (1 s of wall time): half a core.
    const sample: EngineStatsSample = { cpu_stats: cpu(1.5e9, 12e9), precpu_stats: cpu(1e9, 10e9) };
    expect(usageFromEngineStats(sample, { nanoCpus: 1e9 }, "running")).toMatchObject({ cpuPercent: 50, cpuLimit: 1 });
  });

  it("reports 0% CPU for a first sample, which has no previous reading", () => {
    const sample: EngineStatsSample = { cpu_stats: cpu(1.5e9, 12e9), precpu_stats: { cpu_usage: { total_usage: 0 } } };
    expect(usageFromEngineStats(sample, {}, "running").cpuPercent).toBe(0);
  });

  it("leaves reclaimable page cache out of memory: total_inactive_file on cgroup v1, inactive_file on v2", () => {
    const v1 = usageFromEngineStats({ memory_stats: { usage: 300, limit: 1000, stats: { total_inactive_file: 100, inactive_file: 7 } } }, {}, "running");
    const v2 = usageFromEngineStats({ memory_stats: { usage: 300, limit: 1000, stats: { inactive_file: 50 } } }, {}, "running");
    expect([v1.memoryBytes, v2.memoryBytes]).toEqual([200, 250]);
    expect(v1.memoryLimitBytes).toBe(1000);
  });

  it("takes limits from the container's settings, and reads the engine's 'unlimited' as none", () => {
    const sample: EngineStatsSample = { memory_stats: { usage: 10, limit: 2 ** 63 - 1 }, pids_stats: { current: 4, limit: 0 } };
    expect(usageFromEngineStats(sample, {}, "paused")).toMatchObject({ state: "paused", memoryLimitBytes: null, pids: 4, pidsLimit: null, cpuLimit: null });
    expect(usageFromEngineStats(sample, { memoryBytes: 512, pidsLimit: 64, nanoCpus: 5e8 }, "running")).toMatchObject({ memoryLimitBytes: 512, pidsLimit: 64, cpuLimit: 0.5 });
  });
});
