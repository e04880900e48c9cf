#!/bin/sh
# Installs, on Debian 12 as root, what building and testing libchorusacct
# needs and is not there yet. Does nothing when all is installed.
set -eu

# Build: compiler, meson, the library's dependencies. The SMTP mailer:
# libcurl, and for its test an SMTP server (aiosmtpd) and openssl;
# abigail-tools, doxygen and graphviz for the ABI and documentation tests;
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
abigail-tools doxygen graphviz
libpq-dev postgresql
valgrind gcovr"

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
