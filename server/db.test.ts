import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDb } from "../test-support/temp-db";
import { createDb, type Db } from "./db";

let db: Db;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, cleanup } = await createTempDb());
});

afterAll(async () => {
  await cleanup?.();
});

describe("createDb", () => {
  it("reads and writes a migrated SQLite file", async () => {
    await db.user.create({ data: { id: "u1", name: "Ada", email: "ada@example.com" } });
    const user = await db.user.findUnique({ where: { id: "u1" } });
    expect(user?.name).toBe("Ada");
    expect(user?.createdAt).toBeInstanceOf(Date);
  });

  it("refuses URLs it has no adapter for", () => {
    expect(() => createDb("mysql://localhost/x")).toThrow(/file: or postgres/);
  });
});
