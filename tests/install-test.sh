#!/bin/sh
# Installs libchorusacct into a temporary prefix, then builds every
# example against it with `pkg-config --cflags --libs libchorusacct` and
# nothing else, and runs them.
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" --libdir=lib \
    -Dtests=false -Dexamples=false >"$tmp/setup.log" 2>&1 ||
    { cat "$tmp/setup.log"; exit 1; }
meson install -C "$tmp/build" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; exit 1; }

for f in include/chorusacct.h include/chorusacct/common.h \
         include/chorusacct/version.h lib/pkgconfig/libchorusacct.pc \
         lib/libchorusacct.so.0 lib/libchorusacct.a \
         include/chorusacct/testkit.h lib/pkgconfig/libchorusacct-testkit.pc \
         lib/libchorusacct-testkit.so lib/libchorusacct-testkit.a; do
    [ -e "$tmp/prefix/$f" ] || { echo "FAIL not installed: $f"; exit 1; }
done

export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags libchorusacct)
libs=$(pkg-config --libs libchorusacct)
# The test kit's library: the tool's demo and --now use it.
tk_libs=$(pkg-config --libs libchorusacct-testkit)
[ "$(pkg-config --modversion libchorusacct-testkit)" = \
  "$(pkg-config --modversion libchorusacct)" ] ||
    { echo "FAIL testkit .pc version"; exit 1; }
[ "$(pkg-config --modversion libchorusacct)" = "$(sed -n "s/^  version: '\(.*\)',/\1/p" "$src/meson.build")" ] ||
    { echo "FAIL .pc version"; exit 1; }

# An example is one file, or a folder of files with a main.c (the tool,
# examples/chorusacct/), named after the file or the folder.
count=0
for ex in "$src"/examples/*.c "$src"/examples/*/main.c; do
    [ -e "$ex" ] || continue
    case $ex in
    */main.c) name=$(basename "$(dirname "$ex")")
              set -- "$(dirname "$ex")"/*.c
              # The tool wipes secrets with libsodium's sodium_memzero.
              ex_libs="$tk_libs $(pkg-config --cflags --libs libsodium)" ;;
    *) name=$(basename "$ex" .c)
       set -- "$ex"
       ex_libs=$libs ;;
    esac
    # shellcheck disable=SC2086
    ${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags "$@" $ex_libs \
        -o "$tmp/$name"
    count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "FAIL no example"; exit 1; }

# The C example of the README compiles and runs as shown.
awk '/^```c$/ {on = 1; next} /^```$/ {if (on) exit} on' "$src/README.md" \
    >"$tmp/readme.c"
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags "$tmp/readme.c" $libs \
    -o "$tmp/readme"

export LD_LIBRARY_PATH="$tmp/prefix/lib"
"$tmp/chorusacct" version | grep -q "^chorusacct 0\." ||
    { echo "FAIL chorusacct version"; exit 1; }
[ "$("$tmp/readme")" = "SIRET 73282932000074" ] ||
    { echo "FAIL README example"; exit 1; }
out=$("$tmp/check_siret" "732 829 320 00074")
[ "$out" = "732 829 320 00074: valide, 73282932000074" ] ||
    { echo "FAIL check_siret: $out"; exit 1; }
if "$tmp/check_siret" 73282932000075 >/dev/null; then
    echo "FAIL check_siret accepted a bad number"; exit 1
fi
echo "installed, built and ran $count examples against the installed copy"
echo "1 passed, 0 failed"
