#!/usr/bin/env bash
# Builds the local images without any registry:
#   lchost/debian-base:bookworm   (debootstrap, only when missing)
#   lchost/fsb-emulator:dev, lchost/license-central:dev   (FROM the Debian base; nodejs from apt)
#   lchost/mariadb:dev            (FROM the Debian base; mariadb-server from apt)
# Needs: a running dockerd, debootstrap, node + npm ci done. Idempotent (base kept, layers cached).
# Env: SERVICES_BASE_IMAGE (default lchost/debian-base:bookworm; e.g. node:20-bookworm-slim where a registry exists).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=lchost/debian-base:bookworm
SERVICES_BASE=${SERVICES_BASE_IMAGE:-$BASE}
export DOCKER_BUILDKIT=0 # legacy builder: docker.io 20.10 has no buildx here

docker info >/dev/null 2>&1 || { echo "docker-images: dockerd is not reachable (start it: dockerd >/var/log/dockerd.log 2>&1 &)" >&2; exit 1; }

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "docker-images: debootstrap is missing (apt-get install -y debootstrap)" >&2; exit 1; }
  MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
  ROOTFS=$(mktemp -d /tmp/lchost-rootfs.XXXXXX)
  trap 'rm -rf "$ROOTFS"' EXIT
  echo "docker-images: debootstrap bookworm from $MIRROR"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/tmp/lchost-debootstrap.log 2>&1 || { tail -20 /tmp/lchost-debootstrap.log >&2; exit 1; }
  tar -C "$ROOTFS" -c . | docker import - "$BASE" >/dev/null
  rm -rf "$ROOTFS"
  trap - EXIT
  echo "docker-images: imported $BASE"
else
  echo "docker-images: $BASE present"
fi

npm run --silent build:services
node scripts/stage-node-modules.js dist/docker/node_modules

build() { # TAG ARGS... (output kept in a log, shown on failure)
  local tag=$1 log
  shift
  log=$(mktemp /tmp/lchost-docker-build.XXXXXX)
  if ! docker build -t "$tag" "$@" >"$log" 2>&1; then
    echo "docker-images: building $tag failed:" >&2
    tail -40 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  echo "docker-images: built $tag"
}
build lchost/fsb-emulator:dev -f fsb-emulator/Dockerfile --build-arg BASE_IMAGE="$SERVICES_BASE" .
build lchost/license-central:dev -f license-central/Dockerfile --build-arg BASE_IMAGE="$SERVICES_BASE" .
build lchost/mariadb:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/mariadb
build lchost/haproxy:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/haproxy
