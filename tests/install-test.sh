#!/bin/sh
# What a new user does with libchorusacct, from a clean install into a
# temporary prefix with the system's default libdir (lib/x86_64-linux-gnu
# on Debian), moved elsewhere afterwards to show that it is relocatable:
#   - pkg-config: no private requirement, no dependency's include path;
#     every example built with `pkg-config --cflags --libs` alone, and
#     the README's C example;
#   - a static link (libchorusacct-static), run without LD_LIBRARY_PATH;
#   - the installed tool, run without LD_LIBRARY_PATH (its RUNPATH);
#   - a meson project that uses the source tree as a subproject, with
#     neither its tests nor cmocka looked up, shared and static;
#   - a CMake project that finds the install with find_package();
#   - the Python package pip-installed into a fresh virtual environment,
#     and the binding's tests run against it and the installed library;
#   - the Node.js and Rust examples of docs/bindings.md.
# docs/getting-started.md says the same to users.
set -eu
src=$1
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL $*"
    exit 1
}
checks=0
ok() {
    checks=$((checks + 1))
}

meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" -Dtests=false \
    >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 1; }
meson install -C "$tmp/build" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; exit 1; }
# The libdir meson chose for this system, relative to the prefix.
libdir=$(cd "$tmp/prefix" && dirname "$(find . -name libchorusacct.so.0)")
libdir=${libdir#./}

# Relocatable: everything below uses the prefix at another place.
mv "$tmp/prefix" "$tmp/moved"
prefix=$tmp/moved
for f in include/chorusacct.h include/chorusacct/common.h \
         include/chorusacct/version.h include/chorusacct/testkit.h \
         "$libdir/libchorusacct.so.0" "$libdir/libchorusacct.a" \
         "$libdir/libchorusacct-testkit.so" "$libdir/libchorusacct-testkit.a" \
         "$libdir/pkgconfig/libchorusacct.pc" \
         "$libdir/pkgconfig/libchorusacct-static.pc" \
         "$libdir/pkgconfig/libchorusacct-testkit.pc" \
         "$libdir/cmake/libchorusacct/libchorusacctConfig.cmake" \
         "$libdir/cmake/libchorusacct/libchorusacctConfigVersion.cmake" \
         share/man/man1/chorusacct.1 share/man/man3/libchorusacct.3 \
         bin/chorusacct; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done
ok

export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
cflags=$(pkg-config --cflags libchorusacct)
libs=$(pkg-config --libs libchorusacct)
# One include path, the prefix's (relocatable: ${pcfiledir}-relative).
set -- $cflags
[ $# = 1 ] && [ "$(cd "${1#-I}" && pwd -P)" = "$(cd "$prefix/include" && pwd -P)" ] ||
    fail "cflags: $cflags"
[ -z "$(pkg-config --print-requires-private libchorusacct)" ] ||
    fail "Requires.private: $(pkg-config --print-requires-private libchorusacct)"
ok
# The test kit's library: the tool's demo and --now use it.
tk_libs=$(pkg-config --libs libchorusacct-testkit)
version=$(sed -n "s/^  version: '\(.*\)',/\1/p" "$src/meson.build")
for m in libchorusacct libchorusacct-static libchorusacct-testkit; do
    [ "$(pkg-config --modversion $m)" = "$version" ] || fail "$m version"
done
ok

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
       # An example of testing with the test kit links its library.
       if grep -q '<chorusacct/testkit.h>' "$ex"; then
           ex_libs=$tk_libs
       else
           ex_libs=$libs
       fi ;;
    esac
    # shellcheck disable=SC2086
    ${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags "$@" $ex_libs \
        -o "$tmp/$name"
    count=$((count + 1))
done
[ "$count" -gt 0 ] || fail "no example"

# The C example of the README compiles and runs as shown.
awk '/^```c$/ {on = 1; next} /^```$/ {if (on) exit} on' "$src/README.md" \
    >"$tmp/readme.c"
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags "$tmp/readme.c" $libs \
    -o "$tmp/readme"

(
    export LD_LIBRARY_PATH="$prefix/$libdir"
    "$tmp/chorusacct" version | grep -q "^chorusacct 0\." ||
        fail "chorusacct version"
    [ "$("$tmp/readme")" = "SIRET 73282932000074" ] || fail "README example"
    out=$("$tmp/check_siret" "732 829 320 00074")
    [ "$out" = "732 829 320 00074: valide, 73282932000074" ] ||
        fail "check_siret: $out"
    if "$tmp/check_siret" 73282932000075 >/dev/null; then
        fail "check_siret accepted a bad number"
    fi
    [ "$("$tmp/test_signup")" = "signed up, activated and logged in" ] ||
        fail "test_signup"
)
ok

# Every C block of README.md and docs/ against the installed copy alone:
# the programs built with pkg-config's flags and run, the fragments
# compiled (tests/check-code-blocks.py).
set --
for f in $(pkg-config --cflags libchorusacct-testkit); do
    set -- "$@" "--cflag=$f"
done
for f in $(pkg-config --libs libchorusacct-testkit); do
    set -- "$@" "--ldflag=$f"
done
python3 "$src/tests/check-code-blocks.py" --top "$src" --cc "${CC:-cc}" \
    --libpath "$prefix/$libdir" "$@" >"$tmp/blocks.log" 2>&1 ||
    { cat "$tmp/blocks.log"; fail "README/docs C blocks on the install"; }
ok

# Static: the archive, its dependencies from the system; no
# LD_LIBRARY_PATH, and no libchorusacct.so among the libraries loaded.
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -Wall -Wextra -Werror "$tmp/readme.c" \
    $(pkg-config --static --cflags --libs libchorusacct-static) \
    -o "$tmp/readme-static"
[ "$(env -u LD_LIBRARY_PATH "$tmp/readme-static")" = "SIRET 73282932000074" ] ||
    fail "static README example"
if ldd "$tmp/readme-static" | grep -q libchorusacct; then
    fail "the static link loads libchorusacct.so"
fi
ok

# The installed tool finds its libraries by its RUNPATH, wherever the
# prefix went.
env -u LD_LIBRARY_PATH "$prefix/bin/chorusacct" version |
    grep -q "^chorusacct $version" || fail "installed chorusacct"
readelf -d "$prefix/bin/chorusacct" | grep -q 'RUNPATH.*\$ORIGIN' ||
    fail "no \$ORIGIN RUNPATH on the tool"
ok

cat >"$tmp/app.c" <<'EOF'
#include <chorusacct.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    if (strcmp(chorusacct_version(), CHORUSACCT_VERSION_STRING) != 0)
        return 1;
    const char *typed = "732 829 320 00074";
    char norm[16];
    size_t len;
    int reason = 0;
    if (chorusacct_init() != CHORUSACCT_OK ||
        chorusacct_siret_check(typed, strlen(typed), 0, norm, sizeof norm,
                               &len, &reason) != CHORUSACCT_OK)
        return 1;
    printf("%s %s\n", chorusacct_version(), norm);
    return 0;
}
EOF
want="$version 73282932000074"

# A meson project with libchorusacct as a subproject: only the library
# is configured (no cmocka, no tests, no tool), shared and static.
mkdir -p "$tmp/parent/subprojects"
ln -s "$src" "$tmp/parent/subprojects/libchorusacct"
cp "$tmp/app.c" "$tmp/parent/app.c"
cat >"$tmp/parent/meson.build" <<'EOF'
project('parent', 'c', default_options: ['c_std=c11'])
dep = dependency('libchorusacct', fallback: 'libchorusacct')
static_dep = dependency('libchorusacct', fallback: 'libchorusacct',
                        static: true)
app = executable('app', 'app.c', dependencies: dep, install: true)
app_static = executable('app_static', 'app.c', dependencies: static_dep)
test('app', app)
test('app_static', app_static)
EOF
env -u PKG_CONFIG_PATH meson setup "$tmp/parent/build" "$tmp/parent" \
    --force-fallback-for=libchorusacct \
    --prefix="$tmp/parent/prefix" >"$tmp/parent.log" 2>&1 ||
    { cat "$tmp/parent.log"; exit 1; }
if grep -qi cmocka "$tmp/parent/build/meson-logs/meson-log.txt"; then
    fail "the subproject looked up cmocka"
fi
ninja -C "$tmp/parent/build" >"$tmp/parent-build.log" 2>&1 ||
    { cat "$tmp/parent-build.log"; exit 1; }
[ "$(meson test -C "$tmp/parent/build" --list 2>/dev/null | grep -vc "^ninja:")" = 2 ] ||
    fail "the subproject added tests to the parent's"
[ "$("$tmp/parent/build/app")" = "$want" ] || fail "meson parent app"
[ "$("$tmp/parent/build/app_static")" = "$want" ] ||
    fail "meson parent static app"
meson install -C "$tmp/parent/build" >/dev/null 2>&1
if [ -e "$tmp/parent/prefix/bin/chorusacct" ]; then
    fail "the subproject installed the tool"
fi
ok

# A CMake project that finds the installed copy with find_package()
# (tests/setup-debian.sh installs cmake).
command -v cmake >/dev/null 2>&1 || fail "no cmake: run tests/setup-debian.sh"
mkdir -p "$tmp/cm"
cp "$tmp/app.c" "$tmp/cm/app.c"
cat >"$tmp/cm/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.13)
project(parent C)
find_package(libchorusacct 0.1 REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE libchorusacct::libchorusacct)
add_executable(app_static app.c)
target_link_libraries(app_static PRIVATE libchorusacct::static)
EOF
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; exit 1; }
cmake --build "$tmp/cm/build" >>"$tmp/cmake.log" 2>&1 ||
    { cat "$tmp/cmake.log"; exit 1; }
[ "$("$tmp/cm/build/app")" = "$want" ] || fail "CMake app"
[ "$("$tmp/cm/build/app_static")" = "$want" ] || fail "CMake static app"
# The version file refuses a request of another major.minor.
sed -i 's/libchorusacct 0.1 REQUIRED/libchorusacct 0.2 REQUIRED/' \
    "$tmp/cm/CMakeLists.txt"
if cmake -S "$tmp/cm" -B "$tmp/cm/build2" -DCMAKE_PREFIX_PATH="$prefix" \
    >/dev/null 2>&1; then
    fail "find_package(libchorusacct 0.2) accepted $version"
fi
ok

# The Python package (examples/python): pip-installed into a fresh
# virtual environment of Debian's python3, without the package index
# (setuptools and wheel from Debian), and its tests run against this
# install with neither CHORUSACCT_LIBRARY, LD_LIBRARY_PATH nor PYTHONPATH:
# the module finds the library in the libdir that pkg-config gave when
# pip installed it. The layout program is built from the installed
# headers. docs/python.md has the same recipe.
py=/usr/bin/python3
if [ -x $py ] && $py -c 'import ensurepip, setuptools, wheel' 2>/dev/null; then
    # setuptools builds in the source folder: a copy keeps the tree clean.
    cp -R "$src/examples/python" "$tmp/pysrc"
    rm -rf "$tmp/pysrc/build" "$tmp/pysrc/__pycache__" "$tmp/pysrc"/*.egg-info
    $py -m venv --system-site-packages "$tmp/venv" >"$tmp/venv.log" 2>&1 ||
        { cat "$tmp/venv.log"; exit 1; }
    env -u PIP_FIND_LINKS PIP_CACHE_DIR="$tmp/pipcache" \
        PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$tmp/venv/bin/pip" install --no-build-isolation --no-index \
        "$tmp/pysrc" >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log"; exit 1; }
    pyenv="env -u CHORUSACCT_LIBRARY -u CHORUSACCT_TESTKIT_LIBRARY
        -u LD_LIBRARY_PATH -u PYTHONPATH"
    where=$(cd "$tmp" && $pyenv "$tmp/venv/bin/python" -c '
import os, sys, chorusacct as ca
print(os.path.realpath(ca.lib._name))
print(os.path.realpath(ca.testkit._name))
print(ca.__file__.startswith(sys.prefix + os.sep), ca.version())') ||
        fail "import chorusacct"
    want_where="$(readlink -f "$prefix/$libdir/libchorusacct.so.0")
$(readlink -f "$prefix/$libdir/libchorusacct-testkit.so")
True $version"
    [ "$where" = "$want_where" ] ||
        fail "the installed Python package loaded: $where"
    $py "$src/tests/check-ffi.py" --headers "$prefix/include" \
        --layout-c "$tmp/layout.c"
    # shellcheck disable=SC2046
    ${CC:-cc} -std=c11 "$tmp/layout.c" -Wl,-rpath,"$prefix/$libdir" \
        $(pkg-config --cflags --libs libchorusacct-testkit) -o "$tmp/layout"
    (cd "$tmp" && $pyenv "$tmp/venv/bin/python" \
        "$src/examples/python/test_chorusacct.py" --installed \
        --layout "$tmp/layout" --check-ffi "$src/tests/check-ffi.py" \
        --headers "$prefix/include") >"$tmp/pytest.log" 2>&1 ||
        { cat "$tmp/pytest.log"; fail "the Python tests, installed"; }
    # Every test ran: none skipped for want of the layout program, the
    # headers or the test kit.
    [ "$(tail -n 1 "$tmp/pytest.log")" = OK ] ||
        { cat "$tmp/pytest.log"; fail "the Python tests skipped some"; }
    ok
else
    echo "Debian's python3 with venv, setuptools and wheel not found:" \
        "the Python package check is skipped"
fi

# The examples of docs/bindings.md against this install, as that page
# gives them: Node.js (koffi) with CHORUSACCT_LIBRARY; Rust linked where
# pkg-config says (build.rs) and run without LD_LIBRARY_PATH.
if command -v node >/dev/null 2>&1 &&
    [ -d "$src/examples/node/node_modules/koffi" ]; then
    out=$(cd "$src/examples/node" && env -u LD_LIBRARY_PATH \
        CHORUSACCT_LIBRARY="$prefix/$libdir/libchorusacct.so.0" \
        node example.js) || fail "the Node.js example"
    case $out in *"awaits activation"*) ;; *) fail "node: $out" ;; esac
    ok
else
    echo "node or koffi (npm ci in examples/node) not found:" \
        "the Node.js example is skipped"
fi
if command -v cargo >/dev/null 2>&1; then
    env -u CHORUSACCT_LIBDIR CARGO_TARGET_DIR="$tmp/cargo" cargo build \
        --offline --locked --quiet \
        --manifest-path "$src/examples/rust/Cargo.toml" \
        >"$tmp/cargo.log" 2>&1 || { cat "$tmp/cargo.log"; fail "cargo build"; }
    out=$(env -u LD_LIBRARY_PATH "$tmp/cargo/debug/chorusacct-example") ||
        fail "the Rust example"
    case $out in *"awaits activation"*) ;; *) fail "rust: $out" ;; esac
    ok
else
    echo "cargo not found: the Rust example is skipped"
fi

echo "installed; built and ran $count examples, the README example, a" \
    "static link, the tool, a meson and a CMake project, the Python" \
    "package, the Node.js and Rust examples; $checks checks"
echo "1 passed, 0 failed"
