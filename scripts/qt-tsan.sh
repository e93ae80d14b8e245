#!/usr/bin/env bash
# Builds Debian 12's Qt 6.4.2 (qtbase, then qtwebsockets) with ThreadSanitizer, once, into
# a cache outside the checkout, for scripts/dev.sh test-tsan (docs/reliability.md,
# "ThreadSanitizer"). Prints nothing but progress; skips everything when the install is
# already there. With an uninstrumented Qt, every hand-over of memory through Qt's own
# synchronisation (the posted-event queue's lock, QThread::wait(), the reference counts
# in libQt6Core) looks like a race to TSan; built with TSan, Qt's locks are seen.
#
# What is built (minimal): Core, Network (OpenSSL linked), Sql with the SQLite (system
# sqlite3) and PostgreSQL plugins, Concurrent, Test; no GUI, widgets, OpenGL or D-Bus,
# and no GLib, so the event dispatcher is Qt's own (instrumented) one. Then Qt
# WebSockets against it. RelWithDebInfo (Qt's own -O2 -g, -O3 in places), Ninja,
# ccache, nice -n 5. It takes no lock itself: run it
# under the build lock (locked-build scripts/qt-tsan.sh, or locked-build scripts/dev.sh
# test-tsan, which calls it).
#
# Environment: QT_TSAN_PREFIX (default /var/cache/push-service-ci/qt-tsan-6.4.2, the
# install), QT_TSAN_SRC (default /var/cache/push-service-ci/qt-tsan-src, the sources and
# build directories), QT_TSAN_JOBS (default: the number of cores), QT_WEBSOCKETS_GIT
# (where to take qtwebsockets' v6.4.2 tag from when the archive no longer has Debian's
# source package: a git URL, default GitHub's qt/qtwebsockets, or a local git directory).
set -euo pipefail

PREFIX=${QT_TSAN_PREFIX:-/var/cache/push-service-ci/qt-tsan-6.4.2}
SRC=${QT_TSAN_SRC:-/var/cache/push-service-ci/qt-tsan-src}
JOBS=${QT_TSAN_JOBS:-$(nproc)}
VERSION=6.4.2

if [[ -f $PREFIX/.complete ]]; then
    echo "== ThreadSanitizer Qt $VERSION: $PREFIX"
    exit 0
fi

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# The Debian sources: a deb-src entry for bookworm (deb822, like Debian 12's own
# debian.sources) unless one exists.
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "== adding bookworm deb-src (/etc/apt/sources.list.d/push-service-deb-src.sources)"
    as_root tee /etc/apt/sources.list.d/push-service-deb-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
fi

# What the build needs from Debian (the rest of qtbase's build dependencies are features
# switched off below).
PACKAGES=(build-essential cmake ninja-build ccache pkg-config dpkg-dev perl python3
    libssl-dev libsqlite3-dev libpq-dev zlib1g-dev libpcre2-dev libdouble-conversion-dev
    libzstd-dev)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "== installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

mkdir -p "$SRC"
cd "$SRC"
for pkg in qt6-base qt6-websockets; do
    if ! compgen -G "$pkg-$VERSION*/" >/dev/null; then
        # Debian's exact version (6.4.2+dfsg-10, 6.4.2-1 in bookworm) of the package.
        v=$(apt-cache showsrc "$pkg" | sed -n "s/^Version: \($VERSION[^ ]*\)$/\1/p" | head -1)
        [[ -n $v ]] || { echo "no source package $pkg $VERSION in apt's lists" >&2; exit 1; }
        echo "== apt-get source $pkg=$v"
        if ! apt-get source -qq "$pkg=$v" >/dev/null && [[ $pkg == qt6-websockets ]]; then
            # The archive has dropped qt6-websockets 6.4.2-1's files (404, 2026): Debian
            # ships the upstream release unpatched, so take upstream's tag instead.
            git=${QT_WEBSOCKETS_GIT:-https://github.com/qt/qtwebsockets.git}
            echo "== not in the archive; upstream v$VERSION from $git"
            rm -rf "$pkg-$VERSION" && mkdir "$pkg-$VERSION"
            if [[ -d $git ]]; then
                git --git-dir="$git" archive "v$VERSION" | tar -x -C "$pkg-$VERSION"
            else
                git clone -q --depth 1 -b "v$VERSION" "$git" "$pkg-$VERSION"
            fi
        fi
    fi
done
base=$(compgen -G "qt6-base-$VERSION*/" | head -1)
websockets=$(compgen -G "qt6-websockets-$VERSION*/" | head -1)

tsan="-fsanitize=thread"
common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$PREFIX"
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
    -DCMAKE_C_FLAGS="$tsan" -DCMAKE_CXX_FLAGS="$tsan"
    -DCMAKE_EXE_LINKER_FLAGS="$tsan" -DCMAKE_SHARED_LINKER_FLAGS="$tsan"
    -DCMAKE_MODULE_LINKER_FLAGS="$tsan" -DBUILD_TESTING=OFF -DQT_BUILD_EXAMPLES=OFF
    -DQT_BUILD_TESTS=OFF)

echo "== configuring qtbase ($SRC/build-qtbase)"
cmake -S "$base" -B build-qtbase "${common[@]}" \
    -DFEATURE_gui=OFF -DFEATURE_widgets=OFF -DFEATURE_dbus=OFF \
    -DFEATURE_glib=OFF -DFEATURE_icu=OFF -DFEATURE_xml=ON -DFEATURE_printsupport=OFF \
    -DFEATURE_sql=ON -DFEATURE_sql_sqlite=ON -DFEATURE_system_sqlite=ON \
    -DFEATURE_sql_psql=ON -DFEATURE_sql_mysql=OFF -DFEATURE_sql_odbc=OFF \
    -DFEATURE_sql_ibase=OFF -DFEATURE_sql_oci=OFF -DFEATURE_sql_db2=OFF \
    -DFEATURE_openssl_linked=ON -DFEATURE_concurrent=ON -DFEATURE_testlib=ON \
    -DFEATURE_system_pcre2=ON -DFEATURE_system_zlib=ON -DFEATURE_libudev=OFF \
    -DFEATURE_journald=OFF -DFEATURE_gssapi=OFF -DFEATURE_libproxy=OFF >/dev/null
echo "== building and installing qtbase into $PREFIX"
time nice -n 5 cmake --build build-qtbase --parallel "$JOBS"
cmake --install build-qtbase >/dev/null

echo "== configuring qtwebsockets ($SRC/build-qtwebsockets)"
cmake -S "$websockets" -B build-qtwebsockets "${common[@]}" \
    -DCMAKE_PREFIX_PATH="$PREFIX" -DFEATURE_qml=OFF >/dev/null
echo "== building and installing qtwebsockets into $PREFIX"
time nice -n 5 cmake --build build-qtwebsockets --parallel "$JOBS"
cmake --install build-qtwebsockets >/dev/null

touch "$PREFIX/.complete"
echo "== ThreadSanitizer Qt $VERSION: $PREFIX"
