#!/usr/bin/env bash
# systemctl reload and the journal, without systemd: SIGHUP re-reads the INI file (the log
# level changes live, other changed keys are named for a restart, a bad file is refused),
# and with stderr as the "journal" (JOURNAL_STREAM naming its device and inode) every line
# carries its syslog priority prefix.
set -euo pipefail
binary=$1
work=$(mktemp -d)
pid=""
cleanup() {
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

printf '[service]\nport=0\nlogLevel=info\n' >"$work/push-service.ini"
: >"$work/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$work/journal") \
    "$binary" --config "$work/push-service.ini" --data-dir "$work/data" 2>>"$work/journal" &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/journal" && break; sleep 0.1; done
grep -q '^<6>push.service: listening on http://127.0.0.1:' "$work/journal"

printf '[service]\nport=0\nlogLevel=debug\nworkers=3\n[stream]\nkeepAliveSeconds=20\n' \
    >"$work/push-service.ini"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q 'keepAliveSeconds' "$work/journal" && break; sleep 0.1; done
grep -q '^<6>.*reload: settings re-read; log level now debug' "$work/journal"
grep -q '^<4>.*reload: service/workers changed: takes effect at restart' "$work/journal"
grep -q '^<4>.*reload: stream/keepAliveSeconds changed: takes effect at restart' "$work/journal"

printf '[service]\nlogLevel=loud\n' >"$work/push-service.ini"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q 'not applied' "$work/journal" && break; sleep 0.1; done
grep -q "^<4>.*reload: settings not applied: log level 'loud'" "$work/journal"

kill -TERM "$pid"
wait "$pid"
pid=""
grep -q '^<6>push.service: stopped' "$work/journal"
if grep -v '^<[2-7]>' "$work/journal"; then
    echo "lines without a priority prefix (above)"
    exit 1
fi
echo "reload and journal priorities: ok"
