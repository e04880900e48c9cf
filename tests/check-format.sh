#!/bin/sh
# The C sources and headers are formatted as .clang-format says, with the
# clang-format it was written for (Debian 12's clang-format 14); the
# generated tables are left as their generators write them. Skipped (77)
# without that clang-format. To format: sh tests/check-format.sh --fix
set -eu
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 || { echo "SKIP: no $cf"; exit 77; }
case $("$cf" --version) in
*" version 14."*) ;;
*) echo "SKIP: $("$cf" --version) is not clang-format 14"; exit 77 ;;
esac
# Generated: lib/validate/{phone_data,casefold,uclass}.h (docs/testing.md,
# "Generated tables").
files=$(git ls-files '*.c' '*.h' '*.cc' |
        grep -v -e '^lib/validate/phone_data\.h$' \
                -e '^lib/validate/casefold\.h$' \
                -e '^lib/validate/uclass\.h$')
if [ "${1:-}" = --fix ]; then
    # shellcheck disable=SC2086
    "$cf" -i $files
    exit 0
fi
# shellcheck disable=SC2086
if "$cf" --dry-run --Werror $files 2>"${TMPDIR:-/tmp}/format.$$"; then
    rm -f "${TMPDIR:-/tmp}/format.$$"
    echo "$(echo "$files" | wc -l) files formatted"
    echo "1 passed, 0 failed"
else
    grep -m 20 'error:' "${TMPDIR:-/tmp}/format.$$" || true
    n=$(grep -c 'error:' "${TMPDIR:-/tmp}/format.$$" || true)
    rm -f "${TMPDIR:-/tmp}/format.$$"
    echo "$n places to reformat: sh tests/check-format.sh --fix"
    echo "0 passed, 1 failed"
    exit 1
fi
