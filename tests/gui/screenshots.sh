#!/usr/bin/env bash
# Starts push-service and push-console under Xvfb and saves a screenshot of each main view
# (dashboard, streams, webhooks, subscriptions, events, the events' replay) into a
# directory (default docs/screenshots): a stream with a projection and criteria, a
# webhook, subscribers and events flowing, so that every view has something to show.
#   tests/gui/screenshots.sh [build-dir] [output-dir]
# CONSOLE_DEV_BINARY: the push-service the console runs for its development tokens
# (default the build's; scripts/windows-cross.sh gives the Windows one under wine).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=${2:-docs/screenshots}
service_bin=$build/service/push-service
console_bin=$build/admin-gui/push-console
[[ -x $service_bin && -x $console_bin ]] || { echo "build first (scripts/dev.sh build)"; exit 1; }
command -v xvfb-run >/dev/null || { echo "xvfb-run is missing (Debian: xvfb xauth)"; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
data=$work/data
"$service_bin" --port 0 --data-dir "$data" 2>"$work/service.log" &
pids+=($!)
port=
for _ in $(seq 100); do
    port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$work/service.log" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    sleep 0.1
done
[[ -n $port ]] || { cat "$work/service.log"; exit 1; }
url=http://127.0.0.1:$port
token() { "$service_bin" token --data-dir "$data" "$@"; }
admin=$(token --tenant demo --roles urn:ads:platform:tenant-service:tenant-admin)
sender=$(token --tenant demo --roles urn:ads:platform:event-service:event-sender)
curl -s -X PATCH "$url/configuration/v2/configuration/platform/push-service" \
    -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d '{"operation":"UPDATE","update":{
    "orders":{"id":"orders","name":"Orders","description":"Orders placed in production","publicSubscribe":true,
      "events":[{"namespace":"order-service","name":"order-placed","map":{"order":"payload.id","total":"payload.total"},
                 "criteria":{"context":{"env":"prod"}}}]},
    "webhooks":{"orders-hook":{"id":"orders-hook","name":"Orders hook","url":"http://127.0.0.1:9/hook",
      "events":[{"namespace":"order-service","name":"order-placed","criteria":{"context":{"env":"prod"}}}]}}}}' >/dev/null
for stream in orders orders application-health; do
    curl -sN "$url/stream/v1/streams/$stream?tenant=demo" >/dev/null &
    pids+=($!)
done
(
    for i in $(seq 1 200); do
        curl -s -X POST "$url/event/v1/events" -H "Authorization: Bearer $sender" -H 'Content-Type: application/json' \
            -d "{\"namespace\":\"order-service\",\"name\":\"order-placed\",\"timestamp\":\"$(date -u +%FT%TZ)\",\"correlationId\":\"order-$i\",\"context\":{\"env\":\"prod\"},\"payload\":{\"id\":$i,\"total\":$((i * 7 % 100)).5}}" >/dev/null
        sleep 0.4
    done
) &
pids+=($!)
cat >"$work/console.ini" <<INI
[connections]
size=1
1\\id=screenshots
1\\name=local
1\\url=$url
1\\core=false
1\\tenant=demo
1\\auth=0
1\\devBinary=${CONSOLE_DEV_BINARY:-$PWD/$service_bin}
1\\devDataDir=$data
INI
mkdir -p "$out"
PUSH_CONSOLE_SECRETS=memory xvfb-run -a -s "-screen 0 1280x800x24" \
    "$console_bin" --settings "$work/console.ini" --connect local --screenshots "$out"
ls -l "$out"
