// Every environment variable Pincer reads, parsed once with zod. Import `env`, never process.env.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The repository root: relative paths in the environment (DATA_DIR, file: URLs) resolve against it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

/** A 32-byte key written as base64 (44 chars) or hex (64 chars). */
export function decodeSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  return key.length === 32 ? key : undefined;
}

/** file: URLs with a relative path become absolute (relative to the repo root), others pass through. */
export function absoluteDatabaseUrl(url: string, root: string = repoRoot): string {
  if (!url.startsWith("file:")) return url;
  const rest = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
  const [filePath, query] = rest.split("?", 2) as [string, string | undefined];
  const absolute = path.resolve(root, filePath);
  return `file:${absolute}${query ? `?${query}` : ""}`;
}

const schema = z
  .object({
    NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(["development", "production", "test"]).default("development")),
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().default("0.0.0.0")),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("./data")),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((url) => /^(file:|postgres(ql)?:\/\/)/.test(url), "must be a file: or postgres:// URL")
        .optional(),
    ),
    PINCER_SECRET_KEY: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((key) => decodeSecretKey(key) !== undefined, "must be 32 bytes, base64 or hex encoded")
        .optional(),
    ),
    SANDBOX_IMAGE: z.preprocess(emptyAsUndefined, z.string().default("pincer-sandbox:latest")),
    SANDBOX_MEMORY_MB: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(2048)),
    SANDBOX_PIDS_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(512)),
    SANDBOX_CPUS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().default(1)),
    /** Pre-started sandbox containers (default: sized to the machine; 0 turns the pool off). */
    PINCER_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).optional()),
    /** Pause a session's container after this long without commands or an open terminal (0: never). */
    PINCER_IDLE_PAUSE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(300_000)),
    /** Keep sign-up open after the first account (each new user gets their own workspace). Default: closed; invitation links always work. */
    PINCER_ALLOW_SIGNUP: z.preprocess(emptyAsUndefined, z.enum(["true", "false", "1", "0"]).default("false").transform((value) => value === "true" || value === "1")),
    /** The URL browsers use, when Pincer is behind a proxy; default: taken from each request's Host. */
    PINCER_BASE_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    /** JSON price table (USD per million tokens by model prefix) merged over the defaults. */
    PINCER_PRICES_FILE: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** The server's skills folder (SKILL.md folders offered to every session); default <repo>/skills. */
    PINCER_SKILLS_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** A .mcp.json-style file of MCP servers offered to every session (optional). */
    PINCER_MCP_CONFIG: z.preprocess(emptyAsUndefined, z.string().optional()),
  })
  .transform((raw) => {
    const dataDir = path.resolve(repoRoot, raw.DATA_DIR);
    return {
      ...raw,
      DATA_DIR: dataDir,
      DATABASE_URL: absoluteDatabaseUrl(raw.DATABASE_URL ?? `file:${path.join(dataDir, "pincer.db")}`),
    };
  });

export type Env = z.infer<typeof schema>;

/** Parses an environment; throws one readable error listing every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
  throw new Error(`Invalid environment:\n${problems}`);
}

export const env: Env = parseEnv(process.env);
