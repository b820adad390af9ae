import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDb, runPrisma } from "../test-support/temp-db";
import { createDb, dbProvider, type Db } from "./db";

let db: Db;
let url: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, url, cleanup } = await createTempDb());
});

afterAll(async () => {
  await cleanup?.();
});

describe("createDb", () => {
  it("runs on the database its vitest project is named after", ({ task }) => {
    // The "postgres" project must really reach PostgreSQL, never fall back to SQLite.
    expect(dbProvider(url)).toBe(task.file.projectName === "postgres" ? "postgresql" : "sqlite");
  });

  it("reads and writes a migrated database", async () => {
    await db.user.create({ data: { id: "u1", name: "Ada", email: "ada@example.com" } });
    const user = await db.user.findUnique({ where: { id: "u1" } });
    expect(user?.name).toBe("Ada");
    expect(user?.createdAt).toBeInstanceOf(Date);
  });

  it("applies migrations that build exactly the schema", async () => {
    // The PostgreSQL migrations are kept by hand next to a generated schema; this catches drift.
    const dir = dbProvider(url) === "postgresql" ? "prisma/postgres" : "prisma";
    const diff = await runPrisma(["migrate", "diff", "--from-migrations", `${dir}/migrations`, "--to-schema", `${dir}/schema.prisma`, "--script"], url);
    expect(diff.trim()).toBe("-- This is an empty migration.");
  });

  it("refuses URLs it has no adapter for", () => {
    expect(() => createDb("mysql://localhost/x")).toThrow(/file: or postgres/);
    expect(dbProvider("postgres://localhost/x")).toBe("postgresql");
    expect(dbProvider("file:./x.db")).toBe("sqlite");
  });
});
