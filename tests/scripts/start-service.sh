# Sourced by the README scripts, with $binary set: starts push-service on a free port
# with its data directory in a fresh $work (shared with `push-service token`, as the
# default one is); sets $work, $service and $port; on exit stops it (and $stream, when
# set) and removes $work.
work=$(mktemp -d)
cleanup() {
    kill "${service:-}" "${stream:-}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export PUSH_DATA_DIR="$work/data"
"$binary" --port 0 --bind 127.0.0.1 2>"$work/log" &
service=$!
port=
for _ in $(seq 100); do
    port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$work/log" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    sleep 0.1
done
[[ -n $port ]] || { echo "push-service did not start"; cat "$work/log"; exit 1; }
