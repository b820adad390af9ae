// Decision time per bash command over the permission test table, after the parser has loaded:
// p50 and p99 in milliseconds (target p99 < 2 ms).
import { fileURLToPath } from "node:url";
import path from "node:path";
import { BASH_CASES } from "../server/permissions/cases";
import { createPermissionChecker, type PermissionChecker } from "../server/permissions/checker";
import { localTeamSource } from "../server/permissions/team-policy";

export type BenchResult = { name: string; value: number; unit: string; floor: string | null; ratio: number | null };

const ROUNDS = 20;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function run(): Promise<BenchResult[]> {
  // Checkers are built (rules compiled, parser loaded) before timing: the figure is the decision.
  const cases: Array<{ checker: PermissionChecker; command: string; cwd?: string }> = [];
  for (const entry of BASH_CASES) {
    cases.push({
      command: entry.command,
      cwd: entry.cwd,
      checker: await createPermissionChecker({
        rules: { sources: [localTeamSource("bench"), { name: "session", origin: "bench", allow: entry.allow ?? [], ask: entry.ask ?? [], deny: entry.deny ?? [] }] },
        mode: entry.mode ?? "default",
        workspaceRoot: "/workspace",
      }),
    });
  }
  const timings: number[] = [];
  for (let round = 0; round < ROUNDS + 2; round++) {
    for (const { checker, command, cwd } of cases) {
      const started = performance.now();
      checker.check("Bash", { command }, { cwd });
      const elapsed = performance.now() - started;
      // The first two rounds warm the JIT and are not counted.
      if (round >= 2) timings.push(elapsed);
    }
  }
  timings.sort((a, b) => a - b);
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  return [
    { name: "permission_decision_ms_p50", value: round3(percentile(timings, 50)), unit: "ms", floor: null, ratio: null },
    { name: "permission_decision_ms_p99", value: round3(percentile(timings, 99)), unit: "ms", floor: null, ratio: null },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const result of await run()) console.log(`${result.name}: ${result.value} ${result.unit} (ratio ${result.ratio})`);
}
