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

# Each run takes one share of the browser tests (tests/e2e/conftest.py): they check what Chromium
# shows, the same on either database, so each runs once; the slowest one goes to SQLite's run, the
# quicker one without them.  Without PostgreSQL, SQLite's run takes them all.
if scripts/with-postgres.sh --check; then
  with_postgres=1 sqlite_share=1/2
  echo "== test suite on SQLite and PostgreSQL, side by side"
else
  with_postgres= sqlite_share=
  echo "== PostgreSQL run skipped: no server binary (install Debian's 'postgresql' package to run it)"
fi

( env -u DATABASE_URL MINSHENG_BROWSER_TESTS_SHARE=$sqlite_share "$PY" -m pytest "$@" 2>&1 | prefix sqlite
  exit "${PIPESTATUS[0]}" ) &
sqlite=$!

postgres=
if [ -n "$with_postgres" ]; then
  pg_data=$(mktemp -d "${TMPDIR:-/tmp}/minsheng-pg-data.XXXXXX")
  ( MINSHENG_DATA_DIR=$pg_data MINSHENG_BROWSER_TESTS_SHARE=2/2 scripts/with-postgres.sh "$PY" -m pytest "$@" 2>&1 \
      | prefix postgres
    status=${PIPESTATUS[0]}; rm -rf "$pg_data"; exit "$status" ) &
  postgres=$!
fi

wait "$sqlite"; sqlite_status=$?
postgres_status=0
[ -n "$postgres" ] && { wait "$postgres"; postgres_status=$?; }
echo "== SQLite run: exit $sqlite_status; PostgreSQL run: exit $postgres_status"
[ "$sqlite_status" = 0 ] && [ "$postgres_status" = 0 ]
