#!/usr/bin/env bash
# Builds the base sandbox image pincer-sandbox:<hash> (hash of sandbox-images/base + this script)
# and tags it pincer-sandbox:latest. With a reachable registry it runs `docker build`; without one
# it bootstraps Debian with debootstrap and imports the tree (design.md section 6).
set -euo pipefail

script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
root="$(dirname "$(dirname "$script")")"
context="$root/sandbox-images/base"
packages="git,ca-certificates,ripgrep,python3,curl,procps"
suite="bookworm"

hash="$( (cd "$context" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; \
  sha256sum < "$script") | sha256sum | cut -c1-12)"
tag="pincer-sandbox:$hash"

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

echo "==> docker import $tag" >&2
tar --numeric-owner -C "$work" -c . | docker import \
  --change 'USER pincer' \
  --change 'WORKDIR /workspace' \
  --change 'ENV HOME=/home/pincer' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["sleep", "infinity"]' \
  - "$tag" >/dev/null
docker tag "$tag" pincer-sandbox:latest
echo "==> done" >&2
echo "$tag"
