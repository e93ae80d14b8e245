#!/usr/bin/env bash
# CI: build with Debian 13's Qt 6.8 and run the unit and integration tests there
# (ctest -L 'unit|integration'). A Debian 13 root made with debootstrap, entered with
# chroot, with Debian 13's build dependencies; the source is bind-mounted read-only at
# /src. Runs as root. docs/packaging.md explains it.
#
# The root, its ccache and its build directory are kept under $CI_CACHE (default
# /var/cache/push-service-ci), so a rerun only rebuilds what changed. The Debian mirror is
# the one this machine's apt uses (or $DEBIAN_MIRROR).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

CI_CACHE=${CI_CACHE:-/var/cache/push-service-ci}
SUITE=trixie
ROOT="$CI_CACHE/debian13-root"
step_start=$SECONDS
step() { echo "== [$((SECONDS - step_start))s] $*"; }

[[ $(id -u) -eq 0 ]] || { echo "ci-debian13.sh: run as root (debootstrap, chroot)" >&2; exit 2; }

mirror() {
    if [[ -n ${DEBIAN_MIRROR:-} ]]; then echo "$DEBIAN_MIRROR"; return; fi
    apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
        awk '$2 == "bookworm" || $2 == "trixie" { print $1; exit }'
}

# What the build and the unit and integration tests need, from Debian 13.
PACKAGES=(build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev libqt6sql6-sqlite libqt6sql6-psql qt6-websockets-dev libhttp-parser-dev
    libssl-dev librabbitmq-dev libhiredis-dev libsystemd-dev help2man
    qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev qtkeychain-qt6-dev
    curl openssl python3 ca-certificates)

# On a fresh machine: debootstrap (scripts/dev.sh package installs it too).
if ! command -v debootstrap >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

MOUNTS=()
cleanup() {
    local i
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount -R -l "${MOUNTS[i]}" 2>/dev/null || true
    done
}
trap cleanup EXIT
bind() { # bind SOURCE TARGET [ro]
    mkdir -p "$2"
    mount --rbind "$1" "$2"
    MOUNTS+=("$2")
    [[ ${3:-} == ro ]] && mount -o remount,bind,ro "$2"
    return 0
}

if [[ ! -f $ROOT/.push-ci-ready ]]; then
    step "debootstrap $SUITE (minbase) into $ROOT"
    rm -rf --one-file-system "$ROOT"
    debootstrap --variant=minbase "$SUITE" "$ROOT" "$(mirror)" >/dev/null
    echo "deb $(mirror) $SUITE main" >"$ROOT/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
MOUNTS+=("$ROOT/proc")
bind /dev "$ROOT/dev"
bind "$SRC" "$ROOT/src" ro
mkdir -p "$CI_CACHE/ccache-debian13" "$CI_CACHE/build-debian13"
bind "$CI_CACHE/ccache-debian13" "$ROOT/ccache"
bind "$CI_CACHE/build-debian13" "$ROOT/build"
in_root() {
    chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive CCACHE_DIR=/ccache CCACHE_BASEDIR=/ "$@"
}

# Again when the list has grown since the root was made.
if [[ ! -f $ROOT/.push-ci-ready ]] || ! in_root dpkg-query -W "${PACKAGES[@]}" >/dev/null 2>&1; then
    step "Debian 13 build dependencies"
    in_root apt-get update -qq
    in_root apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
    touch "$ROOT/.push-ci-ready"
fi
in_root dpkg-query -W qt6-base-dev cmake g++ librabbitmq-dev
[[ ${PREPARE_ONLY:-} == 1 ]] && { step "root ready (PREPARE_ONLY)"; exit 0; }

# Deprecations (Qt 6.8's, rabbitmq-c's #warning) fail the build.
step "configure and build with Qt 6.8 (deprecation warnings are errors)"
in_root cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS=-Werror=deprecated-declarations -Werror=cpp" >/dev/null
in_root cmake --build /build

step "unit and integration tests (ctest -L 'unit|integration')"
# DEBIAN13_CTEST_PARALLEL, not CTEST_PARALLEL: .ci/run exports that one for the host.
in_root sh -c "cd /build && ctest -L 'unit|integration' --output-on-failure --timeout 600 -j ${DEBIAN13_CTEST_PARALLEL:-2}"
in_root ccache -s | grep -Ei 'hits|misses' || true
step "ci-debian13.sh: Qt 6.8 build and tests passed"
