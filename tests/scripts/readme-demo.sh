#!/usr/bin/env bash
# Runs the README's "Watch an event arrive" curl commands, as written, against a fresh
# push-service (on a free port instead of 3334) and checks that the event arrives.
set -euo pipefail
binary=$1
readme=$2
source "$(dirname "$0")/start-service.sh"

# The first ```sh block after the heading, pointed at this service.
awk '/^### Watch an event arrive/{h=1} h&&/^```sh/{b=1;next} b&&/^```/{exit} b' "$readme" \
    | sed -e "s/localhost:3334/127.0.0.1:$port/g" -e "s|build/service/push-service|$binary|g" >"$work/demo.sh"
grep -q 'curl -N' "$work/demo.sh" || { echo "no demo found in $readme"; exit 1; }
subscribe=$(grep 'curl -N' "$work/demo.sh" | sed 's/ &$//')
publish=$(grep -v 'curl -N' "$work/demo.sh")

bash -c "$subscribe" >"$work/stream.out" &
stream=$!
for _ in $(seq 50); do
    grep -q '"subscribers":1' <(curl -s "http://127.0.0.1:$port/health") && break
    sleep 0.1
done
bash -c "$publish" >"$work/publish.out"
for _ in $(seq 50); do
    grep -q '^data: ' "$work/stream.out" && break
    sleep 0.1
done
echo "stream printed:"
cat "$work/stream.out"
grep -q '^data: .*"namespace":"status-service".*"tenantId":"urn:ads:platform:tenant-service:v2:/tenants/demo"' \
    "$work/stream.out" || { echo "FAIL: the README demo's event did not arrive"; exit 1; }
echo "PASS: the README demo works"
