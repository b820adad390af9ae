import path from "node:path";
import { describe, expect, it } from "vitest";
import { absoluteDatabaseUrl, decodeSecretKey, parseEnv, repoRoot } from "./env";

describe("parseEnv", () => {
  it("applies the defaults", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe("0.0.0.0");
    expect(env.DATA_DIR).toBe(path.join(repoRoot, "data"));
    expect(env.DATABASE_URL).toBe(`file:${path.join(repoRoot, "data", "pincer.db")}`);
    expect(env.SANDBOX_IMAGE).toBe("pincer-sandbox:latest");
    expect(env.SANDBOX_MEMORY_MB).toBe(2048);
    expect(env.SANDBOX_PIDS_LIMIT).toBe(512);
    expect(env.SANDBOX_CPUS).toBe(1);
    expect(env.PINCER_SECRET_KEY).toBeUndefined();
  });

  it("derives the default database from DATA_DIR and coerces numbers", () => {
    const env = parseEnv({ DATA_DIR: "/tmp/pincer-data", PORT: "8080", SANDBOX_CPUS: "1.5", NODE_ENV: "production" });
    expect(env.DATABASE_URL).toBe("file:/tmp/pincer-data/pincer.db");
    expect(env.PORT).toBe(8080);
    expect(env.SANDBOX_CPUS).toBe(1.5);
    expect(env.NODE_ENV).toBe("production");
  });

  it("keeps postgres URLs and makes relative file: URLs absolute", () => {
    expect(parseEnv({ DATABASE_URL: "postgresql://u:p@db:5432/pincer" }).DATABASE_URL).toBe("postgresql://u:p@db:5432/pincer");
    expect(absoluteDatabaseUrl("file:./x.db", "/srv")).toBe("file:/srv/x.db");
    expect(absoluteDatabaseUrl("file:/abs/x.db", "/srv")).toBe("file:/abs/x.db");
  });

  it("takes the sandbox runtime as auto by default, or a runtime name", () => {
    expect(parseEnv({}).PINCER_SANDBOX_RUNTIME).toBe("auto");
    expect(parseEnv({ PINCER_SANDBOX_RUNTIME: "runsc" }).PINCER_SANDBOX_RUNTIME).toBe("runsc");
    expect(() => parseEnv({ PINCER_SANDBOX_RUNTIME: "run sc;" })).toThrow(/PINCER_SANDBOX_RUNTIME: must be auto or a runtime name/);
  });

  it("reads the operator's extra sandbox images, and names a bad entry", () => {
    expect(parseEnv({}).SANDBOX_IMAGES).toEqual([]);
    expect(parseEnv({ SANDBOX_IMAGES: "Rust=rust-sandbox:1.80, my-go:latest" }).SANDBOX_IMAGES).toEqual([
      { label: "Rust", image: "rust-sandbox:1.80" },
      { label: "my-go:latest", image: "my-go:latest" },
    ]);
    expect(() => parseEnv({ SANDBOX_IMAGES: "ok:1,not an image" })).toThrow(/SANDBOX_IMAGES: "not an image" is not an image reference/);
  });

  it("lists every bad variable", () => {
    expect(() => parseEnv({ PORT: "nope", DATABASE_URL: "mysql://x", PINCER_SECRET_KEY: "short" })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*PINCER_SECRET_KEY/,
    );
  });

  it("wants sign-in providers and the mailer configured whole, and finds GitHub Enterprise's API", () => {
    expect(() => parseEnv({ PINCER_OIDC_ISSUER: "https://id.example.com" })).toThrow(/PINCER_OIDC_CLIENT_ID[\s\S]*PINCER_OIDC_CLIENT_SECRET/);
    expect(() => parseEnv({ PINCER_GITHUB_CLIENT_SECRET: "s" })).toThrow(/PINCER_GITHUB_CLIENT_ID: is required/);
    expect(() => parseEnv({ PINCER_SMTP_URL: "smtp://mail:25" })).toThrow(/PINCER_MAIL_FROM: is required/);
    expect(() => parseEnv({ PINCER_SMTP_URL: "mail.example.com", PINCER_MAIL_FROM: "a@b" })).toThrow(/PINCER_SMTP_URL: must be an smtp/);
    expect(parseEnv({}).PINCER_GITHUB_API_URL).toBe("https://api.github.com");
    expect(parseEnv({ PINCER_GITHUB_URL: "https://ghe.example.com/" }).PINCER_GITHUB_API_URL).toBe("https://ghe.example.com/api/v3");
    expect(parseEnv({ PINCER_GITHUB_URL: "https://ghe.example.com", PINCER_GITHUB_API_URL: "https://api.ghe.example.com" }).PINCER_GITHUB_API_URL).toBe("https://api.ghe.example.com");
    expect(parseEnv({ PINCER_OIDC_ISSUER: "https://id.example.com", PINCER_OIDC_CLIENT_ID: "c", PINCER_OIDC_CLIENT_SECRET: "s" }).PINCER_OIDC_NAME).toBe("Single sign-on");
  });

  it("accepts 32-byte keys in hex or base64 only", () => {
    const key = Buffer.alloc(32, 7);
    expect(decodeSecretKey(key.toString("hex"))).toEqual(key);
    expect(decodeSecretKey(key.toString("base64"))).toEqual(key);
    expect(decodeSecretKey(Buffer.alloc(16).toString("base64"))).toBeUndefined();
    expect(parseEnv({ PINCER_SECRET_KEY: key.toString("base64") }).PINCER_SECRET_KEY).toBe(key.toString("base64"));
  });
});
