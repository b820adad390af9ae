import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { conformanceCommand, loadEditCases, runEditConformance } from "./conformance";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const repoCopy = path.join(repoRoot, "test-support/conformance/edit_cases.json");
// CI lays shared/ beside the repository; the copy in the repo keeps the test independent of it.
const sharedCases = path.resolve(repoRoot, "../shared/conformance/edit_cases.json");

const runCommand = async (args: string[]) => {
  const lines: string[] = [];
  const code = await conformanceCommand(args, (line) => lines.push(line));
  return { code, lines };
};

describe("pincer conformance edit", () => {
  it("passes every case of the repository's copy of the cases", async () => {
    const { code, lines } = await runCommand(["edit", repoCopy]);
    expect(lines).toEqual(["edit conformance: 71/71 passed (anthropic flavour)"]);
    expect(code).toBe(0);
  });

  it.runIf(existsSync(sharedCases))("passes every anthropic-flavour case of shared/conformance/edit_cases.json", async () => {
    const { code, lines } = await runCommand(["edit", sharedCases]);
    expect(lines.at(-1)).toMatch(/^edit conformance: (\d+)\/\1 passed \(anthropic flavour\)$/);
    expect(code).toBe(0);
  });

  it("reports a failing case on its own line and exits non-zero", async () => {
    const cases = await loadEditCases(repoCopy);
    const broken = cases
      .filter((editCase) => editCase.id === "q-str-replace" || editCase.id === "q-create")
      .map((editCase) => (editCase.id === "q-create" ? { ...editCase, expected_file_after: "something else" } : editCase));
    const { results, passed, total, ok } = await runEditConformance(broken);
    expect({ passed, total, ok }).toEqual({ passed: 1, total: 2, ok: false });
    expect(results.find((result) => result.status === "failed")?.reason).toMatch(/file after is "New file content"/);
  });

  it("prints usage for a wrong invocation", async () => {
    expect(await runCommand(["nonsense"])).toEqual({ code: 2, lines: ["usage: pincer conformance edit <cases.json> [--verbose]"] });
  });
});
