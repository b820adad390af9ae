#!/usr/bin/env bash
# Builds the sandbox images, each tagged <name>:<content hash> and <name>:latest, and prints the
# hashed tags. Usage: scripts/build-sandbox-image.sh [VARIANT...] (default: every variant).
# `--rootfs` only makes sure the debootstrap tree below exists and prints its tag (the offline
# stand-ins of deploy/offline-base-images/ build on it).
#
# The base image pincer-sandbox (sandbox-images/base): with a reachable registry it runs
# `docker build`; without one it bootstraps Debian with debootstrap and imports the tree (design.md
# section 6) as pincer-sandbox-rootfs:<hash of the package list>, cached on its own so that changing
# Pincer's own files (the exec server) only rebuilds a one-file layer on top of it.
#
# Variants pincer-sandbox-<dir> (every other folder of sandbox-images/ with a Dockerfile): a plain
# `docker build` FROM the base just built (build arg BASE_IMAGE), whose apt reaches Debian's mirror
# as the host does (host network), so they need no registry either. Their hash covers the base's.
set -euo pipefail

script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(dirname "$(dirname "$script")")"
context="$root/sandbox-images/base"
packages="git,ca-certificates,ripgrep,python3,curl,procps"
suite="bookworm"

hash="$( (cd "$context" && find . -type f -not -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; \
  sha256sum < "$script") | sha256sum | cut -c1-12)"
tag="pincer-sandbox:$hash"
rootfs_hash="$(printf '%s\n' "$suite" "$packages" "useradd 1000 pincer; /workspace; slim v1" | sha256sum | cut -c1-12)"
rootfs_tag="pincer-sandbox-rootfs:$rootfs_hash"

# Pincer's files on top of the Debian tree (the Dockerfile's COPY lines, for the offline path).
add_pincer_layer() {
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" -f - "$context" >/dev/null <<DOCKERFILE
FROM $rootfs_tag
COPY exec-server.py /opt/pincer/exec-server.py
USER pincer
WORKDIR /workspace
ENV HOME=/home/pincer LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sleep", "infinity"]
DOCKERFILE
  docker tag "$tag" pincer-sandbox:latest
}

# The base image pincer-sandbox:$hash, from the cache, a registry, or debootstrap.
build_base() {
  if docker image inspect "$tag" >/dev/null 2>&1; then
    docker tag "$tag" pincer-sandbox:latest
    return
  fi
  if [ "${PINCER_OFFLINE_IMAGE:-}" != "1" ] && timeout 30 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
    echo "==> registry reachable: docker build $tag" >&2
    docker build -t "$tag" "$context" >&2
    docker tag "$tag" pincer-sandbox:latest
    return
  fi
  if ! docker image inspect "$rootfs_tag" >/dev/null 2>&1; then
    bootstrap_rootfs
  else
    echo "==> no registry reachable: reusing $rootfs_tag, adding Pincer's files" >&2
  fi
  add_pincer_layer
}

# Debian from its packages (debootstrap), imported as $rootfs_tag.
bootstrap_rootfs() {
  echo "==> no registry reachable: bootstrapping Debian $suite with debootstrap" >&2
  if ! command -v debootstrap >/dev/null 2>&1; then
    echo "==> installing debootstrap" >&2
    apt-get update -qq >&2 && apt-get install -y -qq debootstrap >&2
  fi

  # The first Debian mirror the host's apt uses (deb822 "URIs:" or one-line "deb URL suite").
  local mirror
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^URIs:/ {print $2} /^deb / {print ($2 ~ /^\[/ ? $3 : $2)}' \
    | grep -E '/debian/?$' | grep -v security | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"

  work="$(mktemp -d /tmp/pincer-rootfs.XXXXXX)"
  trap 'rm -rf --one-file-system "$work"' EXIT

  echo "==> debootstrap --variant=minbase $suite from $mirror (about a minute)" >&2
  debootstrap --variant=minbase --include="$packages" "$suite" "$work" "$mirror" \
    | while IFS= read -r line; do case "$line" in I:\ Retrieving*|I:\ Validating*) ;; *) echo "    $line" >&2;; esac; done

  echo "==> adding user pincer (uid 1000) and /workspace" >&2
  chroot "$work" useradd --uid 1000 --user-group --create-home --home-dir /home/pincer --shell /bin/bash pincer
  mkdir -p "$work/workspace"
  chown 1000:1000 "$work/workspace"
  # Slim the image: apt lists, caches and docs are not needed at run time.
  rm -rf "$work"/var/lib/apt/lists/* "$work"/var/cache/apt/*.bin "$work"/var/cache/apt/archives/*.deb \
    "$work"/usr/share/doc/* "$work"/usr/share/man/* "$work"/usr/share/info/*

  echo "==> docker import $rootfs_tag" >&2
  tar --numeric-owner -C "$work" -c . | docker import \
    --change 'USER pincer' \
    --change 'WORKDIR /workspace' \
    --change 'ENV HOME=/home/pincer' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["sleep", "infinity"]' \
    - "$rootfs_tag" >/dev/null
  echo "==> adding Pincer's files ($tag)" >&2
}

# pincer-sandbox-<name>:<hash of its folder, this script and the base image's id>, FROM the base.
build_variant() {
  local name="$1"
  local dir="$root/sandbox-images/$name"
  [ -f "$dir/Dockerfile" ] || { echo "build-sandbox-image: no sandbox-images/$name/Dockerfile" >&2; exit 2; }
  local base_id variant_hash variant_tag
  base_id="$(docker image inspect -f '{{.Id}}' "$tag")"
  variant_hash="$( (cd "$dir" && find . -type f -not -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; \
    sha256sum < "$script"; echo "$base_id") | sha256sum | cut -c1-12)"
  variant_tag="pincer-sandbox-$name:$variant_hash"
  if ! docker image inspect "$variant_tag" >/dev/null 2>&1; then
    echo "==> building $variant_tag FROM $tag (Debian packages; about a minute)" >&2
    # Host network: apt in the build reaches Debian's mirror (or the host's apt proxy) as the host does.
    local proxy_args=()
    local proxy
    for proxy in http_proxy https_proxy no_proxy; do
      if [ -n "${!proxy:-}" ]; then proxy_args+=(--build-arg "$proxy=${!proxy}"); fi
    done
    DOCKER_BUILDKIT=0 docker build -q --network host --build-arg "BASE_IMAGE=$tag" "${proxy_args[@]}" \
      -t "$variant_tag" "$dir" >/dev/null
  fi
  docker tag "$variant_tag" "pincer-sandbox-$name:latest"
  echo "$variant_tag"
}

if [ "${1:-}" = "--rootfs" ]; then
  docker image inspect "$rootfs_tag" >/dev/null 2>&1 || bootstrap_rootfs
  echo "$rootfs_tag"
  exit 0
fi

build_base
echo "$tag"

variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  for dir in "$root"/sandbox-images/*/; do
    name="$(basename "$dir")"
    if [ "$name" != base ] && [ -f "$dir/Dockerfile" ]; then variants+=("$name"); fi
  done
fi
for name in "${variants[@]}"; do
  [ "$name" = base ] || build_variant "$name"
done
