#!/usr/bin/env bash
# CI: build the Debian packages, check them (lintian, systemd-analyze verify and
# security), then in a fresh minimal Debian 12 root (debootstrap --variant=minbase, no
# build dependencies) install them with apt-get, run the installed push-service as its
# system user with the unit's ExecStart and the shipped INI, check /health, an event
# arriving over SSE, a token from "push-service token --data-dir /var/lib/push-service" and
# the data under /var/lib/push-service; upgrade to a second build (a higher Debian
# revision) and check the data and an edited conffile survive; purge and check nothing
# is left. Runs as root. docs/packaging.md explains it.
#
# The minimal root is made once and cached as a tarball under $CI_CACHE (default
# /var/cache/push-service-ci), with apt's downloaded .debs, so reruns are fast; each run
# unpacks a fresh copy. The Debian mirror is the one this machine's apt uses (or
# $DEBIAN_MIRROR).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
CI_CACHE=${CI_CACHE:-/var/cache/push-service-ci}
SUITE=bookworm
PORT=3334 # the shipped INI's; the service runs in a network namespace of its own
step_start=$SECONDS
step() { echo "== [$((SECONDS - step_start))s] $*"; }

[[ $(id -u) -eq 0 ]] || { echo "ci-packages.sh: run as root (debootstrap, chroot)" >&2; exit 2; }

mirror() {
    if [[ -n ${DEBIAN_MIRROR:-} ]]; then echo "$DEBIAN_MIRROR"; return; fi
    apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
        awk '$2 == "bookworm" || $2 == "trixie" { print $1; exit }'
}

# --- build and check the packages -------------------------------------------------------
OUT=$(mktemp -d /var/tmp/push-packages.XXXXXX)
ROOT=""
cleanup() {
    if [[ -n $ROOT ]]; then
        for m in "$ROOT/var/cache/apt/archives" "$ROOT/dev" "$ROOT/proc"; do
            mountpoint -q "$m" && umount -R -l "$m"
        done
        rm -rf --one-file-system "$ROOT"
    fi
    rm -rf "$OUT"
}
trap cleanup EXIT

mkdir -p "$OUT/v1" "$OUT/v2"
if [[ -n ${PACKAGES_V1:-} && -n ${PACKAGES_V2:-} ]]; then
    # Packages built already (revision 1 and 2), e.g. while working on this script.
    cp "$PACKAGES_V1"/*.deb "$OUT/v1/"
    cp "$PACKAGES_V2"/*.deb "$OUT/v2/"
else
    step "packages, revision 1"
    PUSH_PACKAGE_RELEASE=1 bash scripts/dev.sh package
    cp "$BUILD_DIR"/packages/*.deb "$OUT/v1/"
    step "packages, revision 2 (for the upgrade)"
    PUSH_PACKAGE_RELEASE=2 bash scripts/dev.sh package
    cp "$BUILD_DIR"/packages/*.deb "$OUT/v2/"
    cmake -S . -B "$BUILD_DIR" -DPUSH_PACKAGE_RELEASE=1 >/dev/null
fi

step "lintian"
lintian --fail-on error,warning --info --display-info "$OUT"/v1/*.deb

step "systemd-analyze security of the unit (fails above 4.9, \"OK\")"
EXTRACT="$OUT/extract"
dpkg-deb -x "$OUT"/v1/push-service_*.deb "$EXTRACT"
systemd-analyze security --offline=yes --root="$EXTRACT" --threshold=49 \
    /lib/systemd/system/push-service.service | tail -n 1

# --- a fresh minimal Debian 12 root ----------------------------------------------------
mkdir -p "$CI_CACHE/apt-archives"
TARBALL="$CI_CACHE/debian12-minbase.tar"
if [[ ! -s $TARBALL ]]; then
    step "debootstrap $SUITE (minbase) into the cache"
    tmp=$(mktemp -d /var/tmp/push-debootstrap.XXXXXX)
    debootstrap --variant=minbase "$SUITE" "$tmp" "$(mirror)" >/dev/null
    tar -C "$tmp" -cf "$TARBALL.part" .
    mv "$TARBALL.part" "$TARBALL"
    rm -rf --one-file-system "$tmp"
fi
step "fresh root from the cache"
ROOT=$(mktemp -d /var/tmp/push-root12.XXXXXX)
tar -C "$ROOT" -xf "$TARBALL"
chmod 755 "$ROOT"
mount -t proc proc "$ROOT/proc"
mount --rbind /dev "$ROOT/dev"
mount --bind "$CI_CACHE/apt-archives" "$ROOT/var/cache/apt/archives"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
echo "deb $(mirror) $SUITE main" >"$ROOT/etc/apt/sources.list"
mkdir -p "$ROOT/tmp/debs"
cp "$OUT"/v1/*.deb "$ROOT/tmp/debs/"
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
debs() { # the root's paths of the packages of one revision
    local f
    for f in "$ROOT"/tmp/debs/*-"$1"_*.deb; do echo "${f#"$ROOT"}"; done
}

step "apt-get install ./push-service_*.deb ./push-console_*.deb"
in_root apt-get update -qq
mapfile -t v1 < <(debs 1)
in_root apt-get install -y -qq --no-install-recommends "${v1[@]}" >/dev/null
in_root dpkg -s push-service push-console | grep -E '^(Package|Version|Depends):'
in_root getent passwd push-service
[[ $(in_root stat -c '%U:%G %a' /var/lib/push-service) == "push-service:push-service 750" ]]
in_root test -f /etc/push-service/push-service.ini
in_root test -x /usr/bin/push-console
in_root test -f /usr/share/man/man8/push-service.8.gz

EXEC_START=$(sed -n 's/^ExecStart=//p' "$ROOT/lib/systemd/system/push-service.service")
echo "ExecStart: $EXEC_START"

# The service runs in a network namespace of its own (so the shipped port 3334 cannot
# clash with anything else on the machine); the checks run there too.
run_checks() { # $1: before-upgrade | after-upgrade
    unshare --net bash -s "$ROOT" "$EXEC_START" "$PORT" "$1" <<'CHECKS'
set -euo pipefail
ROOT=$1 EXEC_START=$2 PORT=$3 PHASE=$4
ip link set lo up
as_service() { chroot "$ROOT" setpriv --reuid=push-service --regid=push-service --init-groups \
    env -i PATH=/usr/bin:/bin HOME=/var/lib/push-service "$@"; }
# ExecStart is a command line: split it as systemd does. chroot, setpriv and env exec one
# another, so $! is the service's pid.
# shellcheck disable=SC2086
chroot "$ROOT" setpriv --reuid=push-service --regid=push-service --init-groups \
    env -i PATH=/usr/bin:/bin $EXEC_START >"$ROOT/tmp/service.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
base=http://127.0.0.1:$PORT
for _ in $(seq 100); do
    curl -fs "$base/health" >/dev/null 2>&1 && break
    sleep 0.1
done
echo "health: $(curl -fsS "$base/health")"
ps -o user=,args= -p $pid
if [[ $PHASE == before-upgrade ]]; then
    as_service /usr/bin/push-service token --data-dir /var/lib/push-service --tenant demo \
        --roles urn:ads:platform:event-service:event-sender >"$ROOT/tmp/token"
fi
token=$(cat "$ROOT/tmp/token") # after the upgrade: the token minted before it
[[ $token == *.*.* ]]
curl -sN --max-time 10 "$base/stream/v1/streams/application-health?tenant=demo" >"$ROOT/tmp/sse" &
curl_pid=$!
sleep 1
curl -fsS -X POST "$base/event/v1/events" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"namespace\":\"status-service\",\"name\":\"health-check-started\",\"timestamp\":\"2026-11-26T12:00:00Z\",\"payload\":{\"applicationId\":\"$PHASE\"}}"
echo
for _ in $(seq 50); do grep -q "\"applicationId\":\"$PHASE\"" "$ROOT/tmp/sse" && break; sleep 0.1; done
kill "$curl_pid" 2>/dev/null || true
grep "\"applicationId\":\"$PHASE\"" "$ROOT/tmp/sse"
echo "SSE: the event published $PHASE arrived"
CHECKS
}

step "run the installed service as push-service (ExecStart, shipped INI)"
run_checks before-upgrade
echo "data:"
ls -ln "$ROOT/var/lib/push-service"
uid=$(in_root id -u push-service)
[[ -n $(find "$ROOT/var/lib/push-service" -mindepth 1 -user "$uid") ]]
[[ -z $(find "$ROOT/var/lib/push-service" -mindepth 1 ! -user "$uid") ]]
(cd "$ROOT/var/lib/push-service" && find . -type f -exec md5sum {} + | sort) >"$OUT/data-before"

# systemd-analyze verify needs the unit's world: its binaries, systemd's own units.
step "systemd-analyze verify of the installed unit (systemd added to the root)"
in_root apt-get install -y -qq --no-install-recommends systemd >/dev/null
in_root systemd-analyze verify --man=no /lib/systemd/system/push-service.service
echo "verify: passed"

step "upgrade to revision 2 with an edited conffile"
sed -i 's/^;logLevel=info$/logLevel=debug ; edited before the upgrade/' \
    "$ROOT/etc/push-service/push-service.ini"
cp "$OUT"/v2/*.deb "$ROOT/tmp/debs/"
mapfile -t v2 < <(debs 2)
in_root apt-get install -y -qq --no-install-recommends "${v2[@]}" >/dev/null
in_root dpkg-query -W push-service push-console
[[ $(in_root dpkg-query -W -f='${Version}' push-service) == *-2 ]]
grep -q '^logLevel=debug ; edited before the upgrade$' "$ROOT/etc/push-service/push-service.ini"
echo "conffile: the edit survived"
(cd "$ROOT/var/lib/push-service" && find . -type f -exec md5sum {} + | sort) >"$OUT/data-after"
diff "$OUT/data-before" "$OUT/data-after"
echo "data: unchanged by the upgrade"
run_checks after-upgrade
grep -q 'debug' "$ROOT/tmp/service.log" && echo "the edited log level (debug) is in effect"

step "purge"
in_root apt-get purge -y -qq push-service push-console >/dev/null
left=()
for p in /etc/push-service /var/lib/push-service /usr/bin/push-service /usr/bin/push-console \
    /lib/systemd/system/push-service.service /usr/share/doc/push-service \
    /etc/systemd/system/multi-user.target.wants/push-service.service \
    /var/lib/systemd/deb-systemd-helper-enabled/push-service.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/push-service.service; do
    [[ -e $ROOT$p ]] && left+=("$p")
done
if ((${#left[@]})); then
    echo "purge left: ${left[*]}" >&2
    exit 1
fi
if in_root dpkg -l push-service push-console 2>/dev/null | grep -q '^[a-z][a-z] '; then
    in_root dpkg -l push-service push-console
    exit 1
fi
echo "purge: nothing left (the system user stays, as Debian does: docs/packaging.md)"
step "ci-packages.sh: all checks passed"
