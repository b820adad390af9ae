#!/usr/bin/env bash
# Builds the base sandbox image pincer-sandbox:<hash> (hash of sandbox-images/base + this script)
# and tags it pincer-sandbox:latest. With a reachable registry it runs `docker build`; without one
# it bootstraps Debian with debootstrap and imports the tree (design.md section 6) as
# pincer-sandbox-rootfs:<hash of the package list>, cached on its own so that changing Pincer's own
# files (the exec server) only rebuilds a one-file layer on top of it.
set -euo pipefail

script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(dirname "$(dirname "$script")")"
context="$root/sandbox-images/base"
packages="git,ca-certificates,ripgrep,python3,curl,procps"
suite="bookworm"

hash="$( (cd "$context" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; \
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

if docker image inspect "$tag" >/dev/null 2>&1; then
  docker tag "$tag" pincer-sandbox:latest
  echo "$tag"
  exit 0
fi

if [ "${PINCER_OFFLINE_IMAGE:-}" != "1" ] && timeout 30 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
  echo "==> registry reachable: docker build $tag" >&2
  docker build -t "$tag" "$context" >&2
  docker tag "$tag" pincer-sandbox:latest
  echo "$tag"
  exit 0
fi

if docker image inspect "$rootfs_tag" >/dev/null 2>&1; then
  echo "==> no registry reachable: reusing $rootfs_tag, adding Pincer's files" >&2
  add_pincer_layer
  echo "$tag"
  exit 0
fi

echo "==> no registry reachable: bootstrapping Debian $suite with debootstrap" >&2
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "==> installing debootstrap" >&2
  apt-get update -qq >&2 && apt-get install -y -qq debootstrap >&2
fi

# The first Debian mirror the host's apt uses (deb822 "URIs:" or one-line "deb URL suite").
mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | awk '/^URIs:/ {print $2} /^deb / {print ($2 ~ /^\[/ ? $3 : $2)}' \
  | grep -E '/debian/?$' | grep -v security | head -n1 || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

work="$(mktemp -d /tmp/pincer-rootfs.XXXXXX)"
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT

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
add_pincer_layer
echo "==> done" >&2
echo "$tag"
