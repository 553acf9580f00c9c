#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on a loopback port.
#   scripts/with-postgres.sh --check      exit 0 when a server binary is available
#   scripts/with-postgres.sh CMD [ARGS…]  start a cluster, run CMD with DATABASE_URL set, stop it
#   MINSHENG_PG_DURABLE=1   keep fsync, synchronous_commit and full_page_writes on (benchmarks of
#                           writes); by default they are off, for the test suite's speed
set -euo pipefail
# Below the ephemeral range (32768–60999 on Linux), so that no outgoing connection holds it.
PGPORT=${MINSHENG_PGPORT:-25432}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
if [ "${1:-}" = "--check" ]; then
  [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ]
  exit
fi
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || { echo "no PostgreSQL server binary found" >&2; exit 2; }
WORK=$(mktemp -d /tmp/minsheng-pg.XXXXXX)
AS=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root; the Debian package provides the postgres user.
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
fi
cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
FAST="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${MINSHENG_PG_DURABLE:-0}" = 1 ] && FAST=""
"${AS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK $FAST" \
  start >/dev/null
"${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres minsheng
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/minsheng"
"$@"
