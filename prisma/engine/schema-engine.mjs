// Stands in for Prisma's native schema engine, which the CLI would download (impossible offline).
// It speaks the engine's protocol (newline-delimited JSON-RPC on stdin/stdout, JSON log lines on
// stderr, and the one-shot `cli <command>` mode) and forwards every call to the WebAssembly build
// of the same engine (@prisma/schema-engine-wasm), which reaches the database through a driver
// adapter: better-sqlite3 for file: URLs, pg for postgres: URLs.
import { readFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";

const require = createRequire(import.meta.url);
const ENGINE_NAME = "schema-engine-cli";

/** One JSON log line on stderr, in the shape the CLI parses (`fields.message`, `level`). */
function log(level, message, fields = {}) {
  process.stderr.write(
    `${JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...fields }, target: "schema_engine::logger" })}\n`,
  );
}

/** Parses the CLI's arguments: --datamodels (repeated), --datasource JSON, and `cli <command>`. */
export function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, version: false, cliCommand: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--datamodels") args.datamodels.push(argv[++i]);
    else if (arg === "--datasource") args.datasource = JSON.parse(argv[++i]);
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++;
    else if (arg === "--version" || arg === "-V") args.version = true;
    else if (arg === "cli") args.cliCommand = argv[++i];
  }
  return args;
}

/** Whether a URL points at SQLite or PostgreSQL; anything else is refused. */
export function providerOf(url) {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  throw new Error(`Unsupported database URL (only file: and postgres: URLs are supported): ${redact(url)}`);
}

/** The absolute file path behind a file: URL (relative paths resolve against the working directory). */
export function sqlitePath(url) {
  const withoutScheme = url.replace(/^file:(\/\/)?/, "").split("?")[0];
  return path.resolve(withoutScheme);
}

/**
 * pg settings as separate fields, not a connectionString: the pg adapter makes its shadow database
 * by overriding `database`, which a connectionString would silently win over.
 */
export function pgConfig(url) {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get("sslmode");
  return {
    host: decodeURIComponent(parsed.hostname) || parsed.searchParams.get("host") || "localhost",
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    ...(sslmode && sslmode !== "disable" ? { ssl: { rejectUnauthorized: sslmode === "verify-full" } } : {}),
  };
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, "//$1:***@");
}

/** A migration-aware driver adapter factory for the URL (and an optional shadow database URL). */
export async function createAdapterFactory(url, shadowDatabaseUrl) {
  if (providerOf(url) === "sqlite") {
    const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
    const shadow = shadowDatabaseUrl ? `file:${sqlitePath(shadowDatabaseUrl)}` : undefined;
    return new PrismaBetterSqlite3({ url: `file:${sqlitePath(url)}` }, { shadowDatabaseUrl: shadow });
  }
  const { PrismaPg } = await import("@prisma/adapter-pg");
  await readCatalogCharAsText();
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  const options = schema ? { schema } : undefined;
  const factory = new PrismaPg(pgConfig(url), options);
  // The pg adapter drops its shadow database while its own pool still holds a connection to it
  // (DROP fails: "being accessed by other users"); close the pool first, then drop.
  factory.connectToShadowDb = async () => {
    const admin = await factory.connect();
    const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = await new PrismaPg({ ...pgConfig(url), database: name }, options).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  };
  return factory;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * The engine reads the catalog (pg_class.relkind, pg_constraint.contype, ...) to describe a schema,
 * as `"char"` columns, a type the pg adapter refuses ("could not be deserialized"). They hold one
 * character, so in this process they are read as text: `migrate diff` against a database works.
 */
async function readCatalogCharAsText() {
  const { default: pg } = await import("pg");
  const addFields = pg.Result.prototype.addFields;
  if (addFields.pincerCharAsText) return;
  const patched = function (fieldDescriptions) {
    for (const field of fieldDescriptions) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return addFields.call(this, fieldDescriptions);
  };
  patched.pincerCharAsText = true;
  pg.Result.prototype.addFields = patched;
}

let lastPanicMessage;

function wasmPackageDir() {
  return path.dirname(require.resolve("@prisma/schema-engine-wasm"));
}

// The wasm engine reads `_prisma_migrations` without checking that it exists, and treats the
// adapter's "table does not exist" as fatal where the native engine treats it as "no migrations yet".
// So the table is created on that first read (with the engine's own DDL) and the read retried;
// the engine's own CREATE TABLE later becomes CREATE TABLE IF NOT EXISTS.
const MIGRATIONS_TABLE_DDL = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgres: `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`,
};

export function makeMigrationsTableCreateIdempotent(sql) {
  return sql.replace(/CREATE TABLE ("?_prisma_migrations"?)/, "CREATE TABLE IF NOT EXISTS $1");
}

function isMissingMigrationsTable(error) {
  const cause = error?.cause;
  return cause?.kind === "TableDoesNotExist" && /_prisma_migrations/.test(String(cause.table ?? cause.originalMessage ?? ""));
}

function withMigrationsTableFallback(adapter, provider) {
  return new Proxy(adapter, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "queryRaw") {
        return async (query) => {
          try {
            return await value.call(target, query);
          } catch (error) {
            if (!isMissingMigrationsTable(error)) throw error;
            await target.executeScript(MIGRATIONS_TABLE_DDL[provider]);
            return value.call(target, query);
          }
        };
      }
      if (property === "executeRaw") {
        return async (query) => {
          const sql = makeMigrationsTableCreateIdempotent(query.sql);
          try {
            return await value.call(target, { ...query, sql });
          } catch (error) {
            // The engine sends whole migration scripts through executeRaw; better-sqlite3 prepares
            // one statement at a time, so parameterless scripts go through executeScript instead.
            if (!(error instanceof RangeError && /more than one statement/.test(error.message)) || query.args.length > 0) throw error;
            await target.executeScript(sql);
            return 0;
          }
        };
      }
      if (property === "executeScript") {
        return async (script) => {
          const sql = makeMigrationsTableCreateIdempotent(script);
          if (provider !== "postgres") return value.call(target, sql);
          // The pg adapter splits scripts at every ";", even one inside a comment or a string.
          // PostgreSQL runs the whole script as one simple query, as the native engine sends it.
          try {
            await target.underlyingDriver().query(sql);
          } catch (error) {
            target.onError(error);
          }
        };
      }
      return value.bind(target);
    },
  });
}

// Connections still open when the engine finishes. Closed before exit: a better-sqlite3 database
// left to the exit-time finalizers can abort Node 24 ("RemoveEnvironmentCleanupHook: env != nullptr").
const openConnections = new Set();
const tracked = (connection) => {
  openConnections.add(connection);
  return connection;
};
async function closeOpenConnections() {
  await Promise.allSettled([...openConnections].map((connection) => connection.dispose?.()));
  openConnections.clear();
}

/** Wraps a factory so each connection it makes gets the migrations-table fallback above. */
function withEngineWorkarounds(factory, provider) {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => withMigrationsTableFallback(tracked(await factory.connect()), provider),
    connectToShadowDb: async () => withMigrationsTableFallback(tracked(await factory.connectToShadowDb()), provider),
  };
}

/** Loads the wasm engine by hand (no reliance on Node's experimental wasm ESM imports). */
async function loadWasmEngineModule() {
  // The wasm engine reports panics through this global before throwing a RuntimeError.
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message(message) {
      lastPanicMessage = message;
    },
  };
  const bindings = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmPath = path.join(wasmPackageDir(), "schema_engine_bg.wasm");
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bindings;
}

/** Creates the wasm SchemaEngine for the given schema files and datasource. */
export async function createEngine({ datamodels, datasource }) {
  const { SchemaEngine } = await loadWasmEngineModule();
  const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
  if (!datasource?.url) throw new Error("No datasource URL: set datasource.url in prisma.config.ts");
  const factory = await createAdapterFactory(datasource.url, datasource.shadowDatabaseUrl);
  const provider = providerOf(datasource.url);
  // Some commands (migrate diff) start the engine without a schema; the wasm engine still needs
  // one to pick its connector, so give it a bare datasource block for the URL's provider.
  const files = datamodels.length
    ? datamodels.map((file) => [file, readFileSync(file, "utf8")])
    : [["schema.prisma", `datasource db {\n  provider = "${provider === "sqlite" ? "sqlite" : "postgresql"}"\n}\n`]];
  const onLog = (line) => process.stderr.write(`${typeof line === "string" ? line : JSON.stringify(line)}\n`);
  return SchemaEngine.new({ datamodels: files }, onLog, bindMigrationAwareSqlAdapterFactory(withEngineWorkarounds(factory, provider)));
}

/** Turns whatever the engine threw into the JSON-RPC error shape the CLI understands. */
export function toRpcError(error) {
  if (error instanceof WebAssembly.RuntimeError || lastPanicMessage) {
    const message = lastPanicMessage ?? String(error?.message ?? error);
    lastPanicMessage = undefined;
    return { code: 4466, message: "The schema engine panicked.", data: { is_panic: true, message, error: { message } } };
  }
  const raw = error instanceof Error ? error : Object(error);
  const message = String(raw.message ?? error);
  // The wasm engine throws user-facing errors as objects/JSON carrying error_code + message.
  let parsed;
  try {
    parsed = typeof raw.message === "string" && raw.message.startsWith("{") ? JSON.parse(raw.message) : raw;
  } catch {
    parsed = raw;
  }
  const errorCode = parsed.error_code ?? parsed.errorCode ?? parsed.code;
  const isPanic = parsed.is_panic === true;
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: {
      is_panic: isPanic,
      message: parsed.message ?? message,
      ...(typeof errorCode === "string" && /^P\d{4}$/.test(errorCode) ? { error_code: errorCode } : {}),
      meta: parsed.meta ?? null,
      ...(isPanic ? { error: { message } } : {}),
    },
  };
}

/** Creates the database (SQLite file or PostgreSQL database) named in the URL. */
async function createDatabase(url) {
  if (providerOf(url) === "sqlite") {
    const file = sqlitePath(url);
    mkdirSync(path.dirname(file), { recursive: true });
    const Database = require("better-sqlite3");
    new Database(file).close();
    return path.basename(file);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  await withPgClient(adminUrl(url), (client) => client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`));
  return name;
}

async function dropDatabase(url) {
  if (providerOf(url) === "sqlite") {
    rmSync(sqlitePath(url), { force: true });
    rmSync(`${sqlitePath(url)}-journal`, { force: true });
    return;
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await withPgClient(adminUrl(url), (client) => client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}"`));
}

/** The same server with the `postgres` maintenance database, to create or drop others. */
function adminUrl(url) {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  admin.searchParams.delete("schema");
  return admin.toString();
}

async function withPgClient(url, run) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** null when reachable, else { code, message } with P1003 for a database that does not exist. */
async function checkConnection(url) {
  if (providerOf(url) === "sqlite") {
    const file = sqlitePath(url);
    if (existsSync(file)) return null;
    return { code: "P1003", message: `Database \`${path.basename(file)}\` does not exist at \`${file}\`` };
  }
  try {
    await withPgClient(url, (client) => client.query("SELECT 1"));
    return null;
  } catch (error) {
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    if (error.code === "3D000") return { code: "P1003", message: `Database \`${name}\` does not exist` };
    return { code: "P1001", message: `Can't reach database server: ${error.message}` };
  }
}

/** The one-shot mode: `--datasource {"url":...} cli can-connect-to-database|create-database|drop-database`. */
async function runCliCommand(command, datasource) {
  // The CLI drops the first stderr line before parsing the rest as JSON logs.
  log("INFO", `Starting ${ENGINE_NAME} ${command}`);
  const url = datasource?.url;
  if (!url) {
    log("ERROR", "No datasource URL given");
    return 1;
  }
  try {
    if (command === "can-connect-to-database") {
      const problem = await checkConnection(url);
      if (!problem) return 0;
      log("ERROR", problem.message, { error_code: problem.code });
      return 1;
    }
    if (command === "create-database") {
      const name = await createDatabase(url);
      process.stdout.write(`Database '${name}' was successfully created.\n`);
      return 0;
    }
    if (command === "drop-database") {
      await dropDatabase(url);
      process.stdout.write("The database was successfully dropped.\n");
      return 0;
    }
    log("ERROR", `Unknown cli command: ${command}`);
    return 1;
  } catch (error) {
    log("ERROR", String(error?.message ?? error));
    return 1;
  }
}

let printId = 0;
function sendPrint(content) {
  process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id: `print-${++printId}`, method: "print", params: { content } })}\n`);
}

/** Drops every table, view, index and trigger of a SQLite file (what `migrate reset` expects). */
export function resetSqlite(file) {
  if (!existsSync(file)) return {};
  const Database = require("better-sqlite3");
  const db = new Database(file);
  try {
    db.pragma("foreign_keys = OFF");
    const objects = db
      .prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND type IN ('view', 'trigger', 'table')")
      .all();
    db.transaction(() => {
      for (const { type, name } of objects) db.exec(`DROP ${type.toUpperCase()} IF EXISTS "${name.replaceAll('"', '""')}"`);
    })();
    db.exec("VACUUM");
  } finally {
    db.close();
  }
  return {};
}

/** The long-running mode: JSON-RPC requests on stdin, one response line each on stdout. */
async function serveRpc(args) {
  const enginePromise = createEngine(args);
  enginePromise.catch(() => {}); // surfaced per request below
  const handlers = {
    getDatabaseVersion: async () => (await enginePromise).version(),
    createDatabase: async (params) => {
      const url = params?.datasource?.tag === "ConnectionString" ? params.datasource.url : args.datasource?.url;
      return { databaseName: await createDatabase(url) };
    },
    debugPanic: async () => (await enginePromise).debugPanic(),
    // The native engine prints diffs itself (a `print` request to the CLI); the wasm one returns them.
    diff: async (params) => {
      const result = await (await enginePromise).diff(params);
      if (result.stdout) sendPrint(result.stdout.replace(/\n$/, ""));
      return { exitCode: result.exitCode, stdout: null };
    },
    // The wasm engine's SQLite reset leaves the tables in place; drop everything ourselves.
    reset: async (params) => {
      if (providerOf(args.datasource.url) === "sqlite") return resetSqlite(sqlitePath(args.datasource.url));
      return (await enginePromise).reset(params);
    },
  };
  // A panic inside the wasm engine surfaces as an uncaught RuntimeError, outside any request's
  // promise: answer the request in flight with a panic error and exit like the native engine (101).
  let inFlight;
  process.on("uncaughtException", (error) => {
    const rpcError = toRpcError(error);
    log("ERROR", rpcError.data.message, { is_panic: true });
    if (inFlight !== undefined) process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id: inFlight, error: rpcError })}\n`);
    process.exitCode = 101;
    process.stdout.end(() => process.exit(101));
  });
  // Requests run one at a time, in order, like the native engine's single connection.
  let queue = Promise.resolve();
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on("line", (line) => {
    if (!line.trim()) return;
    const request = JSON.parse(line);
    if (!request.method) return; // a reply to a request of ours; we send none
    queue = queue.then(async () => {
      inFlight = request.id;
      try {
        const handler = handlers[request.method];
        const engine = handler ? undefined : await enginePromise;
        if (!handler && typeof engine[request.method] !== "function") {
          throw new Error(`Unknown method: ${request.method}`);
        }
        const result = handler ? await handler(request.params) : await engine[request.method](request.params ?? {});
        process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id: request.id, result: result ?? {} })}\n`);
      } catch (error) {
        process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id: request.id, error: toRpcError(error) })}\n`);
      }
    });
  });
  await new Promise((resolve) => input.on("close", resolve));
  await queue;
  await closeOpenConnections();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    const { version } = JSON.parse(readFileSync(path.join(wasmPackageDir(), "package.json"), "utf8"));
    process.stdout.write(`${ENGINE_NAME} ${version.match(/[0-9a-f]{40}$/)?.[0] ?? version}\n`);
    return 0;
  }
  if (args.cliCommand) return runCliCommand(args.cliCommand, args.datasource);
  await serveRpc(args);
  return 0;
}

const isEntryPoint = process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (isEntryPoint) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      log("ERROR", String(error?.stack ?? error));
      process.exit(1);
    },
  );
}
