#!/usr/bin/env bash
# The Windows cross-build (scripts/windows-cross.sh) under wine64: every unit test
# executable, then push-service.exe serving this machine's real clients — the README's
# curl scripts and the JavaScript client tests named below — through a wrapper that runs
# it under wine. The caller sets WINEPREFIX and WINEPATH (the DLLs' folders; Qt finds its
# plugins beside its DLLs). Prints one PASS/FAIL line a check and a summary; exits
# non-zero when any check failed.
#   tests/scripts/windows-wine.sh <cross build folder> <wine64 loader> [node test...]
set -uo pipefail
build=$1
wine=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
node_tests=("$@")
# The node test files that need no server the Windows build lacks a driver for (not
# socketio-recovery: one of its tests shares a PostgreSQL store, and the cross-build has
# no PostgreSQL driver). amqp-bus starts a RabbitMQ server of its own.
((${#node_tests[@]})) ||
    node_tests=(sse-eventsource socketio-push configuration-api resume amqp-bus webhooks admin-api metrics)
passed=() failed=()
check() { # NAME CMD...: runs CMD, its output in $logs/NAME.log
    local name=$1 start=$SECONDS
    shift
    if "$@" >"$logs/${name//\//_}.log" 2>&1; then
        passed+=("$name")
        echo "PASS $name ($((SECONDS - start)) s)"
    else
        failed+=("$name")
        echo "FAIL $name ($((SECONDS - start)) s): $logs/${name//\//_}.log"
        tail -15 "$logs/${name//\//_}.log" | sed 's/^/    /'
    fi
}
logs=$build/wine-logs
rm -rf "$logs" && mkdir -p "$logs"

# The prefix is made on the first start (wineboot); timed apart from the checks.
start=$SECONDS
"$wine" wineboot -i >"$logs/wineboot.log" 2>&1
echo "wine prefix ready in $((SECONDS - start)) s ($WINEPREFIX)"

# qt_standard_project_setup() puts a Windows build's programs at the top of the build folder.
service_exe=$build/push-service.exe
file "$service_exe" | grep -q 'PE32+ executable.*x86-64' || { echo "FAIL: $service_exe is not a Windows x86-64 program"; exit 1; }
# A first command: a development token, minted with OpenSSL (RS256) into a new store.
token_check() {
    local data token
    data=$(mktemp -d)
    token=$("$wine" "$service_exe" token --tenant demo --data-dir "$data" | tr -d '\r')
    rm -rf "$data"
    echo "token: ${token:0:40}..."
    [[ $token =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]]
}
check token token_check

# Every unit test the cross-build made: a QtTest executable, exit status = failures.
# QtTest, like Qt's log, writes to the debugger's output when the process has no console
# window (none under wine here): QT_FORCE_STDERR_LOGGING puts its report on the streams
# (wine hands a Windows program its host QT_* variables only when spelled WINEQT_*).
totals=()
for exe in "$build"/tests/unit/tst_*.exe; do
    name=unit/$(basename "$exe" .exe)
    check "$name" env WINEQT_FORCE_STDERR_LOGGING=1 "$wine" "$exe"
    totals+=("$(grep -h '^Totals:' "$logs/${name//\//_}.log" || echo "Totals: none")")
done
echo "unit tests: $(printf '%s\n' "${totals[@]}" | awk '{p+=$2; f+=$4; s+=$6} END {print p " passed, " f " failed, " s " skipped"}') in ${#totals[@]} executables"

# push-service.exe as the binary of the scripts and node tests: a wrapper that runs it
# under wine (paths like /tmp/x are Z:\tmp\x there, the same folder). Windows has no
# SIGTERM: wine ends the process at once on it, while SIGINT reaches the program as the
# console's Ctrl+C, which is how a console program is asked to stop there. So the
# wrapper passes the tests' SIGTERM on as SIGINT: the graceful stop they expect is the
# Ctrl+C path of platform_windows.cpp.
# A Windows program's standard output has CRLF line ends (the C runtime's text mode); the
# scripts read tokens with $(...), so the wrapper drops the CRs, as bash on Windows (MSYS)
# users do. Every instance's log is also appended to $logs/services.log.
wrapper=$build/push-service-wine
cat >"$wrapper" <<EOF
#!/bin/bash
$(printf '%q %q' "$wine" "$service_exe") "\$@" > >(tr -d '\r') 2> >(tee -a $(printf '%q' "$logs/services.log") >&2) &
child=\$!
# Seen here now and then: the program logs "stopped", then never ends (one thread left,
# waiting, in wine's NtWaitForMultipleObjects). Ten seconds after the stop request the
# wrapper kills it and says so in the log, which the summary counts.
stop() {
    kill -INT \$child
    (sleep 10 && kill -0 \$child && kill -9 \$child &&
        echo "windows-wine: push-service.exe \$child had not ended 10 s after Ctrl+C: killed" >>$(printf '%q' "$logs/services.log")) >/dev/null 2>&1 &
}
trap stop TERM INT
while :; do
    wait \$child
    status=\$?
    kill -0 \$child 2>/dev/null || exit \$status
done
EOF
chmod +x "$wrapper"

for script in readme-demo readme-config readme-webhooks; do
    check "scripts/$script" bash "$here/$script.sh" "$wrapper" "$source_dir/README.md"
done
for test in "${node_tests[@]}"; do
    check "node/$test" env PUSH_SERVICE_BIN="$wrapper" NODE_PATH="$source_dir/node_modules" \
        node --test "$source_dir/tests/node/$test.test.mjs"
done

stuck=$(grep -c 'had not ended 10 s after Ctrl+C' "$logs/services.log" 2>/dev/null || true)
echo "windows-wine: push-service.exe stopped $(grep -c 'push.service: stopped' "$logs/services.log" 2>/dev/null || true) times; ${stuck:-0} of them did not end (killed)"
echo "windows-wine: ${#passed[@]} passed, ${#failed[@]} failed${failed:+: ${failed[*]}}"
((${#failed[@]} == 0))
