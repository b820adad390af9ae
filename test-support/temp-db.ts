// A migrated database for tests that need the real persistence layer: a SQLite file in a temp dir,
// or, in vitest's "postgres" project (PINCER_TEST_DB=postgres), a fresh database on the test
// PostgreSQL server (scripts/setup.sh setup_test_postgres). Either way the real migrations apply.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { createDb, type Db, type DbProvider } from "../server/db";

const root = path.resolve(import.meta.dirname, "..");

export type TempDb = { db: Db; url: string; provider: DbProvider; dir: string; cleanup: () => Promise<void> };

/** The database the test process runs against: vitest's "postgres" project sets PINCER_TEST_DB. */
export const testDbProvider = (): DbProvider => (process.env.PINCER_TEST_DB === "postgres" ? "postgresql" : "sqlite");

/** The test PostgreSQL server: PINCER_TEST_POSTGRES_URL, else the URL setup_test_postgres left behind. */
export const testPostgresUrl = (): string => {
  const fromEnv = process.env.PINCER_TEST_POSTGRES_URL;
  if (fromEnv) return fromEnv;
  const file = path.join(root, ".cache/postgres/url");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  throw new Error(
    "No PostgreSQL for the postgres database tests: run ./pincer test, or " +
      "`bash -c 'pincer_root=$PWD; source scripts/setup.sh; setup_test_postgres'`, or set PINCER_TEST_POSTGRES_URL",
  );
};

/** Runs the Prisma CLI against a database (prisma.config.ts picks the schema by its URL); its stdout. */
export const runPrisma = async (args: string[], url: string): Promise<string> => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
  });
  return stdout;
};

/** One statement on the test server's maintenance database; an unreachable server fails loudly. */
const onTestServer = async (sql: string) => {
  const serverUrl = testPostgresUrl();
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
  } catch (error) {
    const { host } = new URL(serverUrl);
    throw new Error(`The test PostgreSQL at ${host} is not reachable (start it with setup_test_postgres): ${String(error)}`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/** A fresh database on the test server, migrated with prisma/postgres/migrations, dropped on cleanup. */
const createPostgresDb = async () => {
  const name = `pincer_test_${randomBytes(8).toString("hex")}`;
  await onTestServer(`CREATE DATABASE "${name}"`);
  const url = new URL(testPostgresUrl());
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onTestServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
};

export const createTempDb = async (): Promise<TempDb> => {
  const provider = testDbProvider();
  const dir = mkdtempSync(path.join(tmpdir(), "pincer-db-"));
  const postgres = provider === "postgresql" ? await createPostgresDb() : undefined;
  const url = postgres?.url ?? `file:${path.join(dir, "pincer.db")}`;
  await runPrisma(["migrate", "deploy"], url).catch(async (error: unknown) => {
    await postgres?.drop();
    throw error;
  });
  const db = createDb(url);
  return {
    db,
    url,
    provider,
    dir,
    cleanup: async () => {
      await db.$disconnect();
      await postgres?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
