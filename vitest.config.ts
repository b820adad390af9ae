import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/.cache/**", "e2e/**", "**/.next/**", "**/.next-*/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Tests never touch the real data/secret.key.
    env: { PINCER_SECRET_KEY: "dGVzdC1rZXktdGhpcnR5LXR3by1ieXRlcy1sb25nISE=" },
  },
});
