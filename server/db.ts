// The Prisma client: the only module that makes one. SQLite (better-sqlite3 adapter) for file:
// URLs, PostgreSQL (pg adapter) for postgres:// URLs; no native query engine either way.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env";
import { PrismaClient } from "./generated/prisma/client";

export type Db = PrismaClient;

/** A client for the given URL; tests pass a temp SQLite file, the app uses `db`. */
export function createDb(url: string): PrismaClient {
  if (url.startsWith("file:")) {
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const schema = new URL(url).searchParams.get("schema") ?? undefined;
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }, schema ? { schema } : undefined) });
  }
  throw new Error("DATABASE_URL must be a file: or postgres:// URL");
}

// One client per process, kept across dev hot reloads.
const globalForDb = globalThis as unknown as { pincerDb?: PrismaClient };
export const db: PrismaClient = globalForDb.pincerDb ?? createDb(env.DATABASE_URL);
if (env.NODE_ENV !== "production") globalForDb.pincerDb = db;
