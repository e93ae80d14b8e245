#!/usr/bin/env bash
# The README's set-up commands on Debian 12 (and derivatives):
#   scripts/dev.sh run    install what the build needs, build, start push-service on the
#                         embedded default (SQLite, HTTP ingest, demo tenant) on :3334
#   scripts/dev.sh test   install what the build and tests need, build, run every test
#   scripts/dev.sh package  build the Debian packages push-service and push-console into
#                         $BUILD_DIR/packages (docs/packaging.md)
# Other verbs: deps, build. Environment: BUILD_DIR (default build), BUILD_TYPE
# (default RelWithDebInfo), CTEST_PARALLEL (default 2), PUSH_PACKAGE_RELEASE (the Debian
# revision of the packages, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}

# Debian packages: compiler and build tools, Qt 6 (with the SQLite and PostgreSQL SQL
# drivers), the HTTP parser, OpenSSL, the RabbitMQ client library, libsystemd (sd_notify);
# for the console Qt Charts (which needs Qt OpenGL's development files) and QtKeychain;
# help2man for the man page.
BUILD_PACKAGES=(build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev libqt6sql6-sqlite libqt6sql6-psql qt6-websockets-dev libhttp-parser-dev
    libssl-dev librabbitmq-dev qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev
    qtkeychain-qt6-dev libsystemd-dev help2man)
# And for the tests: command-line clients, a real browser, the real servers the tests
# start privately on ports of their own (RabbitMQ, PostgreSQL, nginx), a session bus with
# GNOME Keyring (the console's keychain) and Xvfb (its screenshots).
TEST_PACKAGES=(openssl curl chromium rabbitmq-server postgresql nginx
    dbus gnome-keyring xvfb xauth python3)
# And for the packages and their tests (scripts/ci-packages.sh, scripts/ci-debian13.sh):
# dpkg-shlibdeps and file (CPack), lintian, systemd-analyze, debootstrap, util-linux.
PACKAGE_PACKAGES=(dpkg-dev file lintian systemd debootstrap util-linux iproute2 curl)

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

deps() {
    local missing=()
    local wanted=("${BUILD_PACKAGES[@]}")
    [[ ${1:-} == test ]] && wanted+=("${TEST_PACKAGES[@]}")
    [[ ${1:-} == package ]] && wanted+=("${PACKAGE_PACKAGES[@]}")
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    if [[ ${1:-} == test ]] && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then
        missing+=(nodejs npm)
    fi
    if ((${#missing[@]})); then
        echo "== installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi
}

js_deps() {
    # The JavaScript clients the tests use, exactly as package-lock.json pins them.
    if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules ]]; then
        echo "== npm ci"
        npm ci --no-audit --no-fund --loglevel=error
    fi
}

build() {
    echo "== building in $BUILD_DIR ($BUILD_TYPE)"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
    cmake --build "$BUILD_DIR"
}

case "${1:-}" in
deps) deps test; js_deps ;;
build) deps; build ;;
run)
    deps
    build
    shift
    echo "== starting push-service (Ctrl+C stops it)"
    exec "$BUILD_DIR/service/push-service" "$@"
    ;;
package)
    deps package
    echo "== building in $BUILD_DIR ($BUILD_TYPE), packages of revision ${PUSH_PACKAGE_RELEASE:-1}"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
        -DPUSH_PACKAGE_RELEASE="${PUSH_PACKAGE_RELEASE:-1}" >/dev/null
    cmake --build "$BUILD_DIR"
    rm -rf "$BUILD_DIR/packages"
    cpack --config "$BUILD_DIR/CPackConfig.cmake" -B "$BUILD_DIR/packages" >/dev/null
    rm -rf "$BUILD_DIR/packages/_CPack_Packages"
    ls -l "$BUILD_DIR"/packages/*.deb
    ;;
test)
    deps test
    js_deps
    build
    echo "== running the test suite"
    cd "$BUILD_DIR"
    ctest --output-on-failure --timeout 600 -j "${CTEST_PARALLEL:-2}"
    ;;
*)
    sed -n '2,11p' "$0"
    exit 2
    ;;
esac
