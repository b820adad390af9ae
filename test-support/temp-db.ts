// A migrated SQLite database in a temp dir, for tests that need the real persistence layer.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createDb, type Db } from "../server/db";

const root = path.resolve(import.meta.dirname, "..");

export const createTempDb = async (): Promise<{ db: Db; url: string; dir: string; cleanup: () => Promise<void> }> => {
  const dir = mkdtempSync(path.join(tmpdir(), "pincer-db-"));
  const url = `file:${path.join(dir, "pincer.db")}`;
  await promisify(execFile)(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
  });
  const db = createDb(url);
  return {
    db,
    url,
    dir,
    cleanup: async () => {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
