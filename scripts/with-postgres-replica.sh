#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL primary and its streaming replica on loopback ports.
#   scripts/with-postgres-replica.sh CMD [ARGS…]
# CMD runs with DATABASE_URL (the primary) and DATABASE_REPLICA_URL (a hot standby fed by
# PostgreSQL's own streaming replication) set; both clusters are removed afterwards.
#   MINSHENG_PGPORT          the primary's port (default 25434), the replica takes the next one
#   MINSHENG_PG_DURABLE=1    keep fsync, synchronous_commit and full_page_writes on (benchmarks);
#                            by default they are off, as in scripts/with-postgres.sh, for speed
set -euo pipefail
PGPORT=${MINSHENG_PGPORT:-25434}
REPLICA_PORT=$((PGPORT + 1))
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || { echo "no PostgreSQL server binary found" >&2; exit 2; }
WORK=$(mktemp -d /tmp/minsheng-pg-replica.XXXXXX)
AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
fi
cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/replica" -m immediate stop >/dev/null 2>&1 || true
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
FAST="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${MINSHENG_PG_DURABLE:-0}" = 1 ] && FAST=""
"${AS[@]}" "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK -c wal_level=replica -c max_wal_senders=4 $FAST" \
  start >/dev/null
"${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres minsheng
# A base backup of the primary that starts as a standby (-R writes standby.signal and the
# connection to the primary) and streams the WAL from then on.
"${AS[@]}" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U postgres -D "$WORK/replica" -R -X stream >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/replica" -l "$WORK/replica.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $REPLICA_PORT -k $WORK -c hot_standby=on $FAST" start >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/minsheng"
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/minsheng"
"$@"
