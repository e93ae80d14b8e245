#!/usr/bin/env bash
# Windows, level 3 (docs/windows.md): Qt's Windows libraries cross-compiled with mingw-w64
# from Debian's own qt6-base source package, cached outside the checkout under
# $CI_CACHE/windows-qt (default /var/cache/push-service-ci). Resumable: each stage is
# skipped when its result is there, and ninja resumes a partial build.
#
#   scripts/windows-cross-qt.sh [source|configure|build|all]   (default all)
#
# Stages: the source (apt-get source qt6-base, needs a deb-src entry for the release),
# a CMake toolchain file for x86_64-w64-mingw32-*-posix, the configure (Debian's Qt as the
# host tools, QT_HOST_PATH=/usr; no OpenGL, D-Bus, OpenSSL (Schannel instead) or SQLite,
# which the dfsg source lacks), then the modules the project needs, one ninja target at a
# time, each under the shared build lock ($LOCK, default locked-build; do not run this
# script itself under the lock) and niced. Progress, with each target's time, goes to
# $CI_CACHE/windows-qt/progress.log. Not part of .ci/run: the project's cross-build, the
# tests under wine64 and the console under wine + Xvfb are the next steps (not written).
set -euo pipefail
cd "$(dirname "$0")/.."

CI_CACHE=${CI_CACHE:-/var/cache/push-service-ci}
ROOT=$CI_CACHE/windows-qt
LOCK=${LOCK:-locked-build}
JOBS=${WINDOWS_QT_JOBS:-2}
TARGETS=(Core Network Sql Gui Widgets QWindowsIntegrationPlugin)
mkdir -p "$ROOT"
log() { echo "$(date -u +%FT%TZ) $*" | tee -a "$ROOT/progress.log"; }

source_stage() {
    if compgen -G "$ROOT/src/qt6-base-*/CMakeLists.txt" >/dev/null; then return; fi
    log "source: apt-get source qt6-base"
    mkdir -p "$ROOT/src"
    (cd "$ROOT/src" && apt-get source -qq qt6-base >/dev/null)
    log "source: $(ls -d "$ROOT"/src/qt6-base-*/)"
}

toolchain() {
    cat >"$ROOT/mingw-w64-x86_64.cmake" <<'EOF'
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF
}

configure_stage() {
    if [[ -f $ROOT/build/build.ninja ]]; then return; fi
    toolchain
    local sources src
    sources=("$ROOT"/src/qt6-base-*/)
    src=${sources[0]}
    log "configure: $src"
    $LOCK nice -n 10 cmake -S "$src" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$ROOT/mingw-w64-x86_64.cmake" \
        -DCMAKE_INSTALL_PREFIX="$ROOT/install" \
        -DQT_HOST_PATH=/usr -DQT_HOST_PATH_CMAKE_DIR=/usr/lib/x86_64-linux-gnu/cmake \
        -DQT_BUILD_EXAMPLES=OFF -DQT_BUILD_TESTS=OFF \
        -DFEATURE_opengl=OFF -DFEATURE_dbus=OFF -DFEATURE_openssl=OFF -DFEATURE_schannel=ON \
        -DFEATURE_sql_sqlite=OFF -DFEATURE_sql_psql=OFF -DFEATURE_sql_odbc=OFF \
        -DFEATURE_sql_mysql=OFF >"$ROOT/configure.log" 2>&1
    log "configure: done ($(grep -c . "$ROOT/configure.log") lines in configure.log)"
}

build_stage() {
    local t start
    for t in "${TARGETS[@]}"; do
        start=$SECONDS
        log "build: ninja $t"
        $LOCK nice -n 10 ninja -C "$ROOT/build" -j "$JOBS" "$t" >"$ROOT/build-$t.log" 2>&1 || {
            log "build: $t FAILED after $((SECONDS - start)) s (see $ROOT/build-$t.log)"
            exit 1
        }
        log "build: $t done in $((SECONDS - start)) s"
    done
    log "build: all targets built; Windows DLLs: $(find "$ROOT/build" -name '*.dll' | wc -l)"
}

case "${1:-all}" in
source) source_stage ;;
configure) source_stage; configure_stage ;;
build) build_stage ;;
all) source_stage; configure_stage; build_stage ;;
*) sed -n '2,17p' "$0"; exit 2 ;;
esac
