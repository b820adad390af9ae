// Next serves the pages and client bundles only. Everything under server/ runs in the custom
// server's own process (tsx), so the bundler must never pull it in: client code imports from
// server/ with `import type` only (erased at compile time), and the packages below stay external
// in case a server component ever reaches them.
/** @type {import("next").NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Two builds side by side (parallel work on one machine) each get their own output folder.
  distDir: process.env.PINCER_NEXT_DIST_DIR || ".next",
  // `npm run typecheck` (tsc over app, lib and server alike) is the one type check; skipping it
  // here keeps builds fast and keeps half-finished server code from blocking a page build.
  typescript: { ignoreBuildErrors: true },
  turbopack: {
    root: import.meta.dirname,
  },
  serverExternalPackages: [
    "dockerode",
    "ssh2",
    "cpu-features",
    "better-sqlite3",
    "@prisma/client",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "ws",
  ],
};

export default nextConfig;
