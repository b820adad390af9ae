// The Prisma client: the only module that makes one. SQLite (better-sqlite3 adapter) for file:
// URLs, PostgreSQL (pg adapter) for postgres:// URLs; no native query engine either way. Both
// clients are generated side by side (npm run db:generate), so one install serves both databases.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env";
import { PrismaClient } from "./generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "./generated/prisma-pg/client";

/** The client everybody types against. The PostgreSQL client is generated from the same models,
 * so it has the same API; only provider-specific extras (e.g. `mode: "insensitive"`) differ. */
export type Db = PrismaClient;

/** better-auth's name for the database behind a URL. */
export type DbProvider = "sqlite" | "postgresql";

/** Which database a URL points at; anything but file: and postgres:// is refused. */
export function dbProvider(url: string): DbProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error("DATABASE_URL must be a file: or postgres:// URL");
}

/** A client for the given URL; tests pass a temp database (test-support/temp-db.ts), the app uses `db`. */
export function createDb(url: string): Db {
  if (dbProvider(url) === "sqlite") {
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
  }
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  const client = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }, schema ? { schema } : undefined) });
  // Same models, separately generated types: the app only uses what both providers share.
  return client as unknown as Db;
}

// One client per process, kept across dev hot reloads.
const globalForDb = globalThis as unknown as { pincerDb?: Db };
export const db: Db = globalForDb.pincerDb ?? createDb(env.DATABASE_URL);
if (env.NODE_ENV !== "production") globalForDb.pincerDb = db;
