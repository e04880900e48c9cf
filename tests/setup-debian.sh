#!/bin/sh
# Installs, on Debian 12 as root, what building and testing libchorusacct
# needs and is not there yet. Does nothing when all is installed.
set -eu

# Build: compiler, meson, the library's dependencies. The SMTP mailer:
# libcurl, and for its test an SMTP server (aiosmtpd) and openssl;
# abigail-tools, doxygen and graphviz for the ABI and documentation tests;
# groff-base to check the manual pages; cmake for the CMake project of the
# install test;
# the PostgreSQL client library and server (the tests start a server of
# their own; the package's cluster service is not used).
pkgs="gcc libc6-dev pkg-config meson ninja-build
libsodium-dev libpcre2-dev libsqlite3-dev
libcmocka-dev clang libclang-rt-14-dev clang-format
python3 python3-stdnum python3-phonenumbers
python3-venv python3-setuptools python3-wheel
libphonenumber-dev g++ libpwquality-dev
binutils
libcurl4-openssl-dev python3-aiosmtpd openssl
abigail-tools doxygen graphviz groff-base cmake
libpq-dev postgresql
valgrind gcovr"

# Node.js and npm, for the Node.js example of docs/bindings.md. Any
# nodejs that comes with npm will do (NodeSource's package provides npm;
# Debian's are the packages nodejs and npm).
if ! command -v npm >/dev/null 2>&1; then
    pkgs="$pkgs nodejs npm"
fi

missing=
for p in $pkgs; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup-debian.sh: missing packages:$missing (run as root)" >&2
        exit 1
    fi
    echo "setup-debian.sh: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm packages that tests and examples use, pinned by their lockfiles and
# installed once by `npm ci` from the npm registry (koffi, for
# examples/node); the tests use them offline and skip with a message where
# they are missing. Nothing is done when node_modules is up to date with
# its lockfile.
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/examples/node
stamp=$dir/node_modules/.package-lock.json
if [ ! -e "$stamp" ] ||
    [ -n "$(find "$dir/package-lock.json" -newer "$stamp")" ]; then
    echo "setup-debian.sh: npm ci in examples/node"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
