#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the test suite and benchmarks.
#   scripts/postgres.sh start   install (Debian package) if missing, init, start; print DATABASE_URL
#   scripts/postgres.sh stop
# Data lives in $GONGXIN_PG_DIR (default /tmp/gongxin-pg); port $GONGXIN_PG_PORT (default 54329).
set -euo pipefail

DIR=${GONGXIN_PG_DIR:-/tmp/gongxin-pg}
PORT=${GONGXIN_PG_PORT:-54329}
USER_NAME=gongxin
PASSWORD=gongxin-test-only

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_installed() {
  if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
    echo "postgres.sh: installing PostgreSQL (Debian package)" >&2
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
  fi
}

# initdb and postgres refuse to run as root: use the postgres account the package created.
run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  ensure_installed
  local bin; bin=$(pg_bin)
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    chmod 700 "$DIR"
    run_pg "$bin/initdb" -D "$DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! run_pg "$bin/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    run_pg "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  fi
  run_pg "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qtA -c \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$USER_NAME') THEN
       CREATE ROLE $USER_NAME LOGIN CREATEDB PASSWORD '$PASSWORD'; END IF; END\$\$;" >/dev/null
  if ! run_pg "$bin/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qtA -c \
      "SELECT 1 FROM pg_database WHERE datname='$USER_NAME'" | grep -q 1; then
    run_pg "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres -O "$USER_NAME" "$USER_NAME"
  fi
  echo "postgres://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$USER_NAME"
}

stop() {
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] && [ -f "$DIR/PG_VERSION" ] && run_pg "$bin/pg_ctl" -D "$DIR" -m fast stop >/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
