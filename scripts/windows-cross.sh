#!/usr/bin/env bash
# Windows, level 3 (docs/windows.md): the project cross-built for Windows with mingw-w64
# against Qt and libraries cross-built here from Debian's own source packages, and run
# under wine64. Cached outside the checkout under $CI_CACHE/windows-cross (default
# /var/cache/push-service-ci); each stage is skipped when its stamp is there, and ninja
# resumes a partial build. Not part of .ci/run (cold, it takes about an hour).
#
#   scripts/windows-cross.sh [stage...]      (default: all of them, in this order)
#
# Stages:
#   sources   apt-get source of qt6-base, qt6-websockets, qt6-charts, openssl, sqlite3,
#             librabbitmq, http-parser (bookworm) and hiredis, qtkeychain (trixie: hiredis
#             1.x is the first with Windows support); adds the deb-src entries it needs
#   deps      SQLite (static), OpenSSL 3 (DLLs), rabbitmq-c (DLL, with TLS), hiredis
#             (static), http-parser (static) into $ROOT/deps
#   qt        qtbase configured for win32-g++ (Debian's Qt as host tools) as a non-prefix
#             build in $ROOT/qt; the modules the service and its unit tests need
#   websockets  qtwebsockets against it, built into $ROOT/qt
#   service   the project: push-service.exe and the unit tests, in $ROOT/project
#   test      tests/scripts/windows-wine.sh: a token, every unit test under wine64, then
#             push-service.exe under wine serving the README scripts and node test files
#   gui       qtbase's Gui, Widgets and the windows platform plugin; qtcharts; QtKeychain;
#             then push-console.exe
#   console   push-console.exe started under wine and Xvfb, screenshotted
#   msi       the MSI built from these binaries, installed, run and removed under wine
# Each build step runs niced under the shared build lock ($LOCK, default locked-build; do
# not run this script itself under it). Times go to $ROOT/progress.log.
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE_DIR=$PWD

CI_CACHE=${CI_CACHE:-/var/cache/push-service-ci}
ROOT=$CI_CACHE/windows-cross
LOCK=${LOCK:-locked-build}
JOBS=${WINDOWS_CROSS_JOBS:-2}
TRIPLE=x86_64-w64-mingw32
DEPS=$ROOT/deps
QT=$ROOT/qt
TOOLCHAIN=$ROOT/mingw-w64-x86_64.cmake
mkdir -p "$ROOT/stamps" "$ROOT/src" "$ROOT/logs" "$DEPS"
log() { echo "$(date -u +%FT%TZ) $*" | tee -a "$ROOT/progress.log"; }
built() { [[ -f $ROOT/stamps/$1 ]]; }
stamp() { touch "$ROOT/stamps/$1"; }
# run NAME CMD...: CMD niced under the build lock, its output in logs/NAME.log, timed.
run() {
    local name=$1 start=$SECONDS
    shift
    log "$name: $*"
    if ! $LOCK nice -n 10 "$@" >"$ROOT/logs/$name.log" 2>&1; then
        log "$name: FAILED after $((SECONDS - start)) s (see $ROOT/logs/$name.log)"
        tail -20 "$ROOT/logs/$name.log"
        exit 1
    fi
    log "$name: done in $((SECONDS - start)) s"
}
srcdir() { # the one unpacked source folder matching a glob
    local dirs
    mapfile -t dirs < <(compgen -G "$ROOT/src/$1" || true)
    ((${#dirs[@]} == 1)) || { log "source $1: expected one folder, found ${#dirs[@]}"; exit 1; }
    echo "${dirs[0]}"
}

# --- sources -------------------------------------------------------------------------
source_stage() {
    built sources && return
    local list=/etc/apt/sources.list.d/push-windows-cross-src.sources
    if ! apt-get source --print-uris -qq qt6-base >/dev/null 2>&1 ||
        ! apt-get source --print-uris -qq hiredis/trixie >/dev/null 2>&1; then
        log "sources: adding deb-src entries for bookworm and trixie ($list)"
        printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
            'Suites: bookworm bookworm-updates trixie' 'Components: main' \
            'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$list"
        apt-get update -qq
    fi
    local p
    for p in qt6-base qt6-websockets qt6-charts openssl sqlite3 librabbitmq http-parser \
        hiredis/trixie qtkeychain/trixie; do
        local name=${p%/*}
        if compgen -G "$ROOT/src/$name*/" >/dev/null ||
            compgen -G "$ROOT/src/${name/qt6-/qt}-*/" >/dev/null; then continue; fi
        log "sources: apt-get source $p"
        (cd "$ROOT/src" && apt-get source -qq "$p" >/dev/null 2>&1) || {
            # Seen here: the archive's mirror answered 404 for the tarballs of
            # qt6-websockets, qt6-charts and qtkeychain. Unpack the same upstream version
            # (qtwebsockets-6.4.2/, qtcharts-6.4.2/, qtkeychain-0.15.0/) into src/ by hand.
            log "sources: apt-get source $p failed; unpack its upstream release into $ROOT/src"
            exit 1
        }
    done
    stamp sources
}

toolchain() {
    cat >"$TOOLCHAIN" <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER $TRIPLE-gcc-posix)
set(CMAKE_CXX_COMPILER $TRIPLE-g++-posix)
set(CMAKE_RC_COMPILER $TRIPLE-windres)
set(CMAKE_FIND_ROOT_PATH /usr/$TRIPLE $DEPS)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF
}

# --- third-party libraries -----------------------------------------------------------
cmake_lib() { # NAME SOURCE [cmake args...]: configure, build and install into $DEPS
    local name=$1 src=$2
    shift 2
    rm -rf "$ROOT/build-$name"
    run "$name-configure" cmake -S "$src" -B "$ROOT/build-$name" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
        -DCMAKE_INSTALL_PREFIX="$DEPS" "$@"
    run "$name-build" ninja -C "$ROOT/build-$name" -j "$JOBS" install
}

deps_stage() {
    toolchain
    if ! built sqlite; then
        # The amalgamation (sqlite3.c) is generated on the host (tclsh), then compiled
        # for Windows; Qt's SQLite driver links it (FEATURE_system_sqlite).
        local src b=$ROOT/build-sqlite
        src=$(srcdir 'sqlite3-*/')
        rm -rf "$b" && mkdir -p "$b" "$DEPS/include" "$DEPS/lib"
        run sqlite-amalgamation sh -c "cd '$b' && '$src/configure' -q >/dev/null && make -s sqlite3.c"
        run sqlite-build sh -c "cd '$b' && $TRIPLE-gcc-posix -O2 -c sqlite3.c -o sqlite3.o \
            -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_THREADSAFE=1 && $TRIPLE-ar rcs libsqlite3.a sqlite3.o \
            && cp sqlite3.h sqlite3ext.h '$DEPS/include/' && cp libsqlite3.a '$DEPS/lib/'"
        stamp sqlite
    fi
    if ! built openssl; then
        local src
        src=$(srcdir 'openssl-*/')
        rm -rf "$ROOT/build-openssl" && mkdir -p "$ROOT/build-openssl"
        run openssl-configure sh -c "cd '$ROOT/build-openssl' && '$src/Configure' mingw64 \
            --cross-compile-prefix=$TRIPLE- --prefix='$DEPS' --libdir=lib no-tests \
            CC=gcc-posix CXX=g++-posix"
        run openssl-build make -C "$ROOT/build-openssl" -j "$JOBS" build_libs
        run openssl-install make -C "$ROOT/build-openssl" install_dev install_runtime_libs
        stamp openssl
    fi
    if ! built rabbitmq; then
        cmake_lib rabbitmq "$(srcdir 'librabbitmq-*/')" -DBUILD_SHARED_LIBS=ON \
            -DBUILD_STATIC_LIBS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_TESTS=OFF -DBUILD_TOOLS=OFF \
            -DBUILD_API_DOCS=OFF -DENABLE_SSL_SUPPORT=ON -DOPENSSL_ROOT_DIR="$DEPS"
        # Its .pc says -lrabbitmq; the import library is named after the DLL's soversion.
        cp "$DEPS/lib/librabbitmq.4.dll.a" "$DEPS/lib/librabbitmq.dll.a"
        stamp rabbitmq
    fi
    if ! built hiredis; then
        cmake_lib hiredis "$(srcdir 'hiredis-*/')" -DBUILD_SHARED_LIBS=OFF -DDISABLE_TESTS=ON \
            -DENABLE_SSL=OFF
        stamp hiredis
    fi
    if ! built http-parser; then
        local src
        src=$(srcdir 'http-parser-*/')
        run http-parser-build sh -c "cd '$ROOT/build-sqlite' && $TRIPLE-gcc-posix -O2 \
            -DHTTP_PARSER_STRICT=0 -c '$src/http_parser.c' -o http_parser.o && \
            $TRIPLE-ar rcs '$DEPS/lib/libhttp_parser.a' http_parser.o && \
            cp '$src/http_parser.h' '$DEPS/include/'"
        stamp http-parser
    fi
}

# --- Qt --------------------------------------------------------------------------------
QT_SERVICE_TARGETS=(Core Network Sql Test QSQLiteDriverPlugin QSchannelBackendPlugin)
QT_GUI_TARGETS=(Gui Widgets QWindowsIntegrationPlugin QWindowsVistaStylePlugin EntryPointImplementation)

# Qt 6.4's windows platform plugin does not compile without OpenGL: one function tests
# dynamicgl (on by default) but uses OpenGL classes. Fixed in Qt's source like this.
qt_patch() {
    local file
    file=$(srcdir 'qt6-base-*/')/src/plugins/platforms/windows/qwindowswindow.cpp
    grep -q 'QT_CONFIG(dynamicgl) && QT_CONFIG(opengl)' "$file" && return
    sed -i '/^static inline bool isSoftwareGl()/,/^}/ s/^#if QT_CONFIG(dynamicgl)$/#if QT_CONFIG(dynamicgl) \&\& QT_CONFIG(opengl)/' "$file"
    grep -q 'QT_CONFIG(dynamicgl) && QT_CONFIG(opengl)' "$file" || { log "qt: patching $file failed"; exit 1; }
    log "qt: patched isSoftwareGl() in $file (no OpenGL)"
}

qt_configure() {
    built qt-configure && return
    # A non-prefix build (install prefix = build folder): usable without installing.
    # No OpenGL, D-Bus or OpenSSL backend (Schannel is Windows' own TLS); SQLite is the
    # one built above; no tablet support (its wintab.h is not in Debian's +dfsg source).
    run qt-configure cmake -S "$(srcdir 'qt6-base-*/')" -B "$QT" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
        -DCMAKE_INSTALL_PREFIX="$QT" \
        -DQT_HOST_PATH=/usr -DQT_HOST_PATH_CMAKE_DIR=/usr/lib/x86_64-linux-gnu/cmake \
        -DQT_BUILD_EXAMPLES=OFF -DQT_BUILD_TESTS=OFF \
        -DFEATURE_opengl=OFF -DFEATURE_dbus=OFF -DFEATURE_openssl=OFF -DFEATURE_schannel=ON \
        -DFEATURE_tabletevent=OFF -DFEATURE_system_sqlite=ON -DFEATURE_sql_sqlite=ON \
        -DSQLite3_INCLUDE_DIR="$DEPS/include" -DSQLite3_LIBRARY="$DEPS/lib/libsqlite3.a" \
        -DFEATURE_sql_psql=OFF -DFEATURE_sql_odbc=OFF -DFEATURE_sql_mysql=OFF
    stamp qt-configure
}

qt_targets() {
    local t
    for t in "$@"; do
        built "qt-$t" && continue
        run "qt-$t" ninja -C "$QT" -j "$JOBS" -k 0 "$t"
        stamp "qt-$t"
    done
}

qt_module() { # NAME SOURCE-GLOB: an add-on module configured against $QT, built into it
    local name=$1
    built "$name" && return
    rm -rf "$ROOT/build-$name" && mkdir -p "$ROOT/build-$name"
    # Run in the build folder: qt-configure-module writes its config.opt where it runs.
    run "$name-configure" env -C "$ROOT/build-$name" "$QT/bin/qt-configure-module" \
        "$(srcdir "$2")" -- -G Ninja -DQT_BUILD_EXAMPLES=OFF -DQT_BUILD_TESTS=OFF
    # Built straight into $QT (a non-prefix Qt: there is nothing to install).
    run "$name-build" ninja -C "$ROOT/build-$name" -j "$JOBS"
    stamp "$name"
}

# --- the project ---------------------------------------------------------------------
project_configure() {
    run project-configure env PKG_CONFIG_LIBDIR="$DEPS/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR= \
        cmake -S "$SOURCE_DIR" -B "$ROOT/project" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$QT/lib/cmake/Qt6/qt.toolchain.cmake" \
        -DQT_CHAINLOAD_TOOLCHAIN_FILE="$TOOLCHAIN" -DCMAKE_PREFIX_PATH="$QT;$DEPS" \
        -DOPENSSL_ROOT_DIR="$DEPS"
}

unit_tests() { # the unit test programs the configured project has (the console's when built)
    ninja -C "$ROOT/project" -t targets all | grep -o '^tests/unit/tst_[a-z0-9_]*\.exe' | sort -u
}

service_stage() {
    project_configure
    local tests
    mapfile -t tests < <(unit_tests)
    run project-service ninja -C "$ROOT/project" -j "$JOBS" -k 0 push-service "${tests[@]}"
}

# --- wine ------------------------------------------------------------------------------
WINE=/usr/lib/wine/wine64
wine_env() {
    export WINEPREFIX=$ROOT/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    local gccdir
    gccdir=$(dirname "$($TRIPLE-g++-posix -print-file-name=libstdc++-6.dll)")
    # Windows finds DLLs on PATH: Qt's, the libraries', mingw's runtime.
    # Qt finds its plugins beside its DLLs ($QT/plugins).
    export WINEPATH="$QT/bin;$DEPS/bin;$gccdir;/usr/$TRIPLE/lib"
}

test_stage() {
    wine_env
    bash "$SOURCE_DIR/tests/scripts/windows-wine.sh" "$ROOT/project" "$WINE" "$@" |
        tee "$ROOT/logs/test.log"
}

# --- the console -----------------------------------------------------------------------
gui_stage() {
    qt_patch
    qt_targets "${QT_GUI_TARGETS[@]}"
    qt_module charts 'qtcharts-*/'
    if ! built qtkeychain; then
        # QtKeychain 0.15 passes MSVC's /utf-8 to every Windows compiler; GCC takes it
        # for a file name. Given to MSVC only, as its CMakeLists.txt should.
        sed -i 's|^    add_definitions( /utf-8 -DUNICODE )$|    if(MSVC)\n        add_definitions( /utf-8 )\n    endif()\n    add_definitions( -DUNICODE )|' \
            "$(srcdir 'qtkeychain-*/')/qtkeychain/CMakeLists.txt"
        rm -rf "$ROOT/build-qtkeychain"
        run qtkeychain-configure cmake -S "$(srcdir 'qtkeychain-*/')" -B "$ROOT/build-qtkeychain" \
            -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DCMAKE_TOOLCHAIN_FILE="$QT/lib/cmake/Qt6/qt.toolchain.cmake" \
            -DCMAKE_INSTALL_PREFIX="$DEPS" -DBUILD_WITH_QT6=ON -DBUILD_TRANSLATIONS=OFF \
            -DBUILD_TEST_APPLICATION=OFF
        run qtkeychain-build ninja -C "$ROOT/build-qtkeychain" -j "$JOBS" install
        stamp qtkeychain
    fi
    project_configure
    local tests
    mapfile -t tests < <(unit_tests)
    run project-console ninja -C "$ROOT/project" -j "$JOBS" push-console "${tests[@]}"
}

# push-console.exe under wine and Xvfb: tests/gui/screenshots.sh with a build folder of
# wrappers (the service under wine as above; the console under wine), then a screenshot
# of the whole X screen while the console runs.
console_stage() {
    wine_env
    local bin=$ROOT/wine-bin out=$ROOT/screenshots
    rm -rf "$bin" "$out" && mkdir -p "$bin/service" "$bin/admin-gui" "$out"
    printf '#!/bin/sh\nexec %q %q "$@"\n' "$WINE" "$ROOT/project/push-service.exe" \
        >"$bin/service/push-service"
    printf '#!/bin/sh\nexec %q %q "$@"\n' "$WINE" "$ROOT/project/push-console.exe" \
        >"$bin/admin-gui/push-console"
    chmod +x "$bin"/*/*
    # The console starts `push-service token` itself: the Windows program, not the wrapper.
    CONSOLE_DEV_BINARY="$ROOT/project/push-service.exe" \
        bash "$SOURCE_DIR/tests/gui/screenshots.sh" "$bin" "$out" | tee "$ROOT/logs/console.log"
}

# --- the MSI, with these binaries, installed under wine ---------------------------------
# A staging folder in windeployqt's layout from this build (what windeployqt would copy,
# listed by hand: it is not part of Debian's Qt), the MSI built from it by
# scripts/ci-windows.sh msi, then installed with wine's msiexec into a prefix of its own:
# the service must be registered and running, and answer /health on :3334.
msi_stage() {
    local stage=$ROOT/stage gccdir f
    gccdir=$(dirname "$($TRIPLE-g++-posix -print-file-name=libstdc++-6.dll)")
    rm -rf "$stage" && mkdir -p "$stage"/{platforms,styles,sqldrivers,tls}
    cp "$ROOT/project/push-service.exe" "$ROOT/project/push-console.exe" "$stage/"
    for f in Core Network Sql WebSockets Gui Widgets Charts; do cp "$QT/bin/Qt6$f.dll" "$stage/"; done
    cp "$QT/plugins/platforms/qwindows.dll" "$stage/platforms/"
    cp "$QT/plugins/styles/qwindowsvistastyle.dll" "$stage/styles/"
    cp "$QT/plugins/sqldrivers/qsqlite.dll" "$stage/sqldrivers/"
    cp "$QT/plugins/tls/qschannelbackend.dll" "$stage/tls/"
    cp "$DEPS"/bin/*.dll "$stage/"
    cp "$gccdir/libstdc++-6.dll" "$gccdir/libgcc_s_seh-1.dll" \
        "/usr/$TRIPLE/lib/libwinpthread-1.dll" "$stage/"
    BUILD_DIR=$ROOT PUSH_WINDOWS_STAGE=$stage bash "$SOURCE_DIR/scripts/ci-windows.sh" msi |
        tee "$ROOT/logs/msi.log"
    WINEPREFIX=$ROOT/wineprefix-msi WINEDEBUG=-all \
        bash "$SOURCE_DIR/tests/scripts/windows-msi-wine.sh" "$WINE" "$ROOT"/windows/push-service-*-x64.msi |
        tee -a "$ROOT/logs/msi.log"
}

case "${1:-all}" in
all) set -- sources deps qt websockets service test ;;
esac
for stage in "$@"; do
    case $stage in
    sources) source_stage ;;
    deps) deps_stage ;;
    qt) qt_configure && qt_targets "${QT_SERVICE_TARGETS[@]}" ;;
    websockets) qt_module websockets 'qtwebsockets-*/' ;;
    service) service_stage ;;
    test) test_stage ;;
    gui) gui_stage ;;
    console) console_stage ;;
    msi) msi_stage ;;
    *) sed -n '2,27p' "$0"; exit 2 ;;
    esac
done
