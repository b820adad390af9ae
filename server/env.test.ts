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

  it("lists every bad variable", () => {
    expect(() => parseEnv({ PORT: "nope", DATABASE_URL: "mysql://x", PINCER_SECRET_KEY: "short" })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*PINCER_SECRET_KEY/,
    );
  });

  it("accepts 32-byte keys in hex or base64 only", () => {
    const key = Buffer.alloc(32, 7);
    expect(decodeSecretKey(key.toString("hex"))).toEqual(key);
    expect(decodeSecretKey(key.toString("base64"))).toEqual(key);
    expect(decodeSecretKey(Buffer.alloc(16).toString("base64"))).toBeUndefined();
    expect(parseEnv({ PINCER_SECRET_KEY: key.toString("base64") }).PINCER_SECRET_KEY).toBe(key.toString("base64"));
  });
});
