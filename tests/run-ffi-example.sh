#!/bin/sh
# Runs one example of docs/bindings.md against the library just built:
#   run-ffi-example.sh node SRCDIR LIBRARY
#   run-ffi-example.sh rust SRCDIR LIBRARY TARGETDIR
# LIBRARY is the path of libchorusacct.so; TARGETDIR is cargo's output
# folder (in the build tree, so that the source tree stays clean). Exits
# 77, meson's "skipped", with the reason when node, koffi (installed by
# `npm ci` in examples/node, as tests/setup-debian.sh does) or cargo is
# missing. The examples assert their results themselves; this checks
# that they got to the end.
set -eu
lang=$1
src=$2
library=$3
skip() {
    echo "skipped: $*"
    exit 77
}
[ -z "${CHORUSACCT_TEST_SKIP:-}" ] || skip "$CHORUSACCT_TEST_SKIP"
case $lang in
node)
    command -v node >/dev/null 2>&1 || skip "node not found"
    [ -d "$src/examples/node/node_modules/koffi" ] ||
        skip "koffi is not installed: run 'npm ci' in examples/node"
    out=$(cd "$src/examples/node" &&
        CHORUSACCT_LIBRARY=$library node example.js)
    ;;
rust)
    command -v cargo >/dev/null 2>&1 || skip "cargo not found"
    out=$(CARGO_TARGET_DIR=$4 CHORUSACCT_LIBDIR=$(dirname "$library") \
        cargo run --offline --locked --quiet \
        --manifest-path "$src/examples/rust/Cargo.toml")
    ;;
*)
    echo "run-ffi-example.sh: unknown example $lang" >&2
    exit 2
    ;;
esac
echo "$out"
case $out in
*"awaits activation"*) ;;
*) echo "FAIL: the $lang example did not finish"; exit 1 ;;
esac
