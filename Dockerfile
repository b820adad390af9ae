# Pincer itself (not a sandbox image), for docker-compose.yml. Sandboxes are sibling containers
# started through the host's Docker socket, which only this container gets.
# Layers go from what changes least to what changes most, so a rebuild after a code change reruns
# only the steps behind it (.dockerignore keeps the tests out of the context for the same reason).
FROM node:24-bookworm-slim

# Build tools for better-sqlite3; git for workspaces; the docker CLI and debootstrap for
# scripts/build-sandbox-image.sh (it talks to the host engine through the mounted socket).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ git ca-certificates docker.io debootstrap \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
# Both Prisma clients (SQLite and PostgreSQL); server/db.ts picks one by DATABASE_URL at runtime, and
# `prisma migrate deploy` (prisma.config.ts) applies prisma/postgres/migrations for a postgres URL.
RUN npm run db:generate && npx next build

ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/var/lib/pincer
EXPOSE 3000
# The sandbox images (cached by content hash on the host engine), the migrations, then the server
# itself as PID 1 (no npx in between), so `docker stop` reaches its SIGTERM handler: running turns
# stop cleanly and the warm sandboxes are removed.
CMD ["sh", "-c", "bash scripts/build-sandbox-image.sh >/dev/null && npx prisma migrate deploy && exec node --import tsx server/index.ts"]
