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
  if [ -z "$(docker images -q pincer-sandbox:latest 2>/dev/null)" ]; then
    step "Building the sandbox image (first time: about a minute)"
  fi
  bash "$script" >/dev/null || die "building the sandbox image failed"
}

# "file" (SQLite, the default) or "postgres": the client is generated for one of them.
db_kind() {
  local url="${DATABASE_URL:-file:}"
  echo "${url%%:*}"
}

setup_prisma() {
  local marker="$pincer_root/server/generated/.pincer-schema-hash"
  local hash
  # The client is generated for one provider: the one DATABASE_URL points at.
  hash="$(content_hash prisma/schema.prisma prisma/postgres/schema.prisma prisma.config.ts package-lock.json)-$(db_kind)"
  if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$hash" ] || [ ! -f "$pincer_root/server/generated/prisma/client.ts" ]; then
    step "Generating the Prisma client"
    (cd "$pincer_root" && npx prisma generate >/dev/null) || die "prisma generate failed"
    mkdir -p "$(dirname "$marker")"
    echo "$hash" > "$marker"
  fi
  if [ -x "$pincer_root/scripts/postgres-schema.sh" ]; then
    "$pincer_root/scripts/postgres-schema.sh" --check >/dev/null || die "prisma/postgres/schema.prisma is stale: run scripts/postgres-schema.sh"
  fi
  step "Applying database migrations"
  local output
  if ! output="$(cd "$pincer_root" && npx prisma migrate deploy 2>&1)"; then
    echo "$output" >&2
    die "prisma migrate deploy failed"
  fi
  echo "$output" | grep -E "^(All migrations|No pending|Applying)" || true
}

next_build_inputs=(app components lib public next.config.mjs next.config.ts postcss.config.mjs tsconfig.json package-lock.json)

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

# Browser and tools the test suites need: chromium for Playwright, git and ripgrep for tools tests.
setup_test_tools() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  [ ${#missing[@]} -eq 0 ] && return
  if ! is_root; then
    echo "==> Missing ${missing[*]} (not root, not installing): some tests will fail" >&2
    return
  fi
  step "Installing ${missing[*]} (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}"
}

setup_all() {
  setup_node
  setup_npm_install
  setup_docker
  setup_sandbox_image
  setup_prisma
  setup_next_build
}
