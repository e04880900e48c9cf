#!/bin/sh
# Runs a command next to a throwaway PostgreSQL server of its own, then
# stops the server, whatever happens.
#
#   tests/pg-server.sh [--durable] COMMAND [ARGS...]
#
# The server is made with initdb in a new temporary folder and listens
# only on a Unix socket in that folder (no TCP port, so that parallel runs
# never collide), with trust authentication for the role `chorusacct`.
# The command runs with CHORUSACCT_TEST_PG set to the connection string
# of a new, empty database in UTF-8. Run as root, the server runs as
# `nobody` (PostgreSQL refuses to run as root), and the folder is given to
# that user. Without --durable the server does not wait for the disk
# (fsync off): the tests look at behaviour, not at crash safety;
# benchmarks use --durable, the settings of a real server.
#
# Exits with the command's status; 77 (skipped) when the server programs
# are not installed (Debian: apt-get install postgresql). The binaries
# are looked for in CHORUSACCT_PG_BINDIR, then in `pg_config --bindir`,
# then in the newest /usr/lib/postgresql/*/bin.
set -eu

durable=0
if [ "${1:-}" = "--durable" ]; then
    durable=1
    shift
fi
if [ $# -eq 0 ]; then
    echo "usage: $0 [--durable] COMMAND [ARGS...]" >&2
    exit 2
fi

bindir=${CHORUSACCT_PG_BINDIR:-}
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1; then
    bindir=$(pg_config --bindir 2>/dev/null || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        bindir=$d
    done
fi
for prog in initdb pg_ctl createdb; do
    if [ -z "$bindir" ] || [ ! -x "$bindir/$prog" ]; then
        echo "pg-server.sh: no PostgreSQL server programs ($prog); skipped" >&2
        exit 77
    fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/chorusacct-pg-XXXXXX")
# Runs a server program as the server's user.
as_server() {
    "$@"
}
if [ "$(id -u)" -eq 0 ]; then
    user=nobody
    if ! id -u "$user" >/dev/null 2>&1; then
        echo "pg-server.sh: no user '$user' to run the server as" >&2
        rm -rf "$dir"
        exit 1
    fi
    chown "$user" "$dir"
    as_server() {
        runuser -u "$user" -- "$@"
    }
fi

pgdata=$dir/data
started=0
stop() {
    status=$?
    trap - EXIT INT TERM HUP
    if [ "$started" -eq 1 ]; then
        as_server "$bindir/pg_ctl" -D "$pgdata" -m fast -w stop \
            >/dev/null 2>&1 ||
            as_server "$bindir/pg_ctl" -D "$pgdata" -m immediate stop \
                >/dev/null 2>&1 || true
    fi
    if [ "$status" -ne 0 ] && [ "$status" -ne 77 ] &&
        [ -f "$dir/server.log" ]; then
        echo "pg-server.sh: last lines of the server's log:" >&2
        tail -n 20 "$dir/server.log" >&2 || true
    fi
    rm -rf "$dir"
    exit "$status"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if ! as_server "$bindir/initdb" -D "$pgdata" -U chorusacct -A trust \
    -E UTF8 --locale=C -N >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    exit 1
fi

opts="-c listen_addresses= -c unix_socket_directories=$dir -c port=5432"
opts="$opts -c max_connections=100 -c shared_buffers=32MB"
if [ "$durable" -eq 0 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off"
    opts="$opts -c full_page_writes=off"
fi
started=1
if ! as_server "$bindir/pg_ctl" -D "$pgdata" -l "$dir/server.log" -w \
    -t 60 -o "$opts" start >/dev/null; then
    echo "pg-server.sh: the server did not start" >&2
    exit 1
fi

# If this script is killed outright (no trap runs), a watchdog stops the
# server once the script is gone.
script_pid=$$
(
    exec >/dev/null 2>&1 </dev/null
    while kill -0 "$script_pid" 2>/dev/null; do
        sleep 2
    done
    if [ -d "$pgdata" ]; then
        as_server "$bindir/pg_ctl" -D "$pgdata" -m immediate stop || true
        rm -rf "$dir"
    fi
) &

"$bindir/createdb" -h "$dir" -p 5432 -U chorusacct -E UTF8 -T template0 \
    chorusacct
CHORUSACCT_TEST_PG="host=$dir port=5432 user=chorusacct dbname=chorusacct"
export CHORUSACCT_TEST_PG

set +e
"$@"
rc=$?
set -e
exit "$rc"
