#!/usr/bin/env bash
# The Windows cross-build (scripts/windows-cross.sh) under wine64: every unit test
# executable, then push-service.exe serving this machine's real clients — the README's
# curl scripts and the JavaScript client tests named below — through a wrapper that runs
# it under wine. The caller sets WINEPREFIX, WINEPATH (the DLLs' folders) and
# QT_PLUGIN_PATH. Prints one PASS/FAIL line a check and a summary; exits non-zero when
# any check failed.
#   tests/scripts/windows-wine.sh <cross build folder> <wine64 loader> [node test...]
set -uo pipefail
build=$1
wine=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
node_tests=("$@")
((${#node_tests[@]})) || node_tests=(sse-eventsource socketio-push configuration-api resume)
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

service_exe=$build/service/push-service.exe
file "$service_exe" | grep -q 'PE32+ executable.*x86-64' || { echo "FAIL: $service_exe is not a Windows x86-64 program"; exit 1; }
check version "$wine" "$service_exe" --version

# Every unit test the cross-build made: a QtTest executable, exit status = failures.
for exe in "$build"/tests/unit/tst_*.exe; do
    name=unit/$(basename "$exe" .exe)
    check "$name" "$wine" "$exe"
done

# push-service.exe as the binary of the scripts and node tests: a wrapper that runs it
# under wine (paths like /tmp/x are Z:\tmp\x there, the same folder). Windows has no
# SIGTERM: wine ends the process at once on it, while SIGINT reaches the program as the
# console's Ctrl+C, which is how a console program is asked to stop there. So the
# wrapper passes the tests' SIGTERM on as SIGINT: the graceful stop they expect is the
# Ctrl+C path of platform_windows.cpp.
wrapper=$build/push-service-wine
cat >"$wrapper" <<EOF
#!/bin/bash
$(printf '%q %q' "$wine" "$service_exe") "\$@" &
child=\$!
trap 'kill -INT \$child' TERM INT
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

echo "windows-wine: ${#passed[@]} passed, ${#failed[@]} failed${failed:+: ${failed[*]}}"
((${#failed[@]} == 0))
