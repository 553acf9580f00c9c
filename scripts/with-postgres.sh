#!/usr/bin/env bash
# Run a command against a PostgreSQL cluster on a loopback port.
#   scripts/with-postgres.sh --check      exit 0 when a server binary is available
#   scripts/with-postgres.sh CMD [ARGS…]  start a cluster, run CMD with DATABASE_URL set, stop it
#   MINSHENG_PG_DURABLE=1   keep fsync, synchronous_commit and full_page_writes on (benchmarks of
#                           writes); by default they are off, for the test suite's speed
#   MINSHENG_PG_DIR=/path   keep the cluster in /path (initdb only when it holds none; never
#                           deleted), so that a database filled in one run is timed in the next;
#                           by default a throw-away cluster in a temporary directory
# A durable or kept cluster is a benchmark's: it gets memory for this machine (docs/sizing.md),
# each setting overridable: MINSHENG_PG_SHARED_BUFFERS (2GB), MINSHENG_PG_CACHE (8GB:
# effective_cache_size), MINSHENG_PG_MAINTENANCE_MEM (512MB), MINSHENG_PG_WORK_MEM (32MB),
# MINSHENG_PG_MAX_WAL (4GB).  The test suite's throw-away cluster keeps PostgreSQL's defaults.
set -euo pipefail
# Below the ephemeral range (32768–60999 on Linux), so that no outgoing connection holds it.
PGPORT=${MINSHENG_PGPORT:-25432}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
if [ "${1:-}" = "--check" ]; then
  [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ]
  exit
fi
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || { echo "no PostgreSQL server binary found" >&2; exit 2; }
KEEP=${MINSHENG_PG_DIR:-}
if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d /tmp/minsheng-pg.XXXXXX)
fi
AS=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root; the Debian package provides the postgres user.
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
  if ! "${AS[@]}" test -w "$WORK"; then
    echo "the postgres user cannot reach $WORK (a parent directory is closed to it): choose a directory under /tmp or /srv" >&2
    exit 2
  fi
fi
if [ -n "$KEEP" ] && "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" status >/dev/null 2>&1; then
  echo "a server already runs on $WORK/data (another run?); stop it first: pg_ctl -D $WORK/data stop" >&2
  exit 2
fi
cleanup() {
  if [ -n "$KEEP" ]; then
    # A clean shut-down (a checkpoint), so that the next run starts without recovery; the data stays.
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -t 600 stop >/dev/null 2>&1 || true
  else
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${MINSHENG_PG_DURABLE:-0}" = 1 ]; then
  OPTS=""
fi
if [ "${MINSHENG_PG_DURABLE:-0}" = 1 ] || [ -n "$KEEP" ]; then
  OPTS="$OPTS -c shared_buffers=${MINSHENG_PG_SHARED_BUFFERS:-2GB}"
  OPTS="$OPTS -c effective_cache_size=${MINSHENG_PG_CACHE:-8GB}"
  OPTS="$OPTS -c maintenance_work_mem=${MINSHENG_PG_MAINTENANCE_MEM:-512MB}"
  OPTS="$OPTS -c work_mem=${MINSHENG_PG_WORK_MEM:-32MB}"
  OPTS="$OPTS -c max_wal_size=${MINSHENG_PG_MAX_WAL:-4GB} -c checkpoint_timeout=15min"
fi
if [ ! -s "$WORK/data/PG_VERSION" ]; then
  "${AS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
"${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w -t 600 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK $OPTS" \
  start >/dev/null
if ! "${AS[@]}" "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = 'minsheng'" postgres | grep -q 1; then
  "${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres minsheng
fi
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/minsheng"
"$@"
