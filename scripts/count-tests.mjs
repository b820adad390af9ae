// Sums test results across suites for `./pincer test` and prints one last line "N passed, N failed".
// Arguments: name:reportPath:exitCode per suite (reportPath "-" for a single pass/fail check). Skipped tests count as failures; a suite that
// crashed without a report, or exited non-zero with nothing failed in it, counts one failure.
import { existsSync, readFileSync } from "node:fs";

const SKIPPED = new Set(["skipped", "pending", "todo", "disabled"]);

/** vitest's json reporter (jest-compatible): per file, the assertion results. */
export function countVitest(report) {
  let passed = 0;
  let failed = 0;
  for (const file of report.testResults ?? []) {
    const results = file.assertionResults ?? [];
    for (const test of results) {
      if (test.status === "passed") passed++;
      else if (test.status === "failed" || SKIPPED.has(test.status)) failed++;
    }
    // A file that failed to load has no failed test of its own.
    if (file.status === "failed" && !results.some((test) => test.status === "failed")) failed++;
  }
  return { passed, failed };
}

/** Playwright's json reporter: stats, plus errors outside any test (e.g. a webServer that never came up). */
export function countPlaywright(report) {
  const stats = report.stats ?? {};
  const passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
  let failed = (stats.unexpected ?? 0) + (stats.skipped ?? 0);
  if ((report.errors ?? []).length > 0 && failed === 0) failed = 1;
  return { passed, failed };
}

export function countSuite(name, reportPath, exitCode) {
  // A check without a report (the type check): one result, decided by its exit code.
  if (reportPath === "-") return exitCode === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  if (!existsSync(reportPath)) {
    console.error(`pincer: ${name} produced no report (exit code ${exitCode}): counted as 1 failure`);
    return { passed: 0, failed: 1 };
  }
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  const counts = name === "playwright" ? countPlaywright(report) : countVitest(report);
  if (exitCode !== 0 && counts.failed === 0) {
    console.error(`pincer: ${name} exited with ${exitCode} without a failing test: counted as 1 failure`);
    return { passed: counts.passed, failed: 1 };
  }
  return counts;
}

function main(args) {
  let passed = 0;
  let failed = 0;
  for (const arg of args) {
    const first = arg.indexOf(":");
    const last = arg.lastIndexOf(":");
    const name = arg.slice(0, first);
    const counts = countSuite(name, arg.slice(first + 1, last), Number(arg.slice(last + 1)));
    console.error(`pincer: ${name}: ${counts.passed} passed, ${counts.failed} failed`);
    passed += counts.passed;
    failed += counts.failed;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.slice(2)));
