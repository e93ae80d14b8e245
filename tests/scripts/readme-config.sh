#!/usr/bin/env bash
# Runs the README's "Configure streams with curl" commands, as written, against a fresh
# push-service (on a free port instead of 3334), and checks what each one did.
set -euo pipefail
binary=$1
readme=$2
source "$(dirname "$0")/start-service.sh"

awk '/^### Configure streams with curl/{h=1} h&&/^```sh/{b=1;next} b&&/^```/{exit} b' "$readme" \
    | sed -e "s/localhost:3334/127.0.0.1:$port/g" -e "s|build/service/push-service|$binary|g" >"$work/demo.sh"
grep -q 'PATCH' "$work/demo.sh" || { echo "no configuration demo found in $readme"; exit 1; }
# Everything up to the DELETE, then check the stream is served; then the DELETE.
grep -v '"DELETE"' "$work/demo.sh" >"$work/create.sh"
grep -E '^(ADMIN|CONFIG)=|"DELETE"' "$work/demo.sh" >"$work/delete.sh"
bash "$work/create.sh" >"$work/create.out"
grep -q '"revision":2' "$work/create.out" || { echo "UPDATE did not make revision 2:"; cat "$work/create.out"; exit 1; }
grep -q '"author":"dev-user"' "$work/create.out" || { echo "revisions lack the author:"; cat "$work/create.out"; exit 1; }
code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/stream/v1/streams/orders?tenant=demo" || true)
[[ $code == 200 ]] || { echo "the new stream answers $code"; exit 1; }
bash "$work/delete.sh" >"$work/delete.out"
grep -q '"revision":3' "$work/delete.out" || { echo "DELETE did not make revision 3:"; cat "$work/delete.out"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/stream/v1/streams/orders?tenant=demo")
[[ $code == 404 ]] || { echo "the deleted stream answers $code"; exit 1; }
echo "README configuration demo: ok"
