#!/usr/bin/env node
// `npx pincer <command>`: command-line entry points, each a TypeScript module in server/cli/.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const commands = {
  run: "run.ts",
  conformance: "conformance.ts",
  "check-command": "check-command.ts",
};

const [command, ...args] = process.argv.slice(2);
const file = command ? commands[command] : undefined;
if (!file) {
  console.error(`usage: pincer <${Object.keys(commands).join("|")}> [arguments]`);
  process.exit(2);
}
const entry = path.join(root, "server", "cli", file);
if (!existsSync(entry)) {
  console.error(`pincer: ${command} is not available in this build`);
  process.exit(2);
}
// tsx resolved from this package, so the command works from any directory.
const tsx = import.meta.resolve("tsx");
const result = spawnSync(process.execPath, ["--import", tsx, entry, ...args], { stdio: "inherit", cwd: process.cwd() });
process.exit(result.status ?? 1);
