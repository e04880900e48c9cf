#!/bin/sh
# Builds libchorusacct and passes every test, as CI does (.ci/run calls
# this script). On a fresh Debian 12 machine, as root, it first installs
# what is missing.
#
#   1. gcc, warnings as errors: unit, abi, diff, ffi, install suites;
#   2. the postgres suite on that build (each test starts its own
#      throwaway server);
#   3. AddressSanitizer + UndefinedBehaviorSanitizer: unit, diff and ffi
#      (the Python binding, with gcc's ASan runtime preloaded);
#   4. Valgrind (memcheck) over the C programs of the unit suite, on the
#      gcc build;
#   5. clang + ThreadSanitizer: the unit suite (its concurrency tests);
#   6. gcc + coverage: the unit, abi, diff, install and postgres suites,
#      then gcovr's line coverage of lib/, which fails under 90%;
#   7. clang + libFuzzer (+ ASan/UBSan): each fuzz target for a bounded
#      time (FUZZ_SECONDS, 10 by default).
# Each step prints its time; docs/testing.md tells how to run one alone.
#
# Build folders: build-ci, build-ci-san, build-ci-tsan, build-ci-cov,
# build-ci-fuzz (recreated).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh tests/setup-debian.sh

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
fuzz_seconds=${FUZZ_SECONDS:-10}
logs=

# step TITLE: closes the previous step with its time, opens the next.
started=$(date +%s)
step_start=
step_name=
times=
step() {
    now=$(date +%s)
    if [ -n "$step_name" ]; then
        line=$(printf '%-48s %4d s' "$step_name" $((now - step_start)))
        printf -- '--- %s\n' "$line"
        times="$times$line
"
    fi
    step_start=$now
    step_name=$*
    [ -n "$step_name" ] && printf '\n=== %s\n' "$step_name"
    return 0
}

# build DIR [meson options...]: fresh configure and compile.
build() {
    dir=$1
    shift
    rm -rf "$dir"
    meson setup "$dir" --werror "$@" >"$dir.setup.log" 2>&1 ||
        { cat "$dir.setup.log"; exit 1; }
    ninja -C "$dir"
}

# check DIR SUITE...: runs the suites, keeps the log for the summary.
check() {
    dir=$1
    shift
    args=
    for s in "$@"; do args="$args --suite $s"; done
    # shellcheck disable=SC2086
    meson test -C "$dir" --print-errorlogs --num-processes 2 $args
    logs="$logs $dir/meson-logs/testlog.json"
}

step "gcc, warnings as errors"
build build-ci
check build-ci unit abi diff ffi install

step "PostgreSQL backend (servers of its own, as an unprivileged user)"
# A log of its own, so that the summary keeps the run above.
meson test -C build-ci --print-errorlogs --num-processes 2 --suite postgres \
    --logbase testlog-postgres
logs="$logs build-ci/meson-logs/testlog-postgres.json"

step "AddressSanitizer + UndefinedBehaviorSanitizer"
build build-ci-san -Db_sanitize=address,undefined -Db_lundef=false
check build-ci-san unit diff ffi

step "Valgrind (memcheck): C tests of the unit suite"
# The gcc build again; the scripts' tests are left out (valgrind would
# check Python). The setup is in tests/meson.build.
meson test -C build-ci --setup valgrind --suite unit --no-suite script \
    --print-errorlogs --num-processes 2
logs="$logs build-ci/meson-logs/testlog-valgrind.json"

step "ThreadSanitizer (clang): unit suite"
CC=clang build build-ci-tsan -Db_sanitize=thread -Db_lundef=false
check build-ci-tsan unit

step "Coverage (gcc + gcovr, lib/ >= 90% of lines)"
build build-ci-cov -Db_coverage=true
check build-ci-cov unit abi diff install postgres
# lib/validate/gen-uclass.c is the generator of uclass.h, not library code.
gcovr -r . --filter lib/ --exclude lib/validate/gen-uclass.c --print-summary \
    --fail-under-line 90 build-ci-cov

step "libFuzzer targets, ${fuzz_seconds} s each"
CC=clang build build-ci-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dfuzz_seconds="$fuzz_seconds"
check build-ci-fuzz fuzz

step
printf '\nTime per step:\n%s%-48s %4d s\n' "$times" "total" \
    $(($(date +%s) - started))

# One closing line for every run above.
# shellcheck disable=SC2086
python3 "$top/tests/summarize.py" $logs
