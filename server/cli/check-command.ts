// `npx pincer check-command [--mode M] [--allow R]... [--ask R]... [--deny R]... -- '<command>'`
// prints the permission decision for one bash command as JSON; `--jsonl` reads one request per
// line from stdin and writes one result per line, so a thousand cases run in one process.
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { loadBashParser } from "../permissions/bash-split";
import { createPermissionChecker } from "../permissions/checker";
import { isMode, modeSchema, type Mode } from "../permissions/modes";
import { localTeamSource } from "../permissions/team-policy";
import type { Decision } from "../permissions/decide";

const WORKSPACE_ROOT = "/workspace";

type Request = { command: string; mode: Mode; allow: string[]; ask: string[]; deny: string[]; cwd?: string };

const requestSchema = z.object({
  command: z.string(),
  mode: modeSchema.default("default"),
  allow: z.array(z.string()).default([]),
  ask: z.array(z.string()).default([]),
  deny: z.array(z.string()).default([]),
  cwd: z.string().optional(),
});

const USAGE = "usage: pincer check-command [--mode default|acceptEdits|plan|bypassPermissions] [--allow RULE]... [--ask RULE]... [--deny RULE]... [--cwd DIR] -- '<command>'\n       pincer check-command --jsonl < requests.jsonl";

const present = (decision: Decision) => ({
  decision: decision.decision,
  parsed: decision.parsed ?? true,
  dangerous: decision.dangerous,
  reason: decision.reason,
  rule: decision.rule,
  subcommands: (decision.subcommands ?? []).map((sub) => ({ argv: sub.argv, decision: sub.decision, rule: sub.rule, reason: sub.reason })),
});

export const checkCommand = async (request: Request) => {
  const checker = await createPermissionChecker({
    // The checker answers for the mode given on the command line, bypass included.
    rules: { sources: [localTeamSource("command line"), { name: "session", origin: "command line", allow: request.allow, ask: request.ask, deny: request.deny }] },
    mode: request.mode,
    workspaceRoot: WORKSPACE_ROOT,
  });
  if (checker.ruleErrors.length > 0) return { error: checker.ruleErrors.join("; ") };
  return present(checker.check("Bash", { command: request.command }, { cwd: request.cwd }));
};

type Parsed = { ok: true; jsonl: boolean; request: Request } | { ok: false; error: string };

const parseArgs = (args: string[]): Parsed => {
  const request: Request = { command: "", mode: "default", allow: [], ask: [], deny: [] };
  let jsonl = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--") {
      request.command = args.slice(index + 1).join(" ");
      return { ok: true, jsonl, request };
    }
    if (arg === "--jsonl") {
      jsonl = true;
      continue;
    }
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = inline ?? args[index + 1];
    if (inline === undefined) index++;
    if (value === undefined) return { ok: false, error: `${flag} needs a value` };
    if (flag === "--mode") {
      if (!isMode(value)) return { ok: false, error: `unknown mode ${JSON.stringify(value)}` };
      request.mode = value;
      continue;
    }
    if (flag === "--allow" || flag === "--ask" || flag === "--deny") {
      request[flag.slice(2) as "allow" | "ask" | "deny"].push(value);
      continue;
    }
    if (flag === "--cwd") {
      request.cwd = value;
      continue;
    }
    return { ok: false, error: `unknown argument ${JSON.stringify(arg)}` };
  }
  if (jsonl) return { ok: true, jsonl, request };
  return { ok: false, error: "missing -- '<command>'" };
};

const runJsonl = async () => {
  await loadBashParser();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const result = await (async () => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        return { error: "not valid JSON" };
      }
      const parsed = requestSchema.safeParse(json);
      if (!parsed.success) return { error: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") };
      return checkCommand(parsed.data);
    })();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
};

const main = async () => {
  const parsed = parseArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`pincer check-command: ${parsed.error}\n${USAGE}\n`);
    process.exit(2);
  }
  if (parsed.jsonl) return runJsonl();
  const result = await checkCommand(parsed.request);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if ("error" in result) process.exit(2);
};

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
