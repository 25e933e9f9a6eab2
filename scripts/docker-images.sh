#!/usr/bin/env bash
# Builds the local images without any registry:
#   lchost/debian-base:bookworm   (debootstrap, only when missing)
#   lchost/fsb-emulator:dev, lchost/license-central:dev, lchost/notifier:dev, lchost/status-portal:dev (FROM the Debian base; nodejs from apt)
#   lchost/mariadb:dev            (FROM the Debian base; mariadb-server from apt)
#   lchost/prometheus:dev, lchost/alertmanager:dev, lchost/blackbox-exporter:dev   (the operations stack;
#                                 FROM the Debian base; prometheus, prometheus-alertmanager, prometheus-blackbox-exporter from apt)
#   lchost/haproxy:dev, lchost/mysqld-exporter:dev   (FROM the Debian base; haproxy, prometheus-mysqld-exporter from apt)
#   lchost/heal:dev               (the operations stack's heal service: the compiled toolkit itself, `lchost heal serve`)
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
  # The mirror is the one this machine's own apt uses (deb822 or one-line sources), never one named here.
  MIRROR=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {u=$2} /^Suites:/ && $2=="bookworm" && u!="" {print u; exit}' || true)
  [ -n "$MIRROR" ] || MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1=="deb" && $3=="bookworm" {print $2; exit}' || true)
  [ -n "$MIRROR" ] || { echo "docker-images: no Debian bookworm mirror in this machine's apt sources (/etc/apt/sources.list*)" >&2; exit 1; }
  ROOTFS=$(mktemp -d /tmp/lchost-rootfs.XXXXXX)
  trap 'rm -rf "$ROOTFS"' EXIT
  echo "docker-images: debootstrap bookworm from $MIRROR"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/tmp/lchost-debootstrap.log 2>&1 || { tail -20 /tmp/lchost-debootstrap.log >&2; exit 1; }
  # The image's apt knows the same suites as this machine (bookworm-security too), so `lchost scan` can list
  # pending security updates inside it.
  for f in /etc/apt/sources.list.d/*.sources; do
    grep -q '^Suites:.*bookworm' "$f" 2>/dev/null && cp "$f" "$ROOTFS/etc/apt/sources.list.d/" && rm -f "$ROOTFS/etc/apt/sources.list"
  done
  tar -C "$ROOTFS" -c . | docker import - "$BASE" >/dev/null
  rm -rf "$ROOTFS"
  trap - EXIT
  echo "docker-images: imported $BASE"
else
  echo "docker-images: $BASE present"
fi

npm run --silent build:services
node scripts/stage-node-modules.js dist/docker/node_modules
# the heal image is the toolkit: all of dist/ (but the staging itself and source maps), the catalog that
# model/packageRoot finds beside package.json, and the packages `lchost heal serve` loads (its Dockerfile checks them)
npm run --silent build
rm -rf dist/docker/heal && mkdir -p dist/docker/heal/dist dist/docker/heal/model
cp package.json dist/docker/heal/ && cp model/catalog.yaml dist/docker/heal/model/
tar -C dist --exclude=./docker --exclude='*.map' -cf - . | tar -C dist/docker/heal/dist -xf -
node scripts/stage-node-modules.js dist/docker/heal-node_modules fastify pino mysql2 commander yaml ajv \
  @pulumi/pulumi @pulumi/docker @pulumi/random @pulumi/tls @pulumi/kubernetes

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
build lchost/notifier:dev -f notifier/Dockerfile --build-arg BASE_IMAGE="$SERVICES_BASE" .
build lchost/status-portal:dev -f status-portal/Dockerfile --build-arg BASE_IMAGE="$SERVICES_BASE" .
build lchost/heal:dev -f heal/Dockerfile --build-arg BASE_IMAGE="$SERVICES_BASE" .
build lchost/mariadb:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/mariadb
build lchost/haproxy:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/haproxy
build lchost/prometheus:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/prometheus
build lchost/alertmanager:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/alertmanager
build lchost/blackbox-exporter:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/blackbox-exporter
build lchost/mysqld-exporter:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/mysqld-exporter
# HA on lchost:hosts only (keepalived of the balancer pair, garbd): opt-in, so the smoke runs build nothing more
if [ "${LCHOST_HA_IMAGES:-0}" = 1 ]; then
  build lchost/keepalived:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/keepalived
  build lchost/garbd:dev --build-arg BASE_IMAGE="$BASE" scripts/docker/garbd
fi
