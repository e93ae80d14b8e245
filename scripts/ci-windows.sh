#!/usr/bin/env bash
# CI: Windows, checked from Linux (docs/windows.md). Two levels of evidence:
#   1. every source file of service/, shared/ and admin-gui/ (the Windows-only platform
#      files included, the POSIX-only ones left out) compiles for Windows with mingw-w64
#      (x86_64-w64-mingw32-g++-posix -fsyntax-only) against Debian's Qt headers, so the
#      compiler sees _WIN32 and Qt's Q_OS_WIN, not Q_OS_UNIX. A probe that includes
#      <poll.h> must fail first: the check would catch POSIX-only code.
#   2. the MSI is built from installer/windows/*.wxs with Debian's wixl (msitools) from a
#      staging folder in windeployqt's layout, and read back with msiinfo and msiextract:
#      the ServiceInstall and ServiceControl rows, the Start-menu shortcut, the upgrade
#      code, every staged file. Without real Windows binaries ($PUSH_WINDOWS_STAGE: a folder
#      made by windeployqt, as .github/workflows/windows.yml does) the staging folder holds
#      PLACEHOLDER files with the real names: the MSI's structure is checked, not its
#      programs.
# Any error fails it. Usage: scripts/ci-windows.sh [compile|msi] (default: both). Runs the
# compiles two at a time ($WINDOWS_JOBS). Environment: BUILD_DIR (default build; the MSI
# goes to $BUILD_DIR/windows/).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
OUT=$BUILD_DIR/windows
JOBS=${WINDOWS_JOBS:-2}
CXX_WIN=x86_64-w64-mingw32-g++-posix
QT_INCLUDE=/usr/include/x86_64-linux-gnu/qt6
QT_MKSPECS=/usr/lib/x86_64-linux-gnu/qt6/mkspecs
step_start=$SECONDS
step() { echo "== [$((SECONDS - step_start))s] $*"; }

# The cross compiler, msitools, and the headers the sources include (Debian's Linux ones:
# Qt's headers are the same on every platform but for qconfig, see docs/windows.md).
PACKAGES=(g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev msitools wixl
    qt6-base-dev qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev qtkeychain-qt6-dev
    libhttp-parser-dev librabbitmq-dev libhiredis-dev libssl-dev)

# install_missing, shared with scripts/dev.sh.
# shellcheck source=scripts/debian-deps.sh
. scripts/debian-deps.sh

deps() { install_missing "${PACKAGES[@]}"; }

# --- level 1: compile for Windows ---------------------------------------------------------

# Only the third-party headers the sources include, so that no glibc header in /usr/include
# can stand in for a Windows one: a folder of links to them.
third_party_includes() {
    local shim=$1
    mkdir -p "$shim/openssl"
    ln -sf /usr/include/http_parser.h "$shim/"
    ln -sf /usr/include/amqp*.h "$shim/"
    [[ -d /usr/include/rabbitmq-c ]] && ln -sfn /usr/include/rabbitmq-c "$shim/rabbitmq-c"
    ln -sf /usr/include/openssl/* "$shim/openssl/"
    ln -sf /usr/include/x86_64-linux-gnu/openssl/* "$shim/openssl/" # opensslconf.h
    ln -sfn /usr/include/qt6keychain "$shim/qt6keychain"
    ln -sfn /usr/include/hiredis "$shim/hiredis"
}

compile_flags() {
    local shim=$1 m
    # What Qt's own Windows builds define (qt_internal / the win32-g++ mkspec), and what
    # CMake defines for the modules the targets link.
    echo -std=gnu++17 -fsyntax-only -Wall -Wextra -Werror \
        -DUNICODE -D_UNICODE -DWIN32 -DMINGW_HAS_SECURE_API=1 -D_ENABLE_EXTENDED_ALIGNED_STORAGE \
        -DQT_NO_DEBUG -DQT_CORE_LIB -DQT_NETWORK_LIB -DQT_SQL_LIB -DQT_WEBSOCKETS_LIB \
        -DQT_GUI_LIB -DQT_WIDGETS_LIB -DQT_CHARTS_LIB -DQT_OPENGL_LIB -DQT_OPENGLWIDGETS_LIB \
        '-DPUSH_VERSION="0.1.0"'
    echo -isystem "$QT_INCLUDE" -isystem "$QT_MKSPECS/win32-g++"
    for m in QtCore QtNetwork QtSql QtWebSockets QtGui QtWidgets QtCharts QtOpenGL \
        QtOpenGLWidgets; do
        echo -isystem "$QT_INCLUDE/$m"
    done
    # The include roots the CMake targets set: "shared/…", "http/…", "client/…".
    echo -isystem "$shim" -I. -Iservice -Iadmin-gui
}

compile_check() {
    local work flags sources failed=0
    work=$(mktemp -d /tmp/push-ci-windows.XXXXXX)
    # shellcheck disable=SC2064
    trap "rm -rf '$work'" RETURN
    third_party_includes "$work/include"
    flags=$(compile_flags "$work/include" | tr '\n' ' ')

    step "probe: the check sees Windows (Q_OS_WIN) and fails on POSIX-only code"
    printf '#include <QtGlobal>\n#if !defined(Q_OS_WIN) || defined(Q_OS_UNIX)\n#error not Windows\n#endif\n' \
        >"$work/probe-os.cpp"
    # shellcheck disable=SC2086
    $CXX_WIN $flags "$work/probe-os.cpp"
    printf '#include "app/shutdownsignals.h"\n#include <poll.h>\nint main() { return POLLIN; }\n' \
        >"$work/probe-posix.cpp"
    # shellcheck disable=SC2086
    if $CXX_WIN $flags "$work/probe-posix.cpp" 2>"$work/probe.log"; then
        echo "ci-windows: a file including <poll.h> compiled for Windows: the check is blind" >&2
        exit 1
    fi
    if ! grep -q 'poll\.h' "$work/probe.log"; then
        echo "ci-windows: the <poll.h> probe failed for another reason:" >&2
        cat "$work/probe.log" >&2
        exit 1
    fi
    echo "probe with <poll.h> failed as it must: $(grep -m1 'error' "$work/probe.log")"

    # Every source, the Windows side of the platform seam included and its POSIX side out.
    mapfile -t sources < <(find service shared admin-gui -name '*.cpp' ! -name '*_posix.cpp' | sort)
    [[ " ${sources[*]} " == *" service/platform/platform_windows.cpp "* ]]
    [[ " ${sources[*]} " == *" service/platform/winservice_windows.cpp "* ]]
    step "compiling ${#sources[@]} source files for Windows ($CXX_WIN -fsyntax-only, $JOBS at a time)"
    mkdir -p "$work/logs"
    # shellcheck disable=SC2016 # $0..$3 are the inner shell's
    printf '%s\n' "${sources[@]}" | xargs -P "$JOBS" -I{} sh -c \
        '"$0" $1 "$2" >"$3/$(echo "$2" | tr / _).log" 2>&1 || echo "$2" >>"$3/failed"' \
        "$CXX_WIN" "$flags" {} "$work/logs"
    if [[ -s $work/logs/failed ]]; then
        while read -r f; do
            echo "== $f does not compile for Windows:"
            head -n 30 "$work/logs/$(echo "$f" | tr / _).log"
        done <"$work/logs/failed"
        failed=$(wc -l <"$work/logs/failed")
        echo "ci-windows: $failed of ${#sources[@]} files do not compile for Windows" >&2
        exit 1
    fi
    echo "all ${#sources[@]} files compile for Windows"
}

# --- level 2: the MSI ---------------------------------------------------------------------

# windeployqt's layout for the two programs with Qt 6.8 and MSVC (the workflow's build):
# what the placeholder staging folder holds when no real one is given.
PLACEHOLDER_LAYOUT=(push-service.exe push-console.exe
    Qt6Core.dll Qt6Network.dll Qt6Sql.dll Qt6WebSockets.dll Qt6Gui.dll Qt6Widgets.dll
    Qt6Charts.dll Qt6OpenGL.dll Qt6OpenGLWidgets.dll Qt6Svg.dll qt6keychain.dll
    rabbitmq.4.dll libcrypto-3-x64.dll libssl-3-x64.dll http_parser.dll
    msvcp140.dll msvcp140_1.dll vcruntime140.dll vcruntime140_1.dll
    platforms/qwindows.dll styles/qmodernwindowsstyle.dll sqldrivers/qsqlite.dll
    tls/qschannelbackend.dll tls/qopensslbackend.dll tls/qcertonlybackend.dll
    networkinformation/qnetworklistmanager.dll imageformats/qico.dll imageformats/qsvg.dll
    iconengines/qsvgicon.dll generic/qtuiotouchplugin.dll)

# The settings file for Windows: the Linux one's settings under a Windows header.
windows_ini() {
    cat installer/windows/push-service.ini.header
    sed -n '/^\[service\]/,$p' installer/linux/push-service.ini |
        sed -e 's,/etc/push-service/,C:\\ProgramData\\push-service\\,g' \
            -e 's,/var/lib/push-service,C:\\ProgramData\\push-service,g'
}

table() { msiinfo export "$1" "$2" | tr -d '\r' | tail -n +4; } # rows, no header

# Fails with a message unless the table $2 of the MSI $1 has a row matching the regex $3.
# The table is read whole first: "grep -q" in a pipe would stop reading at the first match
# and, with pipefail, the writer's SIGPIPE would fail the check now and then.
expect_row() {
    local rows row
    rows=$(table "$1" "$2")
    if ! row=$(grep -E -m1 "$3" <<<"$rows"); then
        echo "ci-windows: the MSI's $2 table lacks a row matching: $3" >&2
        echo "$rows" >&2
        exit 1
    fi
    echo "  $2: $(tr '\t' ' ' <<<"$row" | cut -c1-150)"
}

msi_check() {
    local stage version msi work
    version=$(sed -nE 's/^project\(QtPushService VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
    mkdir -p "$OUT"
    work=$(mktemp -d /tmp/push-ci-msi.XXXXXX)
    # shellcheck disable=SC2064
    trap "rm -rf '$work'" RETURN
    stage=$work/stage
    if [[ -n ${PUSH_WINDOWS_STAGE:-} ]]; then
        step "staging folder: $PUSH_WINDOWS_STAGE (real Windows binaries, windeployqt)"
        cp -r "$PUSH_WINDOWS_STAGE" "$stage"
    else
        step "staging folder: PLACEHOLDER files in windeployqt's layout (no Windows build here)"
        local f
        for f in "${PLACEHOLDER_LAYOUT[@]}"; do
            mkdir -p "$stage/$(dirname "$f")"
            echo "PLACEHOLDER for $f: not a Windows binary (scripts/ci-windows.sh)" >"$stage/$f"
        done
    fi
    windows_ini >"$stage/push-service.ini"

    step "runtime.wxs: the staged runtime's components (wixl-heat)"
    (cd "$stage" && find . -type f ! -path ./push-service.exe ! -path ./push-console.exe \
        ! -path ./push-service.ini | sed 's,^\./,,' | sort) >"$work/runtime.list"
    (cd "$stage" && wixl-heat --prefix "" --directory-ref INSTALLDIR --component-group QtRuntime \
        --var var.StageDir <"$work/runtime.list") >"$work/runtime.wxs"

    msi=$OUT/push-service-$version-x64.msi
    step "wixl: $msi"
    # wixl ignores attributes it does not support and says so on stderr: shown. Sources
    # are relative to the working directory (wixl refuses absolute ones).
    local wxs=$PWD/installer/windows/push-service.wxs out rc=0
    out=$(realpath -m "$msi") # BUILD_DIR may be absolute (scripts/windows-cross.sh)
    rm -f "$msi"
    (cd "$work" && wixl -a x64 -D StageDir=stage -D Version="$version" -o "$out" \
        "$wxs" runtime.wxs) 2>"$work/wixl.log" || rc=$?
    grep -v '^$' "$work/wixl.log" | sed -e 's/^([^)]*): //' -e 's/^/  wixl: /' || true
    if ((rc != 0)) || [[ ! -s $msi ]]; then # wixl can fail with status 0
        echo "ci-windows: wixl failed ($rc)" >&2
        exit 1
    fi
    # wixl has no Component/@Permanent nor @NeverOverwrite: set the settings file's
    # component attributes in the database itself (256 64-bit + 16 permanent + 128 never
    # overwrite), as WiX would.
    msibuild "$msi" -q "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'Settings'"

    step "msiinfo: the service, its control, the shortcut, the upgrade code"
    # ServiceType 16 own process, StartType 2 automatic, LocalSystem, "service run --config".
    expect_row "$msi" ServiceInstall $'^PushServiceInstall\tpush-service\tQt Push Service\t16\t2\t1\t.*LocalSystem\t\tservice run --config "\\[PushDataDir\\]push-service.ini"\tServiceProgram'
    # Event 163 = 1 start on install + 2 stop on install + 32 stop on uninstall + 128 remove
    # on uninstall; wait for each.
    expect_row "$msi" ServiceControl $'^PushServiceControl\tpush-service\t163\t\t1\tServiceProgram$'
    expect_row "$msi" Shortcut $'^PushConsoleShortcut\tPushMenuDir\tPush Console\tConsoleProgram\t'
    expect_row "$msi" Directory $'^PushMenuDir\tProgramMenuFolder\tQt Push Service$'
    expect_row "$msi" RemoveFile $'\tStartMenu\t\tPushMenuDir\t2$'
    expect_row "$msi" Upgrade $'^\\{0221D612-B4BB-4F94-90B7-B2FB685572E3\\}\t\t'"$version"$'\t\t1\t'
    expect_row "$msi" Component $'^Settings\t\\{[0-9A-F-]+\\}\tPushDataDir\t400\t'
    expect_row "$msi" InstallExecuteSequence $'^RemoveExistingProducts\t'
    for action in StopServices DeleteServices InstallServices StartServices CreateShortcuts; do
        expect_row "$msi" InstallExecuteSequence "^$action"$'\t'
    done

    step "msiextract: every staged file, where windeployqt put it"
    msiextract -C "$work/extract" "$msi" >/dev/null
    local absent=0 n=0 rel
    while read -r rel; do
        n=$((n + 1))
        if ! cmp -s "$stage/$rel" "$work/extract/Qt Push Service/$rel"; then
            echo "ci-windows: $rel is not in the MSI's program folder" >&2
            absent=$((absent + 1))
        fi
    done < <(cd "$stage" && find . -type f ! -path ./push-service.ini | sed 's,^\./,,' | sort)
    cmp "$stage/push-service.ini" "$work/extract/push-service/push-service.ini"
    ((absent == 0)) || exit 1
    echo "  $n files in Qt Push Service\\ (ProgramFiles64Folder), push-service.ini in push-service\\ (CommonAppDataFolder)"
    echo "  $(du -h "$msi" | cut -f1) $msi"
}

case "${1:-all}" in
compile) deps; compile_check ;;
msi) deps; msi_check ;;
all) deps; compile_check; msi_check ;;
*) sed -n '2,20p' "$0"; exit 2 ;;
esac
step "ci-windows.sh: passed"
