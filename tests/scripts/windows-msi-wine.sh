#!/usr/bin/env bash
# The MSI of the Windows cross-build (scripts/windows-cross.sh msi) under wine64, in a
# fresh prefix ($WINEPREFIX, removed first): msiexec installs it; the service must then
# be registered with wine's Service Control Manager, running, serving /health on :3334
# (the settings file's port) and writing its log under ProgramData; `sc stop` must stop
# it gracefully; msiexec /x must remove the service and the programs and keep the
# settings. Prints one line a check; exits non-zero at the first that fails.
#   tests/scripts/windows-msi-wine.sh <wine64 loader> <msi>
set -euo pipefail
wine=$1
msi=$2
[[ -n ${WINEPREFIX:-} ]] || { echo "set WINEPREFIX to a throwaway folder"; exit 2; }
fail() { echo "FAIL $*"; exit 1; }
pass() { echo "PASS $*"; }
win() { "$wine" "$@" 2>/dev/null | tr -d '\r'; }

rm -rf "$WINEPREFIX"
"$wine" wineboot -i >/dev/null 2>&1
program_dir="$WINEPREFIX/drive_c/Program Files/Qt Push Service"
data_dir="$WINEPREFIX/drive_c/ProgramData/push-service"
cleanup() { "$(dirname "$wine")/wineserver" -k 2>/dev/null || true; }
trap cleanup EXIT

start=$SECONDS
"$wine" msiexec /i "$(win winepath -w "$msi")" /qn /l*v "$(win winepath -w "$WINEPREFIX/install.log")" \
    >/dev/null 2>&1 || fail "msiexec /i: status $? ($WINEPREFIX/install.log)"
pass "msiexec /i $(basename "$msi") in $((SECONDS - start)) s"
[[ -f $program_dir/push-service.exe && -f $program_dir/platforms/qwindows.dll ]] ||
    fail "the programs are not in $program_dir"
[[ -f $data_dir/push-service.ini ]] || fail "no settings file in $data_dir"
pass "installed: $(find "$program_dir" -type f | wc -l) files in Program Files, the settings in ProgramData"

query=$(win sc query push-service)
grep -q 'RUNNING' <<<"$query" || fail "the service is not running: $query"
pass "sc query push-service: RUNNING"
grep -q 'service run --config' <<<"$(win reg query 'HKLM\System\CurrentControlSet\Services\push-service' /v ImagePath)" ||
    fail "the service's command line is not 'push-service.exe service run --config ...'"
pass "registered as push-service.exe service run --config <ProgramData>\\push-service\\push-service.ini"

# The service reports RUNNING once its port is served (winservice_windows.cpp): /health
# answers now, without waiting.
health=$(curl -sS --max-time 10 http://127.0.0.1:3334/health) || fail "no answer on :3334"
grep -q '"status":"ok"' <<<"$health" || fail "/health: $health"
pass "GET /health on :3334: $health"

log=$data_dir/logs/push-service.log
grep -q 'listening on http://' "$log" || fail "no 'listening' line in $log"
pass "the service's log file: $(grep -c . "$log") lines in ProgramData\\push-service\\logs"

win sc stop push-service >/dev/null
for _ in $(seq 150); do # sc stop returns at STOP_PENDING: the drain follows
    grep -q 'STOPPED' <<<"$(win sc query push-service)" && break
    sleep 0.2
done
grep -q 'STOPPED' <<<"$(win sc query push-service)" || fail "sc stop: the service did not stop within 30 s"
grep -q 'push.service: stopped' "$log" || fail "stopped, but no graceful 'stopped' line in $log"
pass "sc stop push-service: STOPPED after the drain ('stopped' in its log)"

"$wine" msiexec /x "$(win winepath -w "$msi")" /qn >/dev/null 2>&1 || fail "msiexec /x: status $?"
win sc query push-service | grep -q 'RUNNING\|STOPPED' && fail "the service is still registered after msiexec /x"
[[ ! -e $program_dir/push-service.exe ]] || fail "push-service.exe is still installed after msiexec /x"
[[ -f $data_dir/push-service.ini ]] || fail "msiexec /x removed the settings file"
pass "msiexec /x: the service and the programs removed, the settings kept"
