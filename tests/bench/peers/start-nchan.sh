#!/usr/bin/env bash
# nginx + nchan, the SSE peer of the benchmark, on 127.0.0.1 with a private prefix.
#
#   tests/bench/peers/start-nchan.sh start [--dir DIR] [--port N]
#   tests/bench/peers/start-nchan.sh stop  [--dir DIR]
#   tests/bench/peers/start-nchan.sh status [--dir DIR]
#
# start: installs the Debian packages nginx and libnginx-mod-nchan when they are missing
# (apt-get, as root or through `sudo -n`), fills nchan.conf.template into DIR (default
# ${TMPDIR:-/tmp}/push-bench-nchan; pid, logs and temp files all stay there), starts nginx
# (one master, one worker) on 127.0.0.1:N (N = 0 or absent: a free port) and prints
#
#   listening on http://127.0.0.1:<port>
#   master pid <pid>
#   worker pids <pid> ...
#
# It also writes DIR/nchan.env (NCHAN_PORT, NCHAN_MASTER_PID, NCHAN_WORKER_PIDS, NCHAN_DIR;
# meant to be sourced) and DIR/worker.pids (one pid per line). The worker holds the
# connections: that is the process whose RSS and CPU time to measure.
#
#   POST http://127.0.0.1:<port>/pub/<channel>   publish (the body is the message)
#   GET  http://127.0.0.1:<port>/sub/<channel>   EventSource subscriber
#
# stop: fast shutdown of the master and its workers (SIGTERM, SIGKILL after 10 s).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATE="$HERE/nchan.conf.template"
MARKER=".push-bench-nchan"
NGINX="${NGINX:-/usr/sbin/nginx}"

die() { echo "start-nchan.sh: $*" >&2; exit 1; }

usage() {
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

command="${1:-}"
[ -n "$command" ] || usage
shift
DIR="${TMPDIR:-/tmp}/push-bench-nchan"
PORT=0
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) [ $# -ge 2 ] || usage; DIR="$2"; shift 2 ;;
        --port) [ $# -ge 2 ] || usage; PORT="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "start-nchan.sh: unknown argument $1" >&2; usage ;;
    esac
done
case "$PORT" in ''|*[!0-9]*) die "--port must be a number, not '$PORT'" ;; esac

module_path() {
    local so=""
    if command -v dpkg >/dev/null 2>&1; then
        so="$(dpkg -L libnginx-mod-nchan 2>/dev/null | grep -m1 '/ngx_nchan_module\.so$' || true)"
    fi
    [ -n "$so" ] || so="/usr/lib/nginx/modules/ngx_nchan_module.so"
    [ -f "$so" ] && echo "$so"
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        die "nginx and libnginx-mod-nchan are missing and installing them needs root: apt-get install nginx libnginx-mod-nchan"
    fi
}

ensure_installed() {
    if [ -x "$NGINX" ] && module_path >/dev/null; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 || die "nginx with the nchan module is missing and this is not a Debian system (no apt-get)"
    candidate() { apt-cache policy libnginx-mod-nchan 2>/dev/null | awk '/Candidate:/ {print $2}'; }
    local version
    version="$(candidate)"
    if [ -z "$version" ] || [ "$version" = "(none)" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq >/dev/null ||
            die "apt-get update failed"
        version="$(candidate)"
    fi
    if [ -z "$version" ] || [ "$version" = "(none)" ]; then
        die "no installable libnginx-mod-nchan (apt-cache policy libnginx-mod-nchan: no candidate)"
    fi
    echo "start-nchan.sh: installing nginx and libnginx-mod-nchan $version" >&2
    as_root env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
        nginx libnginx-mod-nchan >/dev/null || die "apt-get install nginx libnginx-mod-nchan failed"
    [ -x "$NGINX" ] || die "$NGINX is missing after installing nginx"
    module_path >/dev/null || die "ngx_nchan_module.so is missing after installing libnginx-mod-nchan"
    echo "start-nchan.sh: note: the Debian package may have started the system nginx (port 80);" \
        "this benchmark does not use it" >&2
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
    fi
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

master_pid() {
    local pid=""
    [ -f "$DIR/nginx.pid" ] && pid="$(tr -dc '0-9' <"$DIR/nginx.pid")"
    echo "$pid"
}

children_of() { ps -o pid= --ppid "$1" 2>/dev/null | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

do_start() {
    [ -f "$TEMPLATE" ] || die "missing $TEMPLATE"
    if [ -d "$DIR" ]; then
        local running
        running="$(master_pid)"
        if alive "$running"; then
            die "nginx is already running from $DIR (pid $running): start-nchan.sh stop --dir $DIR"
        fi
        if [ -n "$(ls -A "$DIR" 2>/dev/null)" ] && [ ! -f "$DIR/$MARKER" ]; then
            die "$DIR is not empty and is not a directory of start-nchan.sh; choose another --dir"
        fi
        rm -rf "${DIR:?}/logs" "${DIR:?}/tmp" "$DIR/nginx.conf" "$DIR/nginx.pid" "$DIR/nchan.env" "$DIR/worker.pids"
    fi
    ensure_installed
    local module
    module="$(module_path)"
    mkdir -p "$DIR/logs" "$DIR/tmp"
    DIR="$(cd "$DIR" && pwd)"
    touch "$DIR/$MARKER"

    # As many descriptors as this shell may have (run.sh raises the limit first).
    local hard rlimit connections
    hard="$(ulimit -Hn)"
    [ "$hard" = unlimited ] && hard=1048576
    rlimit=$((hard < 200000 ? hard : 200000))
    connections=$((rlimit - 100 < 60000 ? rlimit - 100 : 60000))
    ulimit -Sn "$rlimit" 2>/dev/null || true

    local port=""
    for _ in 1 2 3; do
        port="$PORT"
        [ "$port" != 0 ] || port="$(free_port)"
        [ -n "$port" ] || die "cannot find a free port"
        sed -e "s#@PREFIX@#$DIR#g" -e "s#@MODULE@#$module#g" -e "s#@PORT@#$port#g" \
            -e "s#@RLIMIT@#$rlimit#g" -e "s#@WORKER_CONNECTIONS@#$connections#g" \
            "$TEMPLATE" >"$DIR/nginx.conf"
        : >"$DIR/logs/error.log"
        if ! timeout 20 "$NGINX" -q -t -p "$DIR/" -c "$DIR/nginx.conf" -e "$DIR/logs/error.log" >"$DIR/logs/configtest.log" 2>&1; then
            cat "$DIR/logs/configtest.log" >&2
            die "nginx rejected $DIR/nginx.conf"
        fi
        if timeout 20 "$NGINX" -p "$DIR/" -c "$DIR/nginx.conf" -e "$DIR/logs/error.log" >"$DIR/logs/start.log" 2>&1; then
            break
        fi
        # The port may have been taken between picking and binding: pick another (bounded).
        if [ "$PORT" != 0 ] || ! grep -q 'Address already in use' "$DIR/logs/start.log" "$DIR/logs/error.log"; then
            cat "$DIR/logs/start.log" "$DIR/logs/error.log" >&2
            die "nginx did not start"
        fi
        port=""
    done
    [ -n "$port" ] || die "nginx did not start: no free port after 3 attempts"

    # Bounded waits: the pid file, a worker, an answer on /health. A failure from here on
    # stops what did start.
    trap 'do_stop' EXIT
    local master="" workers="" i
    for i in $(seq 100); do
        master="$(master_pid)"
        alive "$master" && break
        sleep 0.1
    done
    alive "$master" || { cat "$DIR/logs/error.log" >&2; die "nginx wrote no pid file in 10 s"; }
    for i in $(seq 100); do
        workers="$(children_of "$master")"
        [ -n "$workers" ] && break
        sleep 0.1
    done
    [ -n "$workers" ] || { cat "$DIR/logs/error.log" >&2; die "nginx started no worker in 10 s"; }
    for i in $(seq 100); do
        curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/health" && break
        sleep 0.1
        [ "$i" -lt 100 ] || { cat "$DIR/logs/error.log" >&2; die "nginx does not answer on 127.0.0.1:$port"; }
    done

    echo "$workers" | tr ' ' '\n' >"$DIR/worker.pids"
    cat >"$DIR/nchan.env" <<EOF
NCHAN_PORT=$port
NCHAN_MASTER_PID=$master
NCHAN_WORKER_PIDS="$workers"
NCHAN_DIR="$DIR"
EOF
    trap - EXIT
    echo "listening on http://127.0.0.1:$port"
    echo "master pid $master"
    echo "worker pids $workers"
}

do_stop() {
    [ -d "$DIR" ] || return 0
    local master workers="" i
    master="$(master_pid)"
    [ -f "$DIR/worker.pids" ] && workers="$(tr '\n' ' ' <"$DIR/worker.pids")"
    if alive "$master"; then
        workers="$workers $(children_of "$master")"
        kill -TERM "$master" 2>/dev/null || true
        for i in $(seq 100); do
            alive "$master" || break
            sleep 0.1
        done
        if alive "$master"; then kill -KILL "$master" 2>/dev/null || true; fi
    fi
    # Workers left behind by a killed master (only ours: recorded or children of our master).
    for pid in $workers; do
        if alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nginx ]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$DIR/nginx.pid"
}

do_status() {
    local master
    master="$(master_pid)"
    if alive "$master"; then
        [ -f "$DIR/nchan.env" ] && cat "$DIR/nchan.env"
        return 0
    fi
    echo "not running ($DIR)"
    return 1
}

case "$command" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    *) usage ;;
esac
