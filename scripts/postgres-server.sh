#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and trials, never the machine's own cluster:
#   scripts/postgres-server.sh start DIR   create a cluster in DIR (which must not exist), start it on
#                                          127.0.0.1 and a free port, create the database
#                                          customer_pyramid; prints `PYRAMID_PG_PORT=<port>` and
#                                          `PYRAMID_PG_USER=<role>` lines to use with the postgres target
#   scripts/postgres-server.sh stop DIR    stop that server and remove DIR
# Installs Debian's postgresql when missing (scripts/ensure-postgres.sh). As root, the server runs as
# the `postgres` system user (PostgreSQL refuses to run as root); the build role is `postgres` then,
# otherwise the current user. Only connections from 127.0.0.1 are accepted (trust authentication: the
# server is private to this machine and lives only as long as the test that started it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() { echo "usage: scripts/postgres-server.sh start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
action=$1
dir=$2

as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$action" in
start)
    [[ ! -e "$dir" ]] || { echo "postgres-server: $dir exists; give a new directory" >&2; exit 2; }
    bindir=$("$here/ensure-postgres.sh")
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "postgres-server: no 'postgres' system user to run the server as" >&2; exit 1; }
        chown postgres "$dir"
        role=postgres
    else
        role=$(id -un)
    fi
    as_server_user "$bindir/initdb" --pgdata="$dir/data" --username="$role" --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { echo "postgres-server: initdb failed; see $dir/initdb.log" >&2; tail -5 "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3; do
        port=$(free_port)
        if as_server_user "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=40 -c shared_buffers=128MB -c work_mem=64MB" \
            start >/dev/null 2>&1; then
            echo "$port" >"$dir/port"
            break
        fi
        port=
    done
    [[ -n "$port" ]] || { echo "postgres-server: the server did not start; see $dir/server.log" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
    "$bindir/createdb" --host=127.0.0.1 --port="$port" --username="$role" customer_pyramid
    echo "PYRAMID_PG_HOST=127.0.0.1"
    echo "PYRAMID_PG_PORT=$port"
    echo "PYRAMID_PG_USER=$role"
    ;;
stop)
    if [[ -d "$dir/data" ]]; then
        bindir=$("$here/ensure-postgres.sh")
        as_server_user "$bindir/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    usage
    ;;
esac
