#!/bin/sh
# Builds libchorusacct and passes every test, as CI does (.ci/run calls
# this script). On a fresh Debian 12 machine, as root, it first installs
# what is missing.
#
#   1. gcc, warnings as errors: unit, abi, diff, ffi, install suites; then
#      the postgres suite (each test starts its own throwaway server);
#   2. AddressSanitizer + UndefinedBehaviorSanitizer: unit, diff and ffi
#      (the Python binding, with gcc's ASan runtime preloaded);
#   3. clang + libFuzzer (+ ASan/UBSan): each fuzz target for a bounded
#      time (FUZZ_SECONDS, 10 by default).
#
# Build folders: build-ci, build-ci-san, build-ci-fuzz (recreated).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh tests/setup-debian.sh

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fuzz_seconds=${FUZZ_SECONDS:-10}
logs=

step() {
    printf '\n=== %s\n' "$*"
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

step "libFuzzer targets, ${fuzz_seconds} s each"
CC=clang build build-ci-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dfuzz_seconds="$fuzz_seconds"
check build-ci-fuzz fuzz

# One closing line for every run above.
# shellcheck disable=SC2086
python3 "$top/tests/summarize.py" $logs
