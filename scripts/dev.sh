#!/usr/bin/env bash
# The README's set-up commands on Debian 12 (and derivatives):
#   scripts/dev.sh run    install what the build needs, build, start push-service on the
#                         embedded default (SQLite, HTTP ingest, demo tenant) on :3334
#   scripts/dev.sh test   install what the build and tests need, build, run every test
#   scripts/dev.sh test-sanitize   the whole test suite in an AddressSanitizer +
#                         UndefinedBehaviorSanitizer build (gcc, build-asan)
#   scripts/dev.sh test-tsan   the unit, integration and node tests in a ThreadSanitizer build
#                         (gcc, build-tsan) against a ThreadSanitizer Qt (scripts/qt-tsan.sh,
#                         built once, ~15 min); fails on any report from any process
#   scripts/dev.sh fuzz [seconds]  build the libFuzzer targets (clang, build-fuzz) and run
#                         each for [seconds] (default 60); fails on any finding
#   scripts/dev.sh package  build the Debian packages push-service and push-console into
#                         $BUILD_DIR/packages (docs/packaging.md)
# Other verbs: deps, build. Environment: BUILD_DIR (default build), BUILD_TYPE
# (default RelWithDebInfo), CTEST_PARALLEL (default 2), PUSH_PACKAGE_RELEASE (the Debian
# revision of the packages, default 1). docs/reliability.md, docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}

# Debian packages: compiler and build tools, Qt 6 (with the SQLite and PostgreSQL SQL
# drivers), the HTTP parser, OpenSSL, the RabbitMQ and Redis client libraries, libsystemd (sd_notify);
# for the console Qt Charts (which needs Qt OpenGL's development files) and QtKeychain;
# help2man for the man page.
BUILD_PACKAGES=(build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev libqt6sql6-sqlite libqt6sql6-psql qt6-websockets-dev libhttp-parser-dev
    libssl-dev librabbitmq-dev libhiredis-dev qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev
    qtkeychain-qt6-dev libsystemd-dev help2man)
# And for the tests: command-line clients (sqlite3 among them), a real browser, the real servers the tests
# start privately on ports of their own (RabbitMQ, PostgreSQL, nginx, Redis), a session bus with
# GNOME Keyring (the console's keychain) and Xvfb (its screenshots).
TEST_PACKAGES=(openssl curl chromium rabbitmq-server postgresql nginx redis-server
    dbus gnome-keyring xvfb xauth python3 sqlite3)
# And for the fuzzers: clang with libFuzzer and its sanitizer runtimes, llvm-cov's tools.
FUZZ_PACKAGES=(clang libclang-rt-14-dev llvm)
# And for the packages and their tests (scripts/ci-packages.sh, scripts/ci-debian13.sh):
# dpkg-shlibdeps and file (CPack), lintian, systemd-analyze, debootstrap, util-linux.
PACKAGE_PACKAGES=(dpkg-dev file lintian systemd debootstrap util-linux iproute2 curl)

# as_root, missing_packages, install_packages (shared with scripts/ci-windows.sh).
# shellcheck source=scripts/debian-deps.sh
. scripts/debian-deps.sh

deps() {
    local missing=()
    local wanted=("${BUILD_PACKAGES[@]}")
    [[ ${1:-} == test ]] && wanted+=("${TEST_PACKAGES[@]}")
    [[ ${1:-} == fuzz ]] && wanted+=("${FUZZ_PACKAGES[@]}")
    [[ ${1:-} == package ]] && wanted+=("${PACKAGE_PACKAGES[@]}")
    mapfile -t missing < <(missing_packages "${wanted[@]}")
    if [[ ${1:-} == test ]] && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then
        missing+=(nodejs npm)
    fi
    install_packages "${missing[@]}"
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
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "$@" >/dev/null
    cmake --build "$BUILD_DIR"
}

run_tests() {
    echo "== running the test suite"
    (cd "$BUILD_DIR" && ctest --output-on-failure --timeout 600 -j "${CTEST_PARALLEL:-2}" "$@")
}

# Sanitizer options for every process the tests start (the service, the console, the
# unit tests); the reasons for each suppression are in tests/sanitizers/.
sanitizer_env() {
    local supp=$PWD/tests/sanitizers
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
}

# Runs "$@" with every sanitizer report written to a file, then fails when there is any:
# a report from a process a test started (a service, a client) does not always fail the
# test itself, and ctest shows the output of failed tests only.
check_sanitizer_reports() {
    local reports=$PWD/$BUILD_DIR/sanitizer-reports status=0
    rm -rf "$reports"
    mkdir -p "$reports"
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$reports/asan:log_exe_name=1" \
        UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$reports/ubsan" \
        TSAN_OPTIONS="${TSAN_OPTIONS:-}:log_path=$reports/tsan:log_exe_name=1" "$@" || status=$?
    if compgen -G "$reports/*" >/dev/null; then
        echo "== sanitizer reports (also in $reports):"
        cat "$reports"/*
        status=1
    fi
    return $status
}

# ThreadSanitizer over the unit, integration and node tests: the suites where our threads
# (the hub, the I/O workers, the bus thread, the authenticator) run in a process we built
# (the node tests' clients are not ours, the services they start are).
# Against a Qt built with ThreadSanitizer too (scripts/qt-tsan.sh: Debian's Qt 6.4.2
# sources, built once into $QT_TSAN_PREFIX, 14 min measured on two cores), so that
# Qt's own locks, waits and reference counts are seen. The service processes the
# integration tests start are the sanitized push-service on that Qt; every process writes
# its reports to build-tsan/sanitizer-reports/tsan.<executable>.<pid>, and any report
# fails the verb. Suppressions: tests/sanitizers/tsan.supp, each with its reason.
test_tsan() {
    BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
    local qt=${QT_TSAN_PREFIX:-/var/cache/push-service-ci/qt-tsan-6.4.2}
    QT_TSAN_PREFIX=$qt scripts/qt-tsan.sh
    # A build directory configured against another Qt keeps it in its cache.
    if [[ -f $BUILD_DIR/CMakeCache.txt ]] && ! grep -q "^Qt6_DIR:PATH=$qt/" "$BUILD_DIR/CMakeCache.txt"; then
        rm -rf "$BUILD_DIR/CMakeCache.txt" "$BUILD_DIR/CMakeFiles"
    fi
    local tsan="-fsanitize=thread"
    echo "== building in $BUILD_DIR (RelWithDebInfo -O1, gcc ThreadSanitizer, Qt in $qt)"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPUSH_BUILD_TESTS=ON \
        -DCMAKE_PREFIX_PATH="$qt" -DQt6_DIR="$qt/lib/cmake/Qt6" \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" -DCMAKE_CXX_FLAGS="$tsan" \
        -DCMAKE_EXE_LINKER_FLAGS="$tsan" -DCMAKE_SHARED_LINKER_FLAGS="$tsan" >/dev/null
    # Only what the unit, integration and node tests run (not the console, the benchmarks).
    local targets=(push-service socketio-conformance-server)
    targets+=($(cd "$BUILD_DIR" && ctest -N -L 'unit|integration' |
        sed -nE 's,^ *Test +#[0-9]+: (unit|integration)/(tst_[a-z0-9_]+)$,\2,p'))
    cmake --build "$BUILD_DIR" --target "${targets[@]}"
    # The binaries' RUNPATH already names $qt/lib; these make sure that every process the
    # tests start (the service, through QProcess) loads that Qt and its SQL plugins.
    export LD_LIBRARY_PATH="$qt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export QT_PLUGIN_PATH="$qt/plugins"
    # die_after_fork=0: otherwise TSan kills the tests' child processes (QProcess) between
    # fork and exec ("starting new threads after multi-threaded fork"), with a report.
    export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:history_size=4:die_after_fork=0:suppressions=$PWD/tests/sanitizers/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
    # The node tests too: they are the only ones that run the AMQP bus thread (RabbitMQ).
    check_sanitizer_reports run_tests -L 'unit|integration|node'
}

fuzz() {
    local seconds=${1:-60}
    local dir=${FUZZ_BUILD_DIR:-build-fuzz}
    echo "== building the fuzzers in $dir (clang, libFuzzer + ASan + UBSan)"
    CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DPUSH_BUILD_FUZZERS=ON -DPUSH_BUILD_TESTS=OFF >/dev/null
    cmake --build "$dir" --target push_fuzzers
    sanitizer_env
    # The fuzzers keep every leak report: no suppressions file for them.
    export LSAN_OPTIONS=print_suppressions=0
    export ASAN_OPTIONS="$ASAN_OPTIONS:allocator_may_return_null=1"
    local failed=() target corpus
    for target in tests/fuzz/*/; do
        target=$(basename "$target")
        corpus=$dir/tests/fuzz/corpus/$target
        mkdir -p "$corpus" "$dir/tests/fuzz/findings"
        echo "== fuzzing $target for ${seconds}s"
        local args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10
            -rss_limit_mb=2048 -artifact_prefix="$dir/tests/fuzz/findings/$target-")
        [[ -f tests/fuzz/$target/dictionary ]] && args+=(-dict="tests/fuzz/$target/dictionary")
        # New inputs go to the build directory's corpus; the seeds in the repository stay as
        # they are.
        if ! "$dir/tests/fuzz/fuzz_$target" "${args[@]}" "$corpus" "tests/fuzz/$target/seeds" \
            >"$dir/tests/fuzz/$target.log" 2>&1; then
            tail -n 60 "$dir/tests/fuzz/$target.log"
            failed+=("$target")
        fi
        grep -E '^stat::number_of_executed_units|^stat::new_units_added|cov: ' \
            "$dir/tests/fuzz/$target.log" | tail -n 3 || true
    done
    if ((${#failed[@]})); then
        echo "== fuzzing found something in: ${failed[*]} (inputs in $dir/tests/fuzz/findings)"
        return 1
    fi
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
    run_tests
    ;;
test-sanitize)
    # gcc's AddressSanitizer + UndefinedBehaviorSanitizer over everything the tests run.
    deps test
    js_deps
    BUILD_DIR=${SANITIZE_BUILD_DIR:-build-asan}
    san="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all"
    build -DCMAKE_CXX_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
        -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
    sanitizer_env
    check_sanitizer_reports run_tests
    ;;
test-tsan)
    deps test
    js_deps
    test_tsan
    ;;
fuzz)
    deps fuzz
    shift
    fuzz "$@"
    ;;
*)
    sed -n '2,17p' "$0"
    exit 2
    ;;
esac
