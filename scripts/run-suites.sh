#!/usr/bin/env bash
# Runs the whole suite on SQLite and on PostgreSQL at the same time (`make test`).
#
# The two runs share no state: the PostgreSQL run gets its own data directory (uploads, models,
# secret key) and its own throw-away cluster (scripts/with-postgres.sh). Run side by side they take
# about as long as the PostgreSQL run alone, instead of the sum of both; each output line carries
# the run's name. The exit status is non-zero if either run fails.
#
# Time limits, so that a run that hangs or crawls ends with a report instead of being killed by
# CI's own limit (90 minutes) with nothing said: each test has pytest-timeout's limit (pyproject:
# `timeout`; a test that needs more says so with @pytest.mark.timeout), and each run stops starting
# tests after MINSHENG_SUITE_TIMEOUT seconds (default 4,800), reporting the tests it did not run.
# At the end both runs' summaries (failures, errors, the counts) are printed again, together.
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SUITE_TIMEOUT=${MINSHENG_SUITE_TIMEOUT:-4800}
export PYTHONUNBUFFERED=1  # each run's lines as they come, not in blocks

logs=$(mktemp -d "${TMPDIR:-/tmp}/minsheng-suites.XXXXXX")
# Each line tagged with its run, and kept whole in that run's log for the summary at the end.
tagged() { tee "$logs/$1.log" | sed -u "s/^/[$1] /"; }

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
started=$SECONDS

( env -u DATABASE_URL MINSHENG_BROWSER_TESTS_SHARE=$sqlite_share \
    "$PY" -m pytest --session-timeout="$SUITE_TIMEOUT" "$@" 2>&1 | tagged sqlite
  exit "${PIPESTATUS[0]}" ) &
sqlite=$!

postgres=
if [ -n "$with_postgres" ]; then
  pg_data=$(mktemp -d "${TMPDIR:-/tmp}/minsheng-pg-data.XXXXXX")
  ( MINSHENG_DATA_DIR=$pg_data MINSHENG_BROWSER_TESTS_SHARE=2/2 \
      scripts/with-postgres.sh "$PY" -m pytest --session-timeout="$SUITE_TIMEOUT" "$@" 2>&1 | tagged postgres
    status=${PIPESTATUS[0]}; rm -rf "$pg_data"; exit "$status" ) &
  postgres=$!
fi

wait "$sqlite"; sqlite_status=$?
postgres_status=0
[ -n "$postgres" ] && { wait "$postgres"; postgres_status=$?; }

# pytest's closing sections: the session's time limit if it was reached, where a test that ran out
# of time was stuck, then from the short summary (failures and errors, one line each) or, in a run
# without any, the last line with the counts.
summary() {
  local log="$logs/$1.log"
  [ -f "$log" ] || return 0
  echo "== $1:"
  grep -h "session-timeout" "$log" || true
  # Where each test that ran out of time was stuck, one line each (tests/conftest.py), cut short.
  grep -h "^== hung:" "$log" | cut -c1-900 || true
  if grep -q "short test summary info" "$log"; then
    sed -n '/short test summary info/,$p' "$log"
  else
    tail -n 1 "$log"
  fi
}
echo "== summaries, after $((SECONDS - started)) s"
summary sqlite
[ -n "$postgres" ] && summary postgres
echo "== SQLite run: exit $sqlite_status; PostgreSQL run: exit $postgres_status"
rm -rf "$logs"
[ "$sqlite_status" = 0 ] && [ "$postgres_status" = 0 ]
