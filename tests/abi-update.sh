#!/bin/sh
# Regenerates the ABI baseline, tests/abi/libchorusacct.abi, from a build
# of the library like CI's first one (gcc, debugoptimized: with debug
# information, no sanitizer). Run it after an intended change of the ABI,
# as docs/abi.md describes, and commit the baseline with the change.
#
#   sh tests/abi-update.sh [BUILD_DIR]
#
# BUILD_DIR (build-abi by default) is configured when it does not exist
# yet; an existing one must be a gcc build with debug information and
# without sanitizers.
set -eu
cd "$(dirname "$0")/.."

dir=${1:-build-abi}
if [ ! -f "$dir/build.ninja" ]; then
    CC=gcc meson setup "$dir" --buildtype=debugoptimized \
        -Db_sanitize=none -Dtests=false -Dexamples=false -Ddocs=disabled
fi
ninja -C "$dir"

python3 tests/abi-check.py --update \
    --lib "$dir/lib/libchorusacct.so" \
    --headers include/chorusacct \
    --version-h "$dir/include/chorusacct/version.h" \
    --baseline tests/abi/libchorusacct.abi \
    --out "$dir/libchorusacct.abi"
