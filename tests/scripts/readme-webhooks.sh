#!/usr/bin/env bash
# Runs the README's "Webhooks" and "Operate it live" commands, as written, against a fresh
# push-service (on a free port instead of 3334) and a local webhook target (instead of
# 127.0.0.1:9000), and checks what each one did.
set -euo pipefail
binary=$1
readme=$2
source "$(dirname "$0")/start-service.sh"

section() {
    awk -v title="$1" '$0 == title {h=1} h&&/^```sh/{b=1;next} b&&/^```/{exit} b' "$readme"
}

# The webhook target: records each POST body, one JSON per line.
cat >"$work/target.py" <<'PY'
import http.server, sys
class Target(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        with open(sys.argv[1], 'ab') as calls:
            calls.write(body + b'\n')
        self.send_response(200)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Target)
print(server.server_port, flush=True)
server.serve_forever()
PY
python3 "$work/target.py" "$work/calls" >"$work/target.port" &
stream=$!
for _ in $(seq 50); do [[ -s $work/target.port ]] && break; sleep 0.1; done
target=$(cat "$work/target.port")

section '### Webhooks' | sed -e "s/localhost:3334/127.0.0.1:$port/g" -e "s/127.0.0.1:9000/127.0.0.1:$target/g" \
    -e "s|build/service/push-service|$binary|g" >"$work/webhooks.sh"
grep -q 'webhooks' "$work/webhooks.sh" || { echo "no webhook demo found in $readme"; exit 1; }
bash "$work/webhooks.sh" >"$work/webhooks.out"
grep -q '"outcome":"success"' "$work/webhooks.out" || { echo "the test call did not succeed:"; cat "$work/webhooks.out"; exit 1; }
[[ $(wc -l <"$work/calls") == 1 ]] || { echo "the target did not get the test call"; exit 1; }
# A real event with the criteria's context fires the webhook too.
sender=$("$binary" token --tenant demo --roles urn:ads:platform:event-service:event-sender)
curl -s -X POST "http://127.0.0.1:$port/event/v1/events" -H "Authorization: Bearer $sender" \
    -H 'Content-Type: application/json' \
    -d '{"namespace":"order-service","name":"order-placed","timestamp":"2026-11-26T12:00:00Z","context":{"env":"prod"},"payload":{"id":7}}' >/dev/null
for _ in $(seq 50); do [[ $(wc -l <"$work/calls") == 2 ]] && break; sleep 0.1; done
grep -q '"payload":{"id":7}' "$work/calls" || { echo "the event did not reach the webhook:"; cat "$work/calls"; exit 1; }

# Operate it live: the feed in the background, the list, and a DELETE of the first one.
curl -sN "http://127.0.0.1:$port/stream/v1/streams/application-health?tenant=demo" >"$work/sse.out" &
subscriber=$!
section '### Operate it live' | sed -e "s/localhost:3334/127.0.0.1:$port/g" \
    -e "s|build/service/push-service|$binary|g" -e 's/ &   #.*/ >"$WORK\/feed.out" \&/' >"$work/operate.sh"
grep -q 'admin/v1/subscriptions' "$work/operate.sh" || { echo "no admin demo found in $readme"; exit 1; }
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/health" | grep -q '"subscribers":1' && break; sleep 0.1; done
WORK=$work bash "$work/operate.sh" >"$work/operate.out"
grep -q '"stream":"application-health"' "$work/operate.out" || { echo "the list lacks the subscriber:"; cat "$work/operate.out"; exit 1; }
grep -q '"disconnected":true' "$work/operate.out" || { echo "DELETE did not disconnect:"; cat "$work/operate.out"; exit 1; }
wait "$subscriber" || true
grep -q 'closed: disconnected by an administrator' "$work/sse.out" || { echo "the stream was not closed:"; cat "$work/sse.out"; exit 1; }
grep -q '"type":"unsubscribe"' "$work/feed.out" || { echo "the feed did not report it:"; cat "$work/feed.out"; exit 1; }
echo "README webhook and admin demos: ok"
