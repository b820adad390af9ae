import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "./db";

const root = path.resolve(import.meta.dirname, "..");
const tempDir = mkdtempSync(path.join(tmpdir(), "pincer-db-"));
const url = `file:${path.join(tempDir, "pincer.db")}`;
let db: Db;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
  });
  db = createDb(url);
});

afterAll(async () => {
  await db?.$disconnect();
  rmSync(tempDir, { recursive: true, force: true });
});

describe("createDb", () => {
  it("reads and writes a migrated SQLite file", async () => {
    await db.user.create({ data: { id: "u1", name: "Ada" } });
    const user = await db.user.findUnique({ where: { id: "u1" } });
    expect(user?.name).toBe("Ada");
    expect(user?.createdAt).toBeInstanceOf(Date);
  });

  it("refuses URLs it has no adapter for", () => {
    expect(() => createDb("mysql://localhost/x")).toThrow(/file: or postgres/);
  });
});
