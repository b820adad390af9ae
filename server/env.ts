// Every environment variable Pincer reads, parsed once with zod. Import `env`, never process.env.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { imageListSchema } from "./sandbox/images";

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

/** github.com's API lives on its own host; GitHub Enterprise serves it under /api/v3. */
const defaultGithubApiUrl = (webUrl: string) =>
  new URL(webUrl).host === "github.com" ? "https://api.github.com" : `${webUrl.replace(/\/+$/, "")}/api/v3`;

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
    /** More images for the new-session form, beside SANDBOX_IMAGE and the built-in variants: `image` or `Label=image`, comma-separated. */
    SANDBOX_IMAGES: z.preprocess(emptyAsUndefined, imageListSchema.default([])),
    SANDBOX_MEMORY_MB: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(2048)),
    SANDBOX_PIDS_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(512)),
    SANDBOX_CPUS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().default(1)),
    /** Pre-started sandbox containers (default: sized to the machine; 0 turns the pool off). */
    PINCER_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).optional()),
    /** Pause a session's container after this long without commands or an open terminal (0: never). */
    PINCER_IDLE_PAUSE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(300_000)),
    /** OCI runtime for sandboxes: auto (gVisor's runsc when the engine lists it, else the engine's default), or a runtime name such as runsc or runc. */
    PINCER_SANDBOX_RUNTIME: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be auto or a runtime name such as runsc or runc").default("auto")),
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
    /** Sign-in with an OpenID Connect provider: its issuer (discovery at <issuer>/.well-known/openid-configuration), client id and secret. */
    PINCER_OIDC_ISSUER: z.preprocess(emptyAsUndefined, z.url().optional()),
    PINCER_OIDC_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
    PINCER_OIDC_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** The name on the "Continue with …" button (default: Single sign-on). */
    PINCER_OIDC_NAME: z.preprocess(emptyAsUndefined, z.string().max(60).default("Single sign-on")),
    /** Sign-in with GitHub (an OAuth app's client id and secret). */
    PINCER_GITHUB_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
    PINCER_GITHUB_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** GitHub Enterprise: its web URL (default https://github.com) and REST API URL (default <url>/api/v3, or https://api.github.com). */
    PINCER_GITHUB_URL: z.preprocess(emptyAsUndefined, z.url().default("https://github.com")),
    PINCER_GITHUB_API_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    /** Invitations by email: smtp://user:pass@host:port (smtps:// for TLS from the start) and the From address. */
    PINCER_SMTP_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^smtps?:\/\/[^/]+/, "must be an smtp:// or smtps:// URL").optional()),
    PINCER_MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().optional()),
  })
  .superRefine((raw, issues) => {
    // A half-configured provider or mailer would show a button or a field that cannot work.
    const together = (names: Array<keyof typeof raw>, when: string) => {
      if (!names.some((name) => raw[name] !== undefined)) return;
      for (const name of names.filter((name) => raw[name] === undefined)) issues.addIssue({ code: "custom", path: [name], message: `is required with ${when}` });
    };
    together(["PINCER_OIDC_ISSUER", "PINCER_OIDC_CLIENT_ID", "PINCER_OIDC_CLIENT_SECRET"], "the other PINCER_OIDC_* settings");
    together(["PINCER_GITHUB_CLIENT_ID", "PINCER_GITHUB_CLIENT_SECRET"], "the other PINCER_GITHUB_CLIENT_* setting");
    together(["PINCER_SMTP_URL", "PINCER_MAIL_FROM"], "email invitations (PINCER_SMTP_URL, PINCER_MAIL_FROM)");
  })
  .transform((raw) => {
    const dataDir = path.resolve(repoRoot, raw.DATA_DIR);
    return {
      ...raw,
      DATA_DIR: dataDir,
      DATABASE_URL: absoluteDatabaseUrl(raw.DATABASE_URL ?? `file:${path.join(dataDir, "pincer.db")}`),
      PINCER_GITHUB_API_URL: raw.PINCER_GITHUB_API_URL ?? defaultGithubApiUrl(raw.PINCER_GITHUB_URL),
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
