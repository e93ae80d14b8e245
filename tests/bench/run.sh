#!/usr/bin/env bash
# The benchmark of push-service against its peers, driven by the same load generator in the
# same run (see tests/bench/README.md):
#
#   tests/bench/run.sh [--quick] [--out DIR] [--scenarios a,b,c,d] [--resume on|off|redis]
#
#   (a) socket.io WebSocket subscribers on one stream, a rate ladder until p99 > 100 ms:
#       push-service vs the Node socket.io 4.x server (tests/bench/peers/node-socketio-server.mjs)
#   (b) the same with SSE: push-service vs nginx + nchan (tests/bench/peers/start-nchan.sh)
#   (c) idle subscribers of each kind: memory per connection
#   (d) stalled subscribers among healthy ones: memory, and the healthy ones' p99
#
# --resume: push-service's replay log (docs/resume.md): on (the default, the embedded SQLite
# log), off (PUSH_RESUME=off), redis (a private redis-server for the run, PUSH_REDIS_URL).
#
# Needs the built binaries build/service/push-service and build/tests/bench/push-loadgen
# (BUILD_DIR=... for another build tree), node, curl, and nginx + libnginx-mod-nchan (installed
# on demand). Results: DIR/*.json (one per load generator run), DIR/*.tsv (rate ladders),
# DIR/logs/, and DIR/summary.md (also printed). DIR defaults to tests/bench/results/latest.
#
# Scale knobs (environment): BENCH_SUBSCRIBERS, BENCH_LADDER ("10 20 50 ..."), BENCH_STEP_SECONDS,
# BENCH_IDLE_SUBSCRIBERS, BENCH_SLOW_SUBSCRIBERS (total of scenario d), BENCH_SLOW_STALLED,
# BENCH_SLOW_RATE, BENCH_SLOW_SECONDS, BENCH_SLOW_EVENT_BYTES. PUSH_WORKERS is passed on to
# push-service (default: one I/O thread per core).
set -uo pipefail

usage() {
    sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "run.sh: $*" >&2
    exit 1
}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

INVOCATION="tests/bench/run.sh${*:+ $*}"
QUICK=0
OUT=""
SCENARIOS="a,b,c,d"
RESUME=on
while [ $# -gt 0 ]; do
    case "$1" in
        --resume) [ $# -ge 2 ] || usage; RESUME="$2"; shift 2 ;;
        --resume=*) RESUME="${1#--resume=}"; shift ;;
        --quick) QUICK=1; shift ;;
        --out) [ $# -ge 2 ] || usage; OUT="$2"; shift 2 ;;
        --out=*) OUT="${1#--out=}"; shift ;;
        --scenarios) [ $# -ge 2 ] || usage; SCENARIOS="$2"; shift 2 ;;
        --scenarios=*) SCENARIOS="${1#--scenarios=}"; shift ;;
        -h|--help) usage ;;
        *) echo "run.sh: unknown argument $1" >&2; usage ;;
    esac
done
case ",$SCENARIOS," in *[!abcd,]*) die "--scenarios takes a comma-separated list of a, b, c, d" ;; esac
case "$RESUME" in on|off|redis) ;; *) die "--resume takes on, off or redis" ;; esac
want() { case ",$SCENARIOS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ -n "$OUT" ] || OUT="$ROOT/tests/bench/results/latest"
OUT="$(realpath -m -- "$OUT")" || die "bad --out $OUT"
cd "$ROOT" || die "cannot enter $ROOT"

BUILD="${BUILD_DIR:-$ROOT/build}"
PUSH_BIN="$BUILD/service/push-service"
LOADGEN="$BUILD/tests/bench/push-loadgen"
NODE_PEER="$ROOT/tests/bench/peers/node-socketio-server.mjs"
NCHAN="$ROOT/tests/bench/peers/start-nchan.sh"

# ---- Scale -------------------------------------------------------------------------------
P99_LIMIT_MS=100
EVENT_BYTES=200
SETTLE=2
IDLE_SETTLE=5
if [ "$QUICK" = 1 ]; then
    SUBS="${BENCH_SUBSCRIBERS:-1000}"
    LADDER="${BENCH_LADDER:-10 100 300 1000 3000}"
    STEP_SECONDS="${BENCH_STEP_SECONDS:-5}"
    IDLE_SUBS="${BENCH_IDLE_SUBSCRIBERS:-2000}"
    SLOW_TOTAL="${BENCH_SLOW_SUBSCRIBERS:-1000}"
    SLOW_STALLED="${BENCH_SLOW_STALLED:-100}"
    SLOW_SECONDS="${BENCH_SLOW_SECONDS:-10}"
else
    SUBS="${BENCH_SUBSCRIBERS:-10000}"
    LADDER="${BENCH_LADDER:-10 20 50 100 200 500 1000 2000 5000}"
    STEP_SECONDS="${BENCH_STEP_SECONDS:-10}"
    IDLE_SUBS="${BENCH_IDLE_SUBSCRIBERS:-20000}"
    SLOW_TOTAL="${BENCH_SLOW_SUBSCRIBERS:-10000}"
    SLOW_STALLED="${BENCH_SLOW_STALLED:-1000}"
    SLOW_SECONDS="${BENCH_SLOW_SECONDS:-60}"
fi
# Scenario (d): a rate well below saturation, and events of 1 KB so that a stalled reader's
# backlog outgrows the kernel's socket buffers (a few hundred KB) within the run.
SLOW_RATE="${BENCH_SLOW_RATE:-20}"
SLOW_EVENT_BYTES="${BENCH_SLOW_EVENT_BYTES:-1000}"
for value in "$SUBS" "$STEP_SECONDS" "$IDLE_SUBS" "$SLOW_TOTAL" "$SLOW_STALLED" "$SLOW_SECONDS" \
    "$SLOW_RATE" "$SLOW_EVENT_BYTES" $LADDER; do
    case "$value" in ''|*[!0-9]*) die "the scale settings must be whole numbers, not '$value'" ;; esac
done
[ -n "$LADDER" ] || die "BENCH_LADDER is empty"
[ "$SLOW_STALLED" -lt "$SLOW_TOTAL" ] || die "BENCH_SLOW_STALLED must be below BENCH_SLOW_SUBSCRIBERS"

# ---- Prerequisites -----------------------------------------------------------------------
[ -x "$PUSH_BIN" ] || die "$PUSH_BIN is missing: build the project first (scripts/dev.sh build, or cmake --build build)"
[ -x "$LOADGEN" ] || die "$LOADGEN is missing: build the target push-loadgen (cmake --build build --target push-loadgen)"
for tool in node curl timeout mktemp awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
[ -f "$ROOT/node_modules/socket.io/package.json" ] || die "npm socket.io is missing: npm ci (package-lock.json pins it)"
# jq when present, else node (BENCH_JSON_TOOL=node forces node).
JSON_TOOL="${BENCH_JSON_TOOL:-}"
[ -n "$JSON_TOOL" ] || { command -v jq >/dev/null 2>&1 && JSON_TOOL=jq || JSON_TOOL=node; }

# Descriptors: the load generator and each server hold one per subscriber, and both inherit
# this shell's limit.
NEED=0
want a && [ "$SUBS" -gt "$NEED" ] && NEED="$SUBS"
want b && [ "$SUBS" -gt "$NEED" ] && NEED="$SUBS"
want c && [ "$IDLE_SUBS" -gt "$NEED" ] && NEED="$IDLE_SUBS"
want d && [ "$SLOW_TOTAL" -gt "$NEED" ] && NEED="$SLOW_TOTAL"
NEED=$((NEED + 1024))
ulimit -n 200000 2>/dev/null || ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
FDS="$(ulimit -Sn)"
if [ "$FDS" != unlimited ] && [ "$FDS" -lt "$NEED" ]; then
    die "this run needs $NEED open files per process but the limit is $FDS (hard limit $(ulimit -Hn)) and cannot be raised here.
Raise the hard limit first (as root: ulimit -Hn 200000; in a container: --ulimit nofile=200000:200000;
for a user: /etc/security/limits.conf), or run a smaller scale (--quick)."
fi

mkdir -p "$OUT" || die "cannot create $OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/push-bench.XXXXXX")" || die "mktemp failed"
LOGS="$OUT/logs"
rm -f "$OUT"/[abcd]-*.json "$OUT"/[abcd]-*.tsv "$OUT/summary.md"
rm -rf "$LOGS"
mkdir -p "$LOGS"

# ---- Cleanup: every server and load generator this script started -------------------------
SRV_KIND=""
SRV_PID=""
SRV_MEASURE_PID=""
SRV_PORT=""
SRV_NCHAN_DIR=""
TOKEN=""
LOADGEN_PID=""
REDIS_PORT=""

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

stop_pid() { # pid: SIGTERM, up to 10 s, then SIGKILL
    local pid="$1"
    alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do
        alive "$pid" || break
        sleep 0.1
    done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

stop_server() {
    case "$SRV_KIND" in
        push|node) stop_pid "$SRV_PID" ;;
        nchan)
            "$NCHAN" stop --dir "$SRV_NCHAN_DIR" >/dev/null 2>&1
            cp "$SRV_NCHAN_DIR/logs/error.log" "$LOGS/nchan-$(basename "$SRV_NCHAN_DIR").error.log" 2>/dev/null
            ;;
    esac
    SRV_KIND=""
    SRV_PID=""
    SRV_MEASURE_PID=""
    SRV_PORT=""
    SRV_NCHAN_DIR=""
}

cleanup() {
    trap - EXIT INT TERM
    [ -n "$LOADGEN_PID" ] && stop_pid "$LOADGEN_PID"
    stop_server
    [ -n "$REDIS_PORT" ] && redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- JSON --------------------------------------------------------------------------------
# jget FILE PATH: the value at a dotted path (latencyMs.p99), empty when absent or null.
jget() {
    if [ "$JSON_TOOL" = jq ]; then
        jq -r ".$2 // empty" "$1" 2>/dev/null
    else
        node -e '
            let v; try { v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); } catch { process.exit(0); }
            for (const k of process.argv[2].split(".")) v = v == null ? undefined : v[k];
            if (v !== undefined && v !== null) console.log(typeof v === "object" ? JSON.stringify(v) : String(v));
        ' "$1" "$2" 2>/dev/null
    fi
}

json_ok() { # FILE: a JSON object with the load generator's fields
    [ -s "$1" ] || return 1
    if [ "$JSON_TOOL" = jq ]; then
        jq -e 'type == "object" and has("connected") and has("latencyMs")' "$1" >/dev/null 2>&1
    else
        node -e 'const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
                 process.exit(o && typeof o === "object" && "connected" in o && "latencyMs" in o ? 0 : 1);' "$1" 2>/dev/null
    fi
}

# calc EXPRESSION [VARS...]: awk arithmetic, e.g. calc 'a / b' a=1 b=2
calc() {
    local expr="$1"
    shift
    awk "$@" "BEGIN { v = ($expr); if (v == int(v)) printf \"%.0f\", v; else printf \"%.2f\", v }" 2>/dev/null
}
# cmp_true CONDITION [VARS...]: exit 0 when the awk condition holds
cmp_true() {
    local cond="$1"
    shift
    awk "$@" "BEGIN { exit !($cond) }" 2>/dev/null
}

# ---- Servers -----------------------------------------------------------------------------
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
    fi
}

# start_push TAG: a fresh push-service (empty store: the demo tenant and its public stream
# application-health) on a free port, and a publisher token of its development issuer.
start_push() {
    local data="$WORK/push-$1" logfile="$LOGS/push-$1.log" attempt port pid up
    mkdir -p "$data"
    [ -n "$REDIS_PORT" ] && redis-cli -p "$REDIS_PORT" flushall >/dev/null
    for attempt in 1 2 3; do
        port="$(free_port)"
        PUSH_MAX_CONNECTIONS_PER_ADDRESS=0 PUSH_MAX_SESSIONS_PER_ADDRESS=0 "$PUSH_BIN" --port "$port" --bind 127.0.0.1 --data-dir "$data" --log-level warn >>"$logfile" 2>&1 &
        pid=$!
        up=0
        for _ in $(seq 150); do
            alive "$pid" || break
            if curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/health"; then
                up=1
                break
            fi
            sleep 0.1
        done
        [ "$up" = 1 ] && break
        stop_pid "$pid"
        log "push-service did not come up on port $port (attempt $attempt; $logfile)"
    done
    [ "$up" = 1 ] || { tail -20 "$logfile" >&2; die "push-service does not start"; }
    SRV_KIND=push SRV_PID="$pid" SRV_MEASURE_PID="$pid" SRV_PORT="$port"
    TOKEN="$("$PUSH_BIN" token --data-dir "$data" --core --roles urn:ads:platform:event-service:event-sender \
        --ttl 86400 2>>"$logfile")" || die "push-service token failed ($logfile)"
    # The token works: one event (no subscriber yet).
    local status
    status="$(curl -s -o "$WORK/publish-check.json" -w '%{http_code}' --max-time 5 -X POST \
        "http://127.0.0.1:$port/event/v1/events" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d '{"namespace":"status-service","name":"health-check-started","timestamp":"2026-11-26T00:00:00.000Z","tenantId":"demo","payload":{}}')"
    [ "$status" = 200 ] || die "push-service refuses the publisher token (HTTP $status: $(cat "$WORK/publish-check.json" 2>/dev/null))"
}

# --resume: what push-service is started with (each start_push empties the private Redis).
case "$RESUME" in
    off) export PUSH_RESUME=off ;;
    redis)
        command -v redis-server >/dev/null || die "--resume redis needs redis-server (apt-get install redis-server)"
        REDIS_PORT="$(free_port)"
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
            --logfile "$LOGS/redis.log" || die "redis-server does not start"
        for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
        export PUSH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
        ;;
esac

start_node() {
    local logfile="$LOGS/node-$1.log" pid port=""
    node "$NODE_PEER" --port 0 >"$logfile" 2>&1 &
    pid=$!
    for _ in $(seq 150); do
        alive "$pid" || break
        port="$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$logfile" | head -1)"
        [ -n "$port" ] && curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/health" && break
        port=""
        sleep 0.1
    done
    [ -n "$port" ] || { stop_pid "$pid"; tail -20 "$logfile" >&2; die "the Node socket.io peer does not start"; }
    SRV_KIND=node SRV_PID="$pid" SRV_MEASURE_PID="$pid" SRV_PORT="$port"
}

start_nchan() {
    local tag="$1" dir="$WORK/nchan-$1" NCHAN_PORT="" NCHAN_MASTER_PID="" NCHAN_WORKER_PIDS=""
    if ! timeout 900 "$NCHAN" start --dir "$dir" >"$LOGS/nchan-$tag.log" 2>&1; then
        "$NCHAN" stop --dir "$dir" >/dev/null 2>&1
        cat "$LOGS/nchan-$tag.log" >&2
        die "nginx + nchan does not start"
    fi
    # shellcheck disable=SC1091
    . "$dir/nchan.env"
    SRV_KIND=nchan SRV_NCHAN_DIR="$dir" SRV_PID="$NCHAN_MASTER_PID" SRV_PORT="$NCHAN_PORT"
    SRV_MEASURE_PID="${NCHAN_WORKER_PIDS%% *}" # one worker: it holds every connection
}

start_server() { # SERVER TAG
    case "$1" in
        push) start_push "$2" ;;
        node) start_node "$2" ;;
        nchan) start_nchan "$2" ;;
    esac
    log "  $1 up on 127.0.0.1:$SRV_PORT (measured pid $SRV_MEASURE_PID)"
}

server_alive() { alive "$SRV_MEASURE_PID"; }

# target_args SERVER TRANSPORT: the load generator's arguments for that server (array LG_TARGET).
target_args() {
    local base="http://127.0.0.1:$SRV_PORT"
    case "$1/$2" in
        push/sse)
            LG_TARGET=(--transport sse --subscribe-url "$base/stream/v1/streams/application-health?tenant=demo"
                --publish-url "$base/event/v1/events" --publish-format push
                --publish-header "Authorization: Bearer $TOKEN") ;;
        push/sio-ws)
            LG_TARGET=(--transport sio-ws --subscribe-url "$base" --namespace /demo --query stream=application-health
                --publish-url "$base/event/v1/events" --publish-format push
                --publish-header "Authorization: Bearer $TOKEN") ;;
        node/sio-ws)
            LG_TARGET=(--transport sio-ws --subscribe-url "$base" --namespace /demo --query stream=application-health
                --publish-url "$base/event/v1/events" --publish-format node) ;;
        nchan/sse)
            LG_TARGET=(--transport sse --subscribe-url "$base/sub/application-health"
                --publish-url "$base/pub/application-health" --publish-format nchan) ;;
        *) die "no target $1/$2" ;;
    esac
}

# children_cpu: CHILD_CPU = CPU seconds (user + system) of this shell's finished children.
# Call it directly, never in $(...): a subshell has no finished children.
CHILD_CPU=0
children_cpu() {
    times >"$WORK/times"
    CHILD_CPU="$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] }
        printf "%.2f", t }' "$WORK/times")"
}
now_seconds() { date +%s.%N; }

# run_loadgen NAME SERVER TRANSPORT SUBSCRIBERS DURATION SETTLE [more arguments]: one run, its
# JSON in $OUT/NAME.json; bounded by the load generator's own connect deadline plus slack.
# Sets LOADGEN_LOAD: the generator's CPU time over its wall time, in % of one core (it is
# single-threaded: near 100 %, the generator and not the server is the limit).
LOADGEN_LOAD=""
run_loadgen() {
    local name="$1" server="$2" transport="$3" subs="$4" duration="$5" settle="$6"
    shift 6
    local json="$OUT/$name.json" limit rc
    target_args "$server" "$transport"
    limit=$((60 + subs / 500 + settle + duration + 10 + 90))
    rm -f "$json"
    local cpu0 wall0
    children_cpu
    cpu0="$CHILD_CPU"
    wall0="$(now_seconds)"
    timeout --kill-after=10 "$limit" "$LOADGEN" "${LG_TARGET[@]}" --subscribers "$subs" \
        --duration "$duration" --settle "$settle" --server-pid "$SRV_MEASURE_PID" --json "$json" "$@" \
        >"$LOGS/$name.stdout" 2>"$LOGS/$name.stderr" &
    LOADGEN_PID=$!
    wait "$LOADGEN_PID"
    rc=$?
    LOADGEN_PID=""
    children_cpu
    LOADGEN_LOAD="$(awk -v c="$CHILD_CPU" -v c0="$cpu0" -v w="$(now_seconds)" -v w0="$wall0" \
        'BEGIN { printf "%.0f", (w > w0) ? 100 * (c - c0) / (w - w0) : 0 }')"
    if ! json_ok "$json" && [ -s "$LOGS/$name.stdout" ]; then
        grep '^{' "$LOGS/$name.stdout" | tail -1 >"$json"
    fi
    if ! json_ok "$json"; then
        rm -f "$json"
        if [ "$rc" = 124 ]; then
            log "  $name: the load generator timed out after ${limit}s"
        else
            log "  $name: the load generator failed (exit $rc; $LOGS/$name.stderr)"
        fi
        return 1
    fi
    [ "$rc" = 0 ] || log "  $name: the load generator exited with $rc (its JSON is kept)"
    return 0
}

# verdict JSON RATE STALLED: "ok", or why the run does not count.
verdict() {
    local f="$1" rate="$2" stalled="$3" reasons=() subs connected errors disconnects perrors published prate
    local deliveries expected p99
    subs="$(jget "$f" subscribers)"
    connected="$(jget "$f" connected)"
    errors="$(jget "$f" errors)"
    disconnects="$(jget "$f" disconnects)"
    perrors="$(jget "$f" publishErrors)"
    published="$(jget "$f" eventsPublished)"
    prate="$(jget "$f" publishRate)"
    deliveries="$(jget "$f" deliveries)"
    expected="$(jget "$f" expectedDeliveries)"
    p99="$(jget "$f" latencyMs.p99)"
    [ "${connected:-0}" -ge "${subs:-1}" ] 2>/dev/null || reasons+=("${connected:-0} of ${subs:-?} connected")
    [ "${errors:-0}" = 0 ] || reasons+=("$errors errors")
    # Stalled subscribers may be cut off by the server: that is its defence, not an error.
    [ "${disconnects:-0}" -le "$stalled" ] 2>/dev/null || reasons+=("$disconnects disconnects")
    [ "${perrors:-0}" = 0 ] || reasons+=("$perrors publish errors")
    if [ "$rate" -gt 0 ]; then
        cmp_true 'p >= 0.9 * r' -v p="${prate:-0}" -v r="$rate" || reasons+=("published ${prate:-0}/s of $rate/s")
        [ -n "$expected" ] || expected="$(calc 'e * (c - s)' -v e="${published:-0}" -v c="${connected:-0}" -v s="$stalled")"
        cmp_true 'e == 0 || d >= 0.99 * e' -v d="${deliveries:-0}" -v e="${expected:-0}" ||
            reasons+=("$(calc '100 * d / e' -v d="${deliveries:-0}" -v e="$expected")% delivered")
        [ -n "$p99" ] && cmp_true 'p <= l' -v p="$p99" -v l="$P99_LIMIT_MS" || reasons+=("p99 ${p99:-?} ms")
    fi
    server_alive || reasons+=("the server exited")
    if [ ${#reasons[@]} = 0 ]; then
        echo ok
    else
        local IFS=';'
        local text="${reasons[*]}"
        echo "${text//;/; }"
    fi
}

declare -A R # results: R[key] = value
NOTES=()     # why a run does not count, for the summary

# ---- (a), (b): rate ladder ------------------------------------------------------------------
ladder() { # SCENARIO SERVER TRANSPORT
    local scen="$1" server="$2" transport="$3" tsv="$OUT/$1-$2-$3.tsv" rate name json v best="" first="" stop=""
    log "($scen) $server, $transport, $SUBS subscribers, rates: $LADDER"
    start_server "$server" "$scen"
    printf 'rate\tpublished/s\tdeliveries/s\tp50 ms\tp99 ms\tmax ms\tserver cpu s\tserver rss KiB\tloadgen cpu %%\tverdict\n' >"$tsv"
    for rate in $LADDER; do
        [ -n "$first" ] || first="$rate"
        name="$scen-$server-$transport-rate$rate"
        if ! run_loadgen "$name" "$server" "$transport" "$SUBS" "$STEP_SECONDS" "$SETTLE" \
            --rate "$rate" --event-bytes "$EVENT_BYTES"; then
            printf '%s\t\t\t\t\t\t\t\t\t%s\n' "$rate" "no result" >>"$tsv"
            stop="$rate events/s: no result from the load generator (logs/$name.stderr)"
            break
        fi
        json="$OUT/$name.json"
        v="$(verdict "$json" "$rate" 0)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rate" "$(jget "$json" publishRate)" \
            "$(jget "$json" deliveriesPerSecond)" "$(jget "$json" latencyMs.p50)" "$(jget "$json" latencyMs.p99)" \
            "$(jget "$json" latencyMs.max)" "$(jget "$json" serverCpuSeconds)" "$(jget "$json" serverRssKiB)" \
            "$LOADGEN_LOAD" "$v" >>"$tsv"
        log "  $rate events/s: p99 $(jget "$json" latencyMs.p99) ms, $(jget "$json" deliveriesPerSecond) deliveries/s, load generator at $LOADGEN_LOAD% of a core: $v"
        if [ "$v" != ok ]; then
            stop="$rate events/s: $v"
            [ "${LOADGEN_LOAD:-0}" -ge 80 ] &&
                stop="$stop (the load generator used $LOADGEN_LOAD% of a core: it may be the limit)"
            break
        fi
        best="$rate"
        R[$scen.$server.rate]="$rate"
        R[$scen.$server.dps]="$(jget "$json" deliveriesPerSecond)"
        R[$scen.$server.p99]="$(jget "$json" latencyMs.p99)"
        server_alive || break
        sleep 2 # let the server let go of the last run's connections
    done
    if [ -z "$best" ]; then
        R[$scen.$server.rate]="< $first"
    elif [ -z "$stop" ] && server_alive; then
        R[$scen.$server.rate]="≥ $best"
    fi
    if [ -n "$stop" ]; then
        NOTES+=("($scen) $server, $transport: the ladder stopped at $stop")
    elif [ -n "$best" ] && [ "${R[$scen.$server.rate]}" = "≥ $best" ]; then
        NOTES+=("($scen) $server, $transport: passed the whole ladder; its highest rate is a lower bound")
    else
        NOTES+=("($scen) $server, $transport: the ladder stopped: the server exited")
    fi
    stop_server
}

# ---- (c): idle subscribers -------------------------------------------------------------------
idle() { # SERVER TRANSPORT
    local server="$1" transport="$2" name="c-$1-$2" json v
    log "(c) $server, $transport, $IDLE_SUBS idle subscribers"
    start_server "$server" "c-$transport"
    if run_loadgen "$name" "$server" "$transport" "$IDLE_SUBS" 0 "$IDLE_SETTLE"; then
        json="$OUT/$name.json"
        v="$(verdict "$json" 0 0)"
        R[c.$transport.$server.bytes]="$(jget "$json" idleRssPerConnectionBytes)"
        R[c.$transport.$server.rss]="$(jget "$json" serverRssKiB)"
        [ "$v" = ok ] || NOTES+=("(c) $server, $transport: $v")
        log "  $(jget "$json" idleRssPerConnectionBytes) bytes per connection: $v"
    else
        NOTES+=("(c) $server, $transport: no result from the load generator (logs/$name.stderr)")
    fi
    stop_server
}

# ---- (d): stalled subscribers among healthy ones ---------------------------------------------
slow() { # SERVER TRANSPORT
    local server="$1" transport="$2" phase name json v stalled
    for phase in healthy stalled; do
        stalled=0
        [ "$phase" = stalled ] && stalled="$SLOW_STALLED"
        name="d-$server-$transport-$phase"
        log "(d) $server, $transport, $SLOW_TOTAL subscribers, $stalled stalled, $SLOW_RATE events/s of $SLOW_EVENT_BYTES bytes for ${SLOW_SECONDS}s"
        start_server "$server" "d-$transport-$phase"
        if run_loadgen "$name" "$server" "$transport" "$SLOW_TOTAL" "$SLOW_SECONDS" "$SETTLE" \
            --rate "$SLOW_RATE" --event-bytes "$SLOW_EVENT_BYTES" --slow "$stalled"; then
            json="$OUT/$name.json"
            v="$(verdict "$json" "$SLOW_RATE" "$stalled")"
            R[d.$transport.$server.$phase.p99]="$(jget "$json" latencyMs.p99)"
            R[d.$transport.$server.$phase.peak]="$(jget "$json" serverPeakRssKiB)"
            R[d.$transport.$server.$phase.rss]="$(jget "$json" serverRssKiB)"
            R[d.$transport.$server.$phase.cut]="$(jget "$json" slowDisconnected)"
            [ "$v" = ok ] || NOTES+=("(d) $server, $transport, $phase: $v")
            log "  p99 $(jget "$json" latencyMs.p99) ms, peak RSS $(jget "$json" serverPeakRssKiB) KiB, $(jget "$json" slowDisconnected) stalled cut off: $v"
        else
            NOTES+=("(d) $server, $transport, $phase: no result from the load generator (logs/$name.stderr)")
        fi
        stop_server
        sleep 2
    done
}

# ---- Run -----------------------------------------------------------------------------------
STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "results in $OUT (open files: $FDS)"
if want a; then ladder a push sio-ws; ladder a node sio-ws; fi
if want b; then ladder b push sse; ladder b nchan sse; fi
if want c; then idle push sse; idle nchan sse; idle push sio-ws; idle node sio-ws; fi
if want d; then slow push sse; slow nchan sse; slow push sio-ws; slow node sio-ws; fi
FINISHED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# ---- Summary -------------------------------------------------------------------------------
is_number() { [[ "${1:-}" =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }
fmt() { # a number for the table ('–' when absent; text as it is)
    [ -n "${1:-}" ] || { echo "–"; return; }
    if is_number "$1"; then calc 'v' -v v="$1"; else echo "$1"; fi
}
ratio() { # push ÷ peer
    if is_number "${1:-}" && is_number "${2:-}" && cmp_true 'b != 0' -v b="$2"; then
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
    else
        echo "–"
    fi
}
mib() { [ -n "${1:-}" ] && calc 'k / 1024' -v k="$1"; }
whole() { [ -n "${1:-}" ] && awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
# ladder_rows SCENARIO TRANSPORT PEER LABEL: the rows of one rate ladder.
ladder_rows() {
    local scen="$1" transport="$2" peer="$3" label="$4" common="" r pj nj
    row "$label" "highest rate with p99 ≤ $P99_LIMIT_MS ms (events/s)" "$(rate_cell "$scen" push)" "$(rate_cell "$scen" "$peer")" higher
    row "" "deliveries/s at its highest rate" "${R[$scen.push.dps]:-}" "${R[$scen.$peer.dps]:-}" higher
    row "" "p99 at its highest rate (ms)" "${R[$scen.push.p99]:-}" "${R[$scen.$peer.p99]:-}" lower
    # The same load for both: the highest rate both passed.
    for r in $LADDER; do
        if [ -f "$OUT/$scen-push-$transport-rate$r.json" ] && [ -f "$OUT/$scen-$peer-$transport-rate$r.json" ] &&
            [ "$(verdict_of "$scen" push "$r")" = ok ] && [ "$(verdict_of "$scen" "$peer" "$r")" = ok ]; then
            common="$r"
        fi
    done
    if [ -n "$common" ]; then
        pj="$OUT/$scen-push-$transport-rate$common.json"
        nj="$OUT/$scen-$peer-$transport-rate$common.json"
        row "" "p99 at $common events/s, the highest rate both pass (ms)" "$(jget "$pj" latencyMs.p99)" "$(jget "$nj" latencyMs.p99)" lower
        row "" "server CPU seconds at $common events/s (${STEP_SECONDS} s run)" "$(jget "$pj" serverCpuSeconds)" "$(jget "$nj" serverCpuSeconds)" lower
        row "" "server RSS at $common events/s (MiB)" "$(mib "$(jget "$pj" serverRssKiB)")" "$(mib "$(jget "$nj" serverRssKiB)")" lower
    fi
}
verdict_of() { # scenario server rate: the verdict column of its ladder
    awk -F'\t' -v r="$3" 'NR > 1 && $1 == r { print $NF }' "$OUT/$1-$2-"*.tsv 2>/dev/null | head -1
}
change() { # percent change from $1 to $2
    if [ -n "${1:-}" ] && [ -n "${2:-}" ] && cmp_true 'a != 0' -v a="$1"; then
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", 100 * (b - a) / a }'
    fi
}
row() { # scenario metric push peer better
    echo "| $1 | $2 | $(fmt "$3") | $(fmt "$4") | $(ratio "$3" "$4") | $5 |"
}
rate_cell() { echo "${R[$1.$2.rate]:-}"; } # scenario server

SIO_VERSION="$(node -p 'require(process.argv[1]).version' "$ROOT/node_modules/socket.io/package.json" 2>/dev/null)"
NCHAN_VERSION="$(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null)"
NGINX_VERSION="$(/usr/sbin/nginx -v 2>&1 | sed 's#.*nginx/##')"
PUSH_VERSION="$("$PUSH_BIN" --version 2>/dev/null | awk '{print $NF}')"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && COMMIT="$COMMIT (with local changes)"
CPU_MODEL="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
MEM_TOTAL="$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
# shellcheck disable=SC1091
OS_NAME="$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"

nice_int() { echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }

{
    echo "# push-service benchmark"
    echo
    echo "Command: \`$INVOCATION\` (scenarios $SCENARIOS), $STARTED – $FINISHED."
    echo "Ratios are push-service ÷ peer; the last column says which direction is better."
    echo
    echo "| Scenario | Metric | push-service | peer | ratio | better |"
    echo "|---|---|---:|---:|---:|---|"
    if want a; then
        ladder_rows a sio-ws node "(a) socket.io WebSocket, $(nice_int "$SUBS") subscribers, ${EVENT_BYTES}-byte events; peer: Node socket.io $SIO_VERSION"
    fi
    if want b; then
        ladder_rows b sse nchan "(b) SSE, $(nice_int "$SUBS") subscribers, ${EVENT_BYTES}-byte events; peer: nginx $NGINX_VERSION + nchan $NCHAN_VERSION"
    fi
    if want c; then
        row "(c) $(nice_int "$IDLE_SUBS") idle SSE subscribers; peer: nchan" "memory per connection (bytes)" \
            "$(whole "${R[c.sse.push.bytes]:-}")" "$(whole "${R[c.sse.nchan.bytes]:-}")" lower
        row "" "server RSS with them (MiB)" "$(mib "${R[c.sse.push.rss]:-}")" "$(mib "${R[c.sse.nchan.rss]:-}")" lower
        row "(c) $(nice_int "$IDLE_SUBS") idle socket.io WebSocket subscribers; peer: Node socket.io" "memory per connection (bytes)" \
            "$(whole "${R[c.sio-ws.push.bytes]:-}")" "$(whole "${R[c.sio-ws.node.bytes]:-}")" lower
        row "" "server RSS with them (MiB)" "$(mib "${R[c.sio-ws.push.rss]:-}")" "$(mib "${R[c.sio-ws.node.rss]:-}")" lower
    fi
    if want d; then
        for pair in sse/nchan sio-ws/node; do
            t="${pair%/*}"
            p="${pair#*/}"
            label="SSE"
            [ "$t" = sio-ws ] && label="socket.io WebSocket"
            s="(d) $label: $(nice_int $((SLOW_TOTAL - SLOW_STALLED))) healthy + $(nice_int "$SLOW_STALLED") stalled, $SLOW_RATE events/s of $SLOW_EVENT_BYTES bytes, ${SLOW_SECONDS} s; peer: $p"
            row "$s" "healthy p99, no stalled subscriber (ms)" "${R[d.$t.push.healthy.p99]:-}" "${R[d.$t.$p.healthy.p99]:-}" lower
            row "" "healthy p99 with the stalled ones (ms)" "${R[d.$t.push.stalled.p99]:-}" "${R[d.$t.$p.stalled.p99]:-}" lower
            pc="$(change "${R[d.$t.push.healthy.p99]:-}" "${R[d.$t.push.stalled.p99]:-}")"
            nc="$(change "${R[d.$t.$p.healthy.p99]:-}" "${R[d.$t.$p.stalled.p99]:-}")"
            echo "| | healthy p99 change (%; the goal: ≤ +20) | ${pc:-–} | ${nc:-–} | | lower |"
            row "" "peak RSS, no stalled subscriber (MiB)" "$(mib "${R[d.$t.push.healthy.peak]:-}")" "$(mib "${R[d.$t.$p.healthy.peak]:-}")" lower
            row "" "peak RSS with the stalled ones (MiB)" "$(mib "${R[d.$t.push.stalled.peak]:-}")" "$(mib "${R[d.$t.$p.stalled.peak]:-}")" lower
            pe=""
            ne=""
            [ -n "${R[d.$t.push.stalled.peak]:-}" ] && [ -n "${R[d.$t.push.healthy.peak]:-}" ] &&
                pe="$(whole "$(calc '(b - a) * 1024 / n' -v a="${R[d.$t.push.healthy.peak]}" -v b="${R[d.$t.push.stalled.peak]}" -v n="$SLOW_STALLED")")"
            [ -n "${R[d.$t.$p.stalled.peak]:-}" ] && [ -n "${R[d.$t.$p.healthy.peak]:-}" ] &&
                ne="$(whole "$(calc '(b - a) * 1024 / n' -v a="${R[d.$t.$p.healthy.peak]}" -v b="${R[d.$t.$p.stalled.peak]}" -v n="$SLOW_STALLED")")"
            row "" "extra peak memory per stalled subscriber (bytes)" "$pe" "$ne" lower
            echo "| | stalled subscribers cut off by the server | $(fmt "${R[d.$t.push.stalled.cut]:-}") | $(fmt "${R[d.$t.$p.stalled.cut]:-}") | | |"
        done
    fi
    echo
    if [ ${#NOTES[@]} -gt 0 ]; then
        echo "Notes:"
        echo
        for n in "${NOTES[@]}"; do echo "- $n"; done
        echo
    fi
    for tsv in "$OUT"/[ab]-*.tsv; do
        [ -f "$tsv" ] || continue
        echo "Rate ladder \`$(basename "$tsv" .tsv)\`:"
        echo
        head -1 "$tsv" | awk -F'\t' '{ s = "|"; for (i = 1; i <= NF; i++) s = s " " $i " |"; print s;
            s = "|"; for (i = 1; i <= NF; i++) s = s "---|"; print s }'
        tail -n +2 "$tsv" | awk -F'\t' '{ s = "|"; for (i = 1; i <= NF; i++) s = s " " $i " |"; print s }'
        echo
    done
    echo "Machine: $CPU_MODEL, $(nproc) cores, $MEM_TOTAL RAM; $OS_NAME, Linux $(uname -r);"
    echo "node $(node --version), socket.io $SIO_VERSION; nginx $NGINX_VERSION, libnginx-mod-nchan $NCHAN_VERSION;"
    echo "push-service $PUSH_VERSION (commit ${COMMIT:-unknown}), I/O threads: ${PUSH_WORKERS:-one per core (the default)}, replay log: --resume $RESUME."
    echo "Servers and load generator share the machine; every connection is on 127.0.0.1"
    echo "(ephemeral ports $(tr -s '\t ' '-' </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null), somaxconn $(cat /proc/sys/net/core/somaxconn 2>/dev/null), open files $FDS)."
    echo "Memory is the RSS of the server process (nchan: its single worker) from /proc."
} >"$OUT/summary.md"

cat "$OUT/summary.md"
log "summary: $OUT/summary.md"
