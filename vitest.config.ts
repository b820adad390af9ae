import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

/** Test files whose subject is the database (test-support/temp-db.ts and what builds on it): they
 * run once more against PostgreSQL. Files that only keep an event log around a sandbox stay SQLite-only. */
export const databaseTestFiles = [
  "server/db.test.ts",
  "server/sessions/service.test.ts",
  "server/sessions/team-policy-store.test.ts",
  "server/sessions/user-rules-store.test.ts",
  "server/auth/auth.test.ts",
  "server/trpc/access.test.ts",
  "server/audit/audit-log.test.ts",
  "server/ws/socket-registry.test.ts",
  "server/auth/external-providers.test.ts",
  "server/trpc/routers/invitations.test.ts",
];

/** The deployment smoke test: builds and runs docker-compose.yml (minutes, machine-wide images,
 * containers and a published port), so it is a project of its own that `./pincer test` runs alone. */
export const composeTestFiles = ["deploy/compose.test.ts"];

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    exclude: ["**/node_modules/**", "**/.cache/**", "e2e/**", "**/.next/**", "**/.next-*/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Tests never touch the real data/secret.key.
    env: { PINCER_SECRET_KEY: "dGVzdC1rZXktdGhpcnR5LXR3by1ieXRlcy1sb25nISE=" },
    projects: [
      { extends: true, test: { name: "sqlite", include: ["**/*.test.ts"], exclude: composeTestFiles } },
      // The test PostgreSQL comes from scripts/setup.sh setup_test_postgres (./pincer test starts it).
      { extends: true, test: { name: "postgres", include: databaseTestFiles, env: { PINCER_TEST_DB: "postgres" } } },
      { extends: true, test: { name: "compose", include: composeTestFiles } },
    ],
  },
});
