// `npx pincer conformance edit <cases.json>`: runs the text-editor contract's cases (the format of
// shared/conformance/edit_cases.json) against the real str_replace_based_edit_tool, one temp
// workspace per case. The cases were written for an editor that sees the whole filesystem; Pincer's
// sees /workspace, so every absolute path in a case is taken relative to the case's workspace.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox";
import { createSessionToolState } from "../tools/session-state";
import { textEditorTool } from "../tools/text-editor";
import { ToolError, type ToolContext } from "../tools/tool";
import { SANDBOX_WORKDIR } from "../workspace/paths";

const stepSchema = z.union([
  z.object({ mkdir_tree: z.record(z.string(), z.string().nullable()) }),
  z.object({ command: z.string(), args: z.record(z.string(), z.unknown()), expect_file: z.string().optional() }),
]);

const caseSchema = z.object({
  id: z.string(),
  flavor: z.string(),
  path_kind: z.enum(["file", "missing", "dir", "relative"]),
  initial_file: z.string().nullable(),
  setup_steps: z.array(stepSchema).default([]),
  command: z.string(),
  args: z.record(z.string(), z.unknown()),
  expected_file_after: z.string().nullable().optional(),
  expected_output_contains: z.array(z.string()).optional(),
  expected_output_equals: z.string().optional(),
  expected_output_not_contains: z.array(z.string()).optional(),
  expected_error_contains: z.array(z.string()).optional(),
  expected_error_equals: z.string().optional(),
  note: z.string().optional(),
});

const casesFileSchema = z.object({ cases: z.array(caseSchema) });

export type EditCase = z.infer<typeof caseSchema>;
export type CaseResult = { id: string; flavor: string; status: "passed" | "failed" | "superseded"; reason?: string };

const PLACEHOLDER_FILE = `${SANDBOX_WORKDIR}/file.txt`;
const PLACEHOLDER_DIR = `${SANDBOX_WORKDIR}/dir`;

/** In-sandbox path for a path in a case: placeholders as above, other absolute paths rebased. */
const rebase = (casePath: string) => {
  if (casePath.includes("{")) return casePath.replaceAll("{path}", PLACEHOLDER_FILE).replaceAll("{dir}", PLACEHOLDER_DIR);
  if (!casePath.startsWith("/")) return casePath;
  return path.posix.join(SANDBOX_WORKDIR, casePath);
};

/** Replaces the case's paths (placeholders and rebased literal paths) in any string of the case. */
const makeSubstitute = (literalPaths: string[]) => (text: string) => {
  let result = text.replaceAll("{path}", PLACEHOLDER_FILE).replaceAll("{dir}", PLACEHOLDER_DIR);
  for (const literal of literalPaths) result = result.replaceAll(literal, rebase(literal));
  return result;
};

const mapStrings = (value: unknown, substitute: (text: string) => string): unknown => {
  if (typeof value === "string") return substitute(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, substitute));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, substitute)]));
  return value;
};

const hostPathOf = (workspaceDir: string, sandboxPath: string) =>
  path.join(workspaceDir, path.posix.relative(SANDBOX_WORKDIR, path.posix.resolve(SANDBOX_WORKDIR, sandboxPath)));

const makeContext = (workspaceDir: string): ToolContext => {
  const sandbox: Sandbox = {
    id: "conformance",
    sessionId: "conformance",
    workdir: SANDBOX_WORKDIR,
    hostWorkspaceDir: workspaceDir,
    exec: () => Promise.reject(new Error("the text editor works host-side and never execs")),
    openTty: () => Promise.reject(new Error("the text editor works host-side and never opens a terminal")),
  };
  return {
    sandbox,
    sessionId: "conformance",
    signal: new AbortController().signal,
    shell: { cwd: SANDBOX_WORKDIR },
    readFiles: new Map(),
    limits: { maxOutputChars: 100_000 },
    toolState: createSessionToolState(),
  };
};

/** One call as the agent loop makes it: schema check, run, ToolError -> is_error result. */
const callEditor = async (args: unknown, context: ToolContext) => {
  const parsed = textEditorTool.inputSchema.safeParse(args);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
    return { output: `Invalid input for ${textEditorTool.name}: ${issues}`, isError: true };
  }
  return textEditorTool.run(parsed.data, context).catch((error: unknown) => {
    if (error instanceof ToolError) return { output: error.message, isError: true };
    throw error;
  });
};

const readOrNull = (file: string) => readFile(file, "utf8").catch(() => null);

const stripTrailingSpace = (text: string) => text.split("\n").map((line) => line.replace(/[ \t]+$/, "")).join("\n");

/** Runs one case in a fresh workspace; returns why it failed, or null when it passed. */
const runCase = async (editCase: EditCase): Promise<string | null> => {
  const workspaceDir = await mkdtemp(path.join(tmpdir(), "pincer-conformance-"));
  try {
    const casePath = typeof editCase.args.path === "string" ? editCase.args.path : "";
    const literalPaths = casePath.startsWith("/") && !casePath.includes("{") ? [casePath] : [];
    const substitute = makeSubstitute(literalPaths);
    const targetPath = rebase(casePath);
    const targetHost = hostPathOf(workspaceDir, targetPath);

    if (editCase.path_kind === "file") {
      await writeFile(hostPathOf(workspaceDir, PLACEHOLDER_FILE), editCase.initial_file ?? "");
    }
    if (editCase.path_kind === "dir") {
      await mkdir(hostPathOf(workspaceDir, PLACEHOLDER_DIR), { recursive: true });
      if (literalPaths.length > 0) await mkdir(targetHost, { recursive: true });
    }
    if (editCase.path_kind === "relative" && editCase.initial_file !== null) {
      await mkdir(path.dirname(targetHost), { recursive: true });
      await writeFile(targetHost, editCase.initial_file);
    }

    const context = makeContext(workspaceDir);
    for (const [index, step] of editCase.setup_steps.entries()) {
      if ("mkdir_tree" in step) {
        for (const [relative, content] of Object.entries(step.mkdir_tree)) {
          const target = path.join(hostPathOf(workspaceDir, PLACEHOLDER_DIR), relative);
          if (content === null || relative.endsWith("/")) {
            await mkdir(target, { recursive: true });
            continue;
          }
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, content);
        }
        continue;
      }
      const result = await callEditor({ command: step.command, ...(mapStrings(step.args, substitute) as object) }, context);
      if (result.isError) return `setup step ${index + 1} (${step.command}) failed: ${result.output}`;
      if (step.expect_file !== undefined) {
        const stepPath = rebase(String(step.args.path ?? ""));
        const actual = await readOrNull(hostPathOf(workspaceDir, stepPath));
        if (actual !== step.expect_file) return `after setup step ${index + 1} the file is ${JSON.stringify(actual)}, expected ${JSON.stringify(step.expect_file)}`;
      }
    }

    const result = await callEditor({ command: editCase.command, ...(mapStrings(editCase.args, substitute) as object) }, context);
    const shown = JSON.stringify(result.output.length > 300 ? `${result.output.slice(0, 300)}...` : result.output);
    const expectsError = editCase.expected_error_contains !== undefined || editCase.expected_error_equals !== undefined;
    if (expectsError && !result.isError) return `expected an error, got output ${shown}`;
    if (!expectsError && result.isError) return `unexpected error ${shown}`;
    for (const expected of editCase.expected_error_contains ?? []) {
      if (!result.output.includes(substitute(expected))) return `error does not contain ${JSON.stringify(substitute(expected))}: ${shown}`;
    }
    if (editCase.expected_error_equals !== undefined && result.output !== substitute(editCase.expected_error_equals)) {
      return `error is ${shown}, expected ${JSON.stringify(substitute(editCase.expected_error_equals))}`;
    }
    for (const expected of editCase.expected_output_contains ?? []) {
      if (!result.output.includes(substitute(expected))) return `output does not contain ${JSON.stringify(substitute(expected))}: ${shown}`;
    }
    for (const unexpected of editCase.expected_output_not_contains ?? []) {
      if (result.output.includes(substitute(unexpected))) return `output contains ${JSON.stringify(substitute(unexpected))}: ${shown}`;
    }
    if (editCase.expected_output_equals !== undefined) {
      const expected = substitute(editCase.expected_output_equals);
      // Recorded observations (noted as such) lost trailing whitespace on blank lines.
      const lenient = editCase.note?.includes("trailing whitespace") ?? false;
      const equal = result.output === expected || (lenient && stripTrailingSpace(result.output) === stripTrailingSpace(expected));
      if (!equal) return `output is ${shown}, expected ${JSON.stringify(expected)}`;
    }
    if (editCase.expected_file_after !== undefined && editCase.expected_file_after !== null) {
      const actual = await readOrNull(targetHost);
      if (actual !== editCase.expected_file_after) return `file after is ${JSON.stringify(actual?.slice(0, 200) ?? null)}, expected ${JSON.stringify(editCase.expected_file_after.slice(0, 200))}`;
    }
    if (editCase.expected_file_after === null && editCase.path_kind === "missing") {
      if ((await readOrNull(targetHost)) !== null) return `${targetPath} exists after the call; it should not`;
    }
    return null;
  } finally {
    await rm(workspaceDir, { recursive: true, force: true });
  }
};

const outcomeKind = (editCase: EditCase) => (editCase.expected_error_contains || editCase.expected_error_equals ? "error" : "output");

/**
 * Where the two flavours disagree the anthropic one is the contract: an openhands case is
 * superseded when an anthropic case makes the same call and expects the other outcome.
 */
const supersedingCase = (editCase: EditCase, all: EditCase[]) =>
  all.find(
    (other) =>
      other.flavor === "anthropic" &&
      other.command === editCase.command &&
      JSON.stringify(other.args) === JSON.stringify(editCase.args) &&
      outcomeKind(other) !== outcomeKind(editCase),
  );

export const runEditConformance = async (cases: EditCase[]): Promise<{ results: CaseResult[]; passed: number; total: number; ok: boolean }> => {
  const results: CaseResult[] = [];
  for (const editCase of cases) {
    const reason = await runCase(editCase).catch((error: unknown) => `crashed: ${error instanceof Error ? error.message : String(error)}`);
    if (reason === null) {
      results.push({ id: editCase.id, flavor: editCase.flavor, status: "passed" });
      continue;
    }
    const superseding = editCase.flavor === "anthropic" ? undefined : supersedingCase(editCase, cases);
    if (superseding) {
      results.push({ id: editCase.id, flavor: editCase.flavor, status: "superseded", reason: `the anthropic flavour (${superseding.id}) decides here` });
      continue;
    }
    results.push({ id: editCase.id, flavor: editCase.flavor, status: "failed", reason });
  }
  const passed = results.filter((result) => result.status !== "failed").length;
  const ok = results.every((result) => result.flavor !== "anthropic" || result.status === "passed");
  return { results, passed, total: results.length, ok };
};

export const loadEditCases = async (file: string): Promise<EditCase[]> => casesFileSchema.parse(JSON.parse(await readFile(file, "utf8"))).cases;

const usage = "usage: pincer conformance edit <cases.json> [--verbose]";

/** The command: returns the exit code and prints through `print`. */
export const conformanceCommand = async (args: string[], print: (line: string) => void = console.log): Promise<number> => {
  const verbose = args.includes("--verbose");
  const [suite, file] = args.filter((arg) => arg !== "--verbose");
  if (suite !== "edit" || !file) {
    print(usage);
    return 2;
  }
  const cases = await loadEditCases(path.resolve(file));
  const { results, passed, total, ok } = await runEditConformance(cases);
  for (const result of results) {
    if (result.status === "failed") print(`FAIL ${result.id} (${result.flavor}): ${result.reason}`);
    if (result.status === "superseded" && verbose) print(`superseded ${result.id} (${result.flavor}): ${result.reason}`);
  }
  print(`edit conformance: ${passed}/${total} passed (anthropic flavour)`);
  return ok ? 0 : 1;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  conformanceCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`pincer conformance: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}
