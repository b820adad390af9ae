// Runs the real Prisma CLI through the schema-engine shim against temp SQLite files.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const prismaCli = path.join(root, "node_modules/prisma/build/index.js");
const shim = path.join(root, "prisma/engine/schema-engine");
const tempDir = mkdtempSync(path.join(tmpdir(), "pincer-engine-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

function prisma(args: string[], databaseUrl: string) {
  return promisify(execFile)(process.execPath, [prismaCli, ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
  });
}

function tableNames(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return rows.map((row) => row.name);
  } finally {
    db.close();
  }
}

/** Sends JSON-RPC requests to the shim and collects one response per request. */
async function rpc(requests: { method: string; params: unknown }[], datasourceUrl: string) {
  const child = spawn(shim, ["--datamodels", path.join(root, "prisma/schema.prisma"), "--datasource", JSON.stringify({ url: datasourceUrl })], {
    env: { ...process.env, PINCER_ENGINE_NODE: process.execPath },
  });
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  for (const [index, request] of requests.entries()) {
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: index + 1, ...request })}\n`);
  }
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, messages: stdout.trim().split("\n").map((line) => JSON.parse(line)) };
}

describe("schema-engine shim", () => {
  it("applies the migrations to a new SQLite file with `prisma migrate deploy`, idempotently", async () => {
    const file = path.join(tempDir, "deploy", "pincer.db");
    const first = await prisma(["migrate", "deploy"], `file:${file}`);
    expect(first.stdout).toMatch(/applied|Applying/);
    const tables = tableNames(file);
    for (const table of ["User", "Provider", "Session", "Event", "_prisma_migrations"]) expect(tables).toContain(table);
    const second = await prisma(["migrate", "deploy"], `file:${file}`);
    expect(second.stdout).toContain("No pending migrations to apply");
    const status = await prisma(["migrate", "status"], `file:${file}`);
    expect(status.stdout).toContain("Database schema is up to date");
  });

  it("finds no drift between the migrations and schema.prisma", async () => {
    const result = await prisma(
      ["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", "prisma/schema.prisma", "--exit-code"],
      `file:${path.join(tempDir, "diff.db")}`,
    );
    expect(result.stdout).toContain("No difference detected");
  });

  it("answers JSON-RPC: diff prints through the CLI, unknown methods are errors", async () => {
    const schema = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
    const { code, messages } = await rpc(
      [
        {
          method: "diff",
          params: {
            from: { tag: "empty" },
            to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
            script: true,
            exitCode: true,
            filters: { externalTables: [], externalEnums: [] },
          },
        },
        { method: "noSuchMethod", params: {} },
      ],
      `file:${path.join(tempDir, "rpc.db")}`,
    );
    expect(code).toBe(0);
    const print = messages.find((message) => message.method === "print");
    expect(print.params.content).toContain('CREATE TABLE "Event"');
    expect(messages.find((message) => message.id === 1).result).toEqual({ exitCode: 2, stdout: null });
    expect(messages.find((message) => message.id === 2).error.data.message).toContain("Unknown method");
  });

  it("reports a missing SQLite file as P1003 in cli mode", async () => {
    const missing = path.join(tempDir, "missing.db");
    const result = await promisify(execFile)(shim, ["--datasource", JSON.stringify({ url: `file:${missing}` }), "cli", "can-connect-to-database"], {
      env: { ...process.env, PINCER_ENGINE_NODE: process.execPath },
    }).catch((error: { code: number; stderr: string }) => error);
    expect("code" in result && result.code).toBe(1);
    expect(String(result.stderr)).toContain('"error_code":"P1003"');
  });
});
