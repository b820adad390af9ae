import { describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs script without types
import { countPlaywright, countSuite, countVitest } from "./count-tests.mjs";

describe("count-tests", () => {
  it("counts skipped tests and files that failed to load as failures", () => {
    const report = {
      testResults: [
        { status: "passed", assertionResults: [{ status: "passed" }, { status: "skipped" }, { status: "todo" }] },
        { status: "failed", assertionResults: [] },
        { status: "failed", assertionResults: [{ status: "failed" }, { status: "passed" }] },
      ],
    };
    expect(countVitest(report)).toEqual({ passed: 2, failed: 4 });
  });

  it("counts a file once per vitest project that ran it (the sqlite and postgres runs of a database test)", () => {
    const file = "/repo/server/db.test.ts";
    const report = {
      testResults: [
        { name: file, status: "passed", assertionResults: [{ status: "passed" }, { status: "passed" }] },
        { name: file, status: "failed", assertionResults: [{ status: "passed" }, { status: "failed" }] },
      ],
    };
    expect(countVitest(report)).toEqual({ passed: 3, failed: 1 });
  });

  it("reads playwright stats and errors outside tests", () => {
    expect(countPlaywright({ stats: { expected: 3, flaky: 1, unexpected: 1, skipped: 1 }, errors: [] })).toEqual({ passed: 4, failed: 2 });
    expect(countPlaywright({ stats: { expected: 0, unexpected: 0, skipped: 0 }, errors: [{ message: "webServer" }] })).toEqual({ passed: 0, failed: 1 });
  });

  it("counts a suite without a report as one failure", () => {
    expect(countSuite("vitest", "/nonexistent/report.json", 1)).toEqual({ passed: 0, failed: 1 });
  });

  it("counts a report-less check (the type check) by its exit code", () => {
    expect(countSuite("typecheck", "-", 0)).toEqual({ passed: 1, failed: 0 });
    expect(countSuite("typecheck", "-", 2)).toEqual({ passed: 0, failed: 1 });
  });
});
