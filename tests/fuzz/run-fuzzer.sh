#!/bin/sh
# Runs one libFuzzer target for a bounded time: new inputs go to a scratch
# corpus in the build tree, the committed seeds are only read.
# usage: run-fuzzer.sh FUZZER SECONDS SEED_DIR
set -eu
fuzzer=$1 seconds=$2 seeds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -error_exitcode=1 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work" "$seeds"
