// Prisma CLI configuration. The database URL comes from server/env.ts (DATABASE_URL, default
// file:<DATA_DIR>/pincer.db). PostgreSQL URLs use the generated prisma/postgres/ schema and its own
// migrations; `npm run db:generate` names each schema with --schema to generate both clients. The
// schema engine is our shim over the wasm engine (see prisma/engine/), because the native engine
// cannot be downloaded offline.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { env, repoRoot } from "./server/env";

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(repoRoot, "prisma/engine/schema-engine");
// The shim runs on the same Node as the CLI, even where the machine's `node` is older.
process.env.PINCER_ENGINE_NODE ??= process.execPath;

const isPostgres = !env.DATABASE_URL.startsWith("file:");
const schemaDir = isPostgres ? "prisma/postgres" : "prisma";

export default defineConfig({
  schema: path.join(repoRoot, schemaDir, "schema.prisma"),
  migrations: { path: path.join(repoRoot, schemaDir, "migrations") },
  datasource: { url: env.DATABASE_URL },
});
