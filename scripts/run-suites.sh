#!/usr/bin/env bash
# Runs the whole suite on SQLite and on PostgreSQL at the same time (`make test`).
#
# The two runs share no state: the PostgreSQL run gets its own data directory (uploads, models,
# secret key) and its own throw-away cluster (scripts/with-postgres.sh). Run side by side they take
# about as long as the PostgreSQL run alone, instead of the sum of both; each output line carries
# the run's name. The exit status is non-zero if either run fails.
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export PYTHONUNBUFFERED=1  # each run's lines as they come, not in blocks

prefix() { sed -u "s/^/[$1] /"; }

echo "== test suite on SQLite and PostgreSQL, side by side"
( env -u DATABASE_URL "$PY" -m pytest "$@" 2>&1 | prefix sqlite; exit "${PIPESTATUS[0]}" ) &
sqlite=$!

postgres=
if scripts/with-postgres.sh --check; then
  pg_data=$(mktemp -d "${TMPDIR:-/tmp}/minsheng-pg-data.XXXXXX")
  ( MINSHENG_DATA_DIR=$pg_data scripts/with-postgres.sh "$PY" -m pytest "$@" 2>&1 | prefix postgres
    status=${PIPESTATUS[0]}; rm -rf "$pg_data"; exit "$status" ) &
  postgres=$!
else
  echo "== PostgreSQL run skipped: no server binary (install Debian's 'postgresql' package to run it)"
fi

wait "$sqlite"; sqlite_status=$?
postgres_status=0
[ -n "$postgres" ] && { wait "$postgres"; postgres_status=$?; }
echo "== SQLite run: exit $sqlite_status; PostgreSQL run: exit $postgres_status"
[ "$sqlite_status" = 0 ] && [ "$postgres_status" = 0 ]
