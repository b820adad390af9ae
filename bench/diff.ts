// Benchmark: the review diff of a 2,000-file change. The figure is the server's time to the file
// list plus the first file's patch (one page, as the review panel asks for it); its floor is
// `git diff --stat` over the same change in the same sandbox.
import type { Figure } from "./run";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestSandbox } from "../server/sandbox/test-sandbox";
import { getDiffPage, resolveScope } from "../server/review/review-diff";
import { initWorkspace } from "../server/workspace/init";

const RUNS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<Figure[]> {
  const root = await mkdtemp(path.join(tmpdir(), "pincer-bench-diff-"));
  const workspaceDir = path.join(root, "ws");
  const { baseCommit } = await initWorkspace(workspaceDir, { kind: "empty" });
  const env = await startTestSandbox({ workspaceDir });
  try {
    const sh = (script: string) => env.sandbox.exec({ cmd: ["sh", "-c", script], cwd: "/workspace" });
    // 1,000 modified tracked files and 1,000 new untracked ones.
    await sh("mkdir -p a b && for i in $(seq 1 1000); do seq 1 50 > a/f$i.txt; done && git add -A && git commit -qm base");
    const base = (await sh("git rev-parse HEAD")).stdout.toString().trim() || baseCommit;
    await sh("for i in $(seq 1 1000); do echo changed >> a/f$i.txt; echo new > b/n$i.txt; done");

    const scope = resolveScope({ kind: "start" }, [], base, false);
    const ours: number[] = [];
    const floor: number[] = [];
    for (let index = 0; index < RUNS; index++) {
      const started = performance.now();
      const page = await getDiffPage(env.sandbox, scope, 0);
      ours.push(performance.now() - started);
      if (page.total !== 2000 || !page.files[0]?.patch) throw new Error(`unexpected diff: ${page.total} files`);
      // The floor sees untracked files too (intent-to-add in a throwaway index), like the review diff.
      const floorStarted = performance.now();
      await sh(`tmp=$(mktemp); cp .git/index "$tmp"; GIT_INDEX_FILE="$tmp" git add -N . && GIT_INDEX_FILE="$tmp" git diff --stat ${base} >/dev/null; rm -f "$tmp"`);
      floor.push(performance.now() - floorStarted);
    }
    const value = Math.round(median(ours));
    const floorValue = Math.max(1, Math.round(median(floor)));
    return [
      { name: "diff_2000_files_ms", value, unit: "ms", floor: "git_diff_stat_2000_files_ms", ratio: Number((value / floorValue).toFixed(2)) },
      { name: "git_diff_stat_2000_files_ms", value: floorValue, unit: "ms", floor: null, ratio: null },
    ];
  } finally {
    await env.cleanup();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((results) => console.log(JSON.stringify(results, null, 2)));
}
