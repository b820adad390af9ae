# Setup steps shared by `./pincer up`, `./pincer test` and `./pincer bench`. Sourced, not run.
# Every step is idempotent and skips itself quickly when nothing changed (hash markers).
# Requires: pincer_root set by the caller.

step() { echo "==> $*"; }
die() { echo "pincer: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = "0" ]; }

# sha256 of the named files/directories (contents and names), ignoring missing ones.
content_hash() {
  local existing=()
  local item
  for item in "$@"; do [ -e "$pincer_root/$item" ] && existing+=("$item"); done
  if [ ${#existing[@]} -eq 0 ]; then echo none; return; fi
  (cd "$pincer_root" && find "${existing[@]}" -type f -not -path '*/node_modules/*' -not -path '*/.next/*' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
}

setup_node() {
  # shellcheck source=node-env.sh
  source "$pincer_root/scripts/node-env.sh"
  export DATA_DIR="${DATA_DIR:-$pincer_root/data}"
  mkdir -p "$DATA_DIR"
}

setup_npm_install() {
  local marker="$pincer_root/node_modules/.pincer-install-hash"
  local hash
  hash="$(content_hash package.json package-lock.json)-node$(node -p 'process.versions.modules')"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$hash" ]; then return; fi
  if [ -f "$pincer_root/package-lock.json" ]; then
    step "Installing dependencies (npm ci, about 2 minutes the first time)"
    (cd "$pincer_root" && npm ci --no-audit --no-fund) || die "npm ci failed"
  else
    step "Installing dependencies (npm install)"
    (cd "$pincer_root" && npm install --no-audit --no-fund) || die "npm install failed"
  fi
  echo "$hash" > "$marker"
}

wait_for_docker() {
  local deadline=$((SECONDS + 60))
  until docker info >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}

setup_docker() {
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then return; fi
  if ! is_root; then
    cat >&2 <<'EOF'
pincer: no usable Docker engine (`docker info` fails).
Install Docker Engine (Debian/Ubuntu: `sudo apt-get install -y docker.io`), start it
(`sudo systemctl start docker`), and let your user use it (`sudo usermod -aG docker $USER`, then log in again).
EOF
    exit 1
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    step "Installing Docker Engine (apt-get install docker.io)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null || die "could not install docker.io"
  fi
  if docker info >/dev/null 2>&1; then return; fi
  step "Starting dockerd (log: $DATA_DIR/dockerd.log)"
  # setsid: dockerd must outlive this script and not receive its Ctrl-C.
  setsid dockerd >>"$DATA_DIR/dockerd.log" 2>&1 < /dev/null &
  wait_for_docker || die "dockerd did not answer within 60 s; see $DATA_DIR/dockerd.log"
}

setup_sandbox_image() {
  local script="$pincer_root/scripts/build-sandbox-image.sh"
  if [ ! -f "$script" ]; then
    echo "==> Skipping the sandbox image: scripts/build-sandbox-image.sh does not exist yet"
    return
  fi
  # The base and every variant (sandbox-images/*), each cached by a content hash: built once per
  # machine, so a session can pick any of them with nothing built on first use.
  if [ -z "$(docker images -q pincer-sandbox:latest 2>/dev/null)" ] || [ -z "$(docker images -q pincer-sandbox-node-python:latest 2>/dev/null)" ]; then
    step "Building the sandbox images (first time: about two minutes)"
  fi
  bash "$script" >/dev/null || die "building the sandbox images failed"
}

setup_prisma() {
  local marker="$pincer_root/server/generated/.pincer-schema-hash"
  local hash
  if [ -x "$pincer_root/scripts/postgres-schema.sh" ]; then
    "$pincer_root/scripts/postgres-schema.sh" --check >/dev/null || die "prisma/postgres/schema.prisma is stale: run scripts/postgres-schema.sh"
  fi
  # Both clients, SQLite and PostgreSQL, side by side: server/db.ts picks one by DATABASE_URL.
  hash="$(content_hash prisma/schema.prisma prisma/postgres/schema.prisma prisma.config.ts package.json package-lock.json)"
  if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$hash" ] \
    || [ ! -f "$pincer_root/server/generated/prisma/client.ts" ] || [ ! -f "$pincer_root/server/generated/prisma-pg/client.ts" ]; then
    step "Generating the Prisma clients (SQLite and PostgreSQL)"
    (cd "$pincer_root" && npm run --silent db:generate >/dev/null) || die "prisma generate failed"
    mkdir -p "$(dirname "$marker")"
    echo "$hash" > "$marker"
  fi
  step "Applying database migrations"
  local output
  if ! output="$(cd "$pincer_root" && npx prisma migrate deploy 2>&1)"; then
    echo "$output" >&2
    die "prisma migrate deploy failed"
  fi
  echo "$output" | grep -E "^(All migrations|No pending|Applying)" || true
}

# server/review/hunks.ts is the one server module the browser bundle imports at runtime.
next_build_inputs=(app components lib public server/review/hunks.ts next.config.mjs next.config.ts postcss.config.mjs tsconfig.json package-lock.json)

setup_next_build() {
  if [ ! -d "$pincer_root/app" ]; then
    echo "==> Skipping next build: no app/ yet"
    return
  fi
  local marker="$pincer_root/.next/.pincer-build-hash"
  local hash
  hash="$(content_hash "${next_build_inputs[@]}")"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$hash" ]; then return; fi
  step "Building the web app (next build)"
  (cd "$pincer_root" && npx next build) || die "next build failed"
  echo "$hash" > "$marker"
}

# Browser and tools the test suites need: chromium for Playwright, git and ripgrep for tools tests,
# Compose (v2 plugin or Debian's docker-compose) for the deployment smoke test.
setup_test_tools() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
  # The remote-engine tests: TLS certificates (openssl) and an sshd of their own (server/sandbox/remote-engine.test.ts).
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  [ ${#missing[@]} -eq 0 ] && return
  if ! is_root; then
    echo "==> Missing ${missing[*]} (not root, not installing): some tests will fail" >&2
    return
  fi
  step "Installing ${missing[*]} (apt-get)"
  # The tests start their own sshd: the package's service must not start (or be left) listening
  # on port 22. policy-rc.d tells the package scripts not to start services, for this install only.
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && added_policy=1
  fi
  local installed=1
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq "${missing[@]}" >/dev/null; } || installed=""
  if [ -n "$added_policy" ]; then rm -f "$policy"; fi
  [ -n "$installed" ] || die "could not install ${missing[*]}"
}

# The gVisor runtime the sandbox tests run under (server/sandbox/gvisor.test.ts): Debian's runsc,
# registered with dockerd as "pincer-runsc-test" with --network=none (registered plainly, runsc
# refuses to start containers here: "cannot run with network enabled in root network namespace").
# Not named "runsc", so PINCER_SANDBOX_RUNTIME=auto keeps runc for every other test and e2e run.
# Runs before setup_docker, so on a fresh machine dockerd starts with the entry already in place.
gvisor_test_runtime=pincer-runsc-test
docker_daemon_json=/etc/docker/daemon.json

docker_lists_runtime() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q "\"$1\":"; }

setup_test_gvisor() {
  if ! is_root; then
    docker_lists_runtime "$gvisor_test_runtime" \
      || echo "==> No $gvisor_test_runtime runtime in dockerd (not root, not registering it): the gVisor tests will fail" >&2
    return
  fi
  if ! command -v runsc >/dev/null 2>&1; then
    step "Installing gVisor (apt-get install runsc)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runsc >/dev/null; }; then
      echo "==> Could not install runsc: the gVisor tests will fail" >&2
      return
    fi
  fi
  setup_node
  # Adds or fixes our entry only: the file's other keys (and other runtimes) stay as they are.
  local result
  result="$(DAEMON_JSON="$docker_daemon_json" RUNTIME_NAME="$gvisor_test_runtime" RUNTIME_PATH="$(command -v runsc)" node -e '
    const fs = require("node:fs");
    const path = require("node:path");
    const { DAEMON_JSON: file, RUNTIME_NAME: name, RUNTIME_PATH: runsc } = process.env;
    const config = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    const entry = { path: runsc, runtimeArgs: ["--network=none"] };
    if (JSON.stringify(config.runtimes?.[name]) === JSON.stringify(entry)) {
      console.log("unchanged");
      process.exit(0);
    }
    config.runtimes = { ...config.runtimes, [name]: entry };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.pincer-tmp`, `${JSON.stringify(config, null, 2)}\n`);
    fs.renameSync(`${file}.pincer-tmp`, file);
    console.log("changed");
  ')" || die "could not add the $gvisor_test_runtime runtime to $docker_daemon_json (is it valid JSON?)"
  [ "$result" = changed ] && step "Registered the $gvisor_test_runtime runtime in $docker_daemon_json"
  # No dockerd yet: setup_docker starts it with the entry in place.
  docker info >/dev/null 2>&1 || return 0
  # dockerd reloads its runtimes on SIGHUP, without a restart (running containers are untouched).
  # The file is what counts: a reload keeps runtimes the file no longer has, a restart does not.
  [ "$result" = unchanged ] && docker_lists_runtime "$gvisor_test_runtime" && return
  local pid
  pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
  if [ -z "$pid" ]; then
    echo "==> dockerd has no /var/run/docker.pid to reload it by: the gVisor tests will fail until dockerd reloads $docker_daemon_json" >&2
    return
  fi
  step "Reloading dockerd (SIGHUP) for the $gvisor_test_runtime runtime"
  kill -HUP "$pid"
  local deadline=$((SECONDS + 20))
  until docker_lists_runtime "$gvisor_test_runtime"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "==> dockerd did not list $gvisor_test_runtime after a reload (see its log): the gVisor tests will fail" >&2
      return
    fi
    sleep 0.5
  done
}

# PostgreSQL's programs: Debian's newest /usr/lib/postgresql/<version>/bin, else initdb on PATH.
postgres_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; fi
}

# Runs a PostgreSQL program as the cluster's owner: postgres refuses to run as root.
as_postgres() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A PostgreSQL server of the project's own for the database tests (vitest's "postgres" project):
# Debian's postgresql package, a throwaway cluster in .cache/postgres on the first free port from
# 127.0.0.1:54329 (or PINCER_TEST_POSTGRES_PORT), owned by the postgres user when we are root.
# Exports PINCER_TEST_POSTGRES_URL, a role that may create databases; .cache/postgres/url keeps it
# for test runs started by hand.

# The first TCP port on 127.0.0.1 from $1 on that nothing listens on.
free_port() {
  local port="$1"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

setup_test_postgres() {
  local dir="$pincer_root/.cache/postgres"
  local bin
  bin="$(postgres_bindir)"
  # Fast path: the server is up and the role signs in (password from the file, never on a command line).
  if [ -n "$bin" ] && [ -f "$dir/url" ] && PGPASSWORD="$(cat "$dir/password")" "$bin/psql" -h 127.0.0.1 \
    -p "$(sed -E 's|.*:([0-9]+)/.*|\1|' "$dir/url")" -U pincer_test -d postgres -qtAXc "select 1" >/dev/null 2>&1; then
    PINCER_TEST_POSTGRES_URL="$(cat "$dir/url")"
    export PINCER_TEST_POSTGRES_URL
    return
  fi
  if [ -z "$bin" ]; then
    if ! is_root; then
      echo "==> No PostgreSQL (not root, not installing): the postgres database tests will fail" >&2
      return
    fi
    step "Installing PostgreSQL (apt-get install postgresql)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
      || die "could not install postgresql"
    bin="$(postgres_bindir)"
  fi
  mkdir -p "$dir"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "no postgres user to run the test PostgreSQL as"
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" || die "the postgres user cannot reach $dir (check the parent directories' permissions)"
  fi
  # A cluster made by another PostgreSQL version cannot be started; it only ever holds test data.
  if [ "$(cat "$dir/data/PG_VERSION" 2>/dev/null)" != "$("$bin/postgres" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')" ]; then
    step "Creating the test PostgreSQL cluster in $dir/data"
    rm -rf "$dir/data" "$dir/url"
    as_postgres "$bin/initdb" -D "$dir/data" --no-locale --encoding=UTF8 --auth-local=peer --auth-host=scram-sha-256 >/dev/null \
      || die "initdb failed"
    # Throwaway data: durability is traded for speed. Reachable from this machine only.
    cat >> "$dir/data/postgresql.conf" <<CONF
# Pincer's test cluster (scripts/setup.sh setup_test_postgres)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  local port
  if as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    port="$(sed -n 4p "$dir/data/postmaster.pid")"
  else
    # The first free port from 54329 on: another checkout's test cluster may hold one already.
    port="$(free_port "${PINCER_TEST_POSTGRES_PORT:-54329}")"
    step "Starting the test PostgreSQL on 127.0.0.1:$port (log: $dir/server.log)"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null \
      || die "the test PostgreSQL did not start; see $dir/server.log"
  fi
  [ -s "$dir/password" ] || (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' > "$dir/password")
  # The password goes in on stdin, never on a command line.
  as_postgres "$bin/psql" -h "$dir" -p "$port" -d postgres -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL \
    || die "could not create the test PostgreSQL role"
SELECT 'CREATE ROLE pincer_test LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pincer_test') \gexec
ALTER ROLE pincer_test PASSWORD '$(cat "$dir/password")';
SQL
  (umask 077 && echo "postgresql://pincer_test:$(cat "$dir/password")@127.0.0.1:$port/postgres" > "$dir/url")
  PINCER_TEST_POSTGRES_URL="$(cat "$dir/url")"
  export PINCER_TEST_POSTGRES_URL
}

setup_all() {
  setup_node
  setup_npm_install
  setup_docker
  setup_sandbox_image
  setup_prisma
  setup_next_build
}
