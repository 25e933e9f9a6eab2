#!/usr/bin/env bash
# Runs lchost/mariadb:dev, lchost/fsb-emulator:dev and lchost/license-central:dev on a user-defined
# Docker network, waits until they are healthy, creates a ticket through the admin API, activates it,
# verifies the signature against the FSB public key, deactivates, and removes everything it created
# (trap). Build the images first: scripts/docker-images.sh. Ports are published on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

RUN=lchost-smoke-$$
NET=$RUN-net
DB=$RUN-db
FSB=$RUN-fsb
LC=$RUN-lc
FIRM=SMOKE
rand() { node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("hex"))'; }
DB_ROOT_PW=$(rand)
DB_PW=$(rand)
FSB_TOKEN=$(rand)
ADMIN_TOKEN=$(rand)

cleanup() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    for c in "$DB" "$FSB" "$LC"; do
      echo "--- logs of $c" >&2
      docker logs --tail 30 "$c" 2>&1 | sed -e "s/$FSB_TOKEN/[redacted]/g; s/$ADMIN_TOKEN/[redacted]/g; s/$DB_PW/[redacted]/g" >&2 || true
    done
  fi
  docker rm -f "$DB" "$FSB" "$LC" >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
  exit $rc
}
trap cleanup EXIT

for img in lchost/mariadb:dev lchost/fsb-emulator:dev lchost/license-central:dev; do
  docker image inspect "$img" >/dev/null 2>&1 || { echo "docker-smoke: image $img is missing: run scripts/docker-images.sh" >&2; exit 1; }
done

docker network create "$NET" >/dev/null
docker run -d --name "$DB" --network "$NET" --network-alias db \
  -e MARIADB_ROOT_PASSWORD="$DB_ROOT_PW" -e MARIADB_DATABASE=lc -e MARIADB_USER=lc -e MARIADB_PASSWORD="$DB_PW" \
  lchost/mariadb:dev >/dev/null
docker run -d --name "$FSB" --network "$NET" --network-alias fsb -p 127.0.0.1::7070 \
  -e FSB_FIRM_TOKENS="$FIRM=$FSB_TOKEN" -e FSB_SIGN_LATENCY_MS=5 \
  lchost/fsb-emulator:dev >/dev/null
docker run -d --name "$LC" --network "$NET" -p 127.0.0.1::8080 -p 127.0.0.1::8081 \
  -e LC_ADMIN_TOKEN="$ADMIN_TOKEN" -e LC_EDITION=smoke -e LC_WEB_SERVICES=false -e QUOTA_MODE=hard \
  -e LC_QUOTA_ACTIVATIONS_PER_MONTH=100 \
  -e DB_HOST=db -e DB_NAME=lc -e DB_USER=lc -e DB_PASSWORD="$DB_PW" \
  -e FSB_URL=http://fsb:7070 -e FSB_FIRM_CODE="$FIRM" -e FSB_TOKEN="$FSB_TOKEN" \
  lchost/license-central:dev >/dev/null

wait_healthy() {
  local c=$1 deadline=$((SECONDS + 120)) status
  while :; do
    status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$c")
    [ "$status" = healthy ] && { echo "docker-smoke: $c healthy"; return 0; }
    [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || { echo "docker-smoke: $c exited" >&2; return 1; }
    [ $SECONDS -lt $deadline ] || { echo "docker-smoke: $c not healthy after 120 s ($status)" >&2; return 1; }
    sleep 1
  done
}
wait_healthy "$DB"
wait_healthy "$FSB"
wait_healthy "$LC"

port() { docker port "$1" "$2" | head -1 | sed 's/.*://'; }
LC_URL=http://127.0.0.1:$(port "$LC" 8080) \
LC_ADMIN_URL=http://127.0.0.1:$(port "$LC" 8081) \
FSB_URL_HOST=http://127.0.0.1:$(port "$FSB" 7070) \
FIRM=$FIRM ADMIN_TOKEN=$ADMIN_TOKEN \
  node scripts/docker-smoke-client.js

if docker logs "$LC" 2>&1 | grep -qF -e "$ADMIN_TOKEN" -e "$FSB_TOKEN" -e "$DB_PW"; then
  echo "docker-smoke: a secret appeared in the License Central logs" >&2
  exit 1
fi
echo "ok - no secret in the License Central logs"
