#!/bin/sh
# Runs one of socket.io's published protocol test suites, unchanged, against
# socketio-conformance-server --engine-io-echo (Engine.IO at /engine.io/, Socket.IO at
# /socket.io/):
#
#   run-protocol-suite.sh SERVER_BINARY engine.io-protocol|socket.io-protocol [MOCHA_ARGS...]
#
# The checkout is named by $ENGINE_IO_PROTOCOL_DIR or $SOCKET_IO_PROTOCOL_DIR: a clone of
# github.com/socketio/engine.io-protocol (or socket.io-protocol) with `npm ci` run in its
# test-suite/. Without it the script exits 77, which ctest reports as skipped. The suites
# talk to http://localhost:3000, so port 3000 must be free.
set -eu
server=$1
suite_name=$2
shift 2
case $suite_name in
engine.io-protocol) checkout=${ENGINE_IO_PROTOCOL_DIR:-} variable=ENGINE_IO_PROTOCOL_DIR ;;
socket.io-protocol) checkout=${SOCKET_IO_PROTOCOL_DIR:-} variable=SOCKET_IO_PROTOCOL_DIR ;;
*)
    echo "unknown suite $suite_name" >&2
    exit 2
    ;;
esac
if [ -z "$checkout" ]; then
    echo "\$$variable names no checkout of $suite_name: skipped"
    exit 77
fi
suite=$checkout/test-suite
if [ ! -f "$suite/test-suite.js" ] || [ ! -x "$suite/node_modules/.bin/mocha" ]; then
    echo "$suite: no test-suite.js, or its dependencies are not installed (npm ci there)" >&2
    exit 1
fi
log=$(mktemp)
"$server" --port 3000 --bind 127.0.0.1 --engine-io-echo >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
while ! grep -q "listening on" "$log"; do # the server's start-up line, or its exit
    if ! kill -0 "$pid" 2>/dev/null; then
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
cd "$suite"
# "localhost" must reach the IPv4 listener.
NODE_OPTIONS="--dns-result-order=ipv4first" ./node_modules/.bin/mocha test-suite.js "$@"
