// `npm run bench`: runs every bench/*.ts that exports run(), prints one line per figure as
// `name: value unit (ratio Nx floor)` and writes bench/results.json. Ratios are against floors
// measured in the same run; a file that fails is reported and the others still run.
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

export type Figure = { name: string; value: number; unit: string; floor: string | null; ratio: number | null };

type BenchModule = { run?: () => Promise<Figure[]> };

const benchDir = import.meta.dirname;

const formatValue = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));

const main = async () => {
  const only = process.argv.slice(2);
  const files = (await readdir(benchDir))
    .filter((file) => file.endsWith(".ts") && file !== "run.ts" && !file.endsWith(".test.ts") && !file.endsWith(".d.ts"))
    .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
    .sort();
  const figures: Figure[] = [];
  const failures: string[] = [];
  for (const file of files) {
    const started = performance.now();
    try {
      const module = (await import(pathToFileURL(path.join(benchDir, file)).href)) as BenchModule;
      if (typeof module.run !== "function") continue;
      const produced = await module.run();
      figures.push(...produced);
      console.error(`(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failures.push(file);
      console.error(`${file} failed:`, error);
    }
  }

  const byName = new Map(figures.map((figure) => [figure.name, figure]));
  const results: Record<string, Omit<Figure, "name">> = {};
  for (const figure of figures) {
    const floorValue = figure.floor ? byName.get(figure.floor)?.value : undefined;
    const ratio = figure.ratio ?? (floorValue ? Math.round((figure.value / floorValue) * 100) / 100 : null);
    const note = ratio === null ? "(ratio null)" : `(ratio ${ratio}x ${figure.floor})`;
    console.log(`${figure.name}: ${formatValue(figure.value)} ${figure.unit} ${note}`);
    results[figure.name] = { value: figure.value, unit: figure.unit, floor: figure.floor, ratio };
  }
  await writeFile(path.join(benchDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  if (failures.length > 0) {
    console.error(`Failed: ${failures.join(", ")}`);
    process.exitCode = 1;
  }
  // Bench files close what they open; a stray handle must not keep the run from ending.
  process.exit();
};

await main();
