#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL on loopback for the store tests (see
# ../shared/NOTES-test-servers.md). Usage: postgres.sh start DIR | stop DIR
# start writes the connection URL to DIR/url. The server itself lives in a fresh directory under
# /tmp (its path in DIR/server), because PostgreSQL refuses to run as root: as root it runs as
# the `postgres` user, which must be able to reach its directory (a 0700 checkout would not do).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for port in $(shuf -i 20000-40000 -n 50); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "postgres.sh: no free port" >&2; exit 1
}

case "$action" in
  start)
    "$0" stop "$dir" >/dev/null 2>&1 || true
    mkdir -p "$dir"
    server=$(mktemp -d /tmp/casecrypt-pg.XXXXXX)
    chmod 755 "$server"
    echo "$server" > "$dir/server"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$server"; fi
    port=$(free_port)
    as_pg "$bin/initdb" -D "$server/data" -U postgres --auth=trust -E UTF8 >"$server/initdb.log" 2>&1 ||
      { cat "$server/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -w -t 60 -D "$server/data" \
      -o "-p $port -k $server -c listen_addresses=127.0.0.1 -c fsync=off" -l "$server/server.log" start >/dev/null ||
      { cat "$server/server.log" >&2; exit 1; }
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres casecrypt_test
    echo "postgresql://postgres@127.0.0.1:$port/casecrypt_test" > "$dir/url"
    echo "postgres.sh: started on port $port ($(cat "$dir/url"))"
    ;;
  stop)
    server=$(cat "$dir/server" 2>/dev/null || true)
    if [ -n "$server" ] && [ -f "$server/data/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl" -w -D "$server/data" -m fast stop >/dev/null || true
    fi
    [ -n "$server" ] && rm -rf "$server"
    rm -f "$dir/url" "$dir/server"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
