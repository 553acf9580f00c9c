"""The planner's statistics on SQLite (ops.statistics): taken for a table that has rows but none,
for every table on the daily run, and after ``migrate``; nothing on PostgreSQL."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from minsheng.demands.models import DemandNumberCounter
from minsheng.ops import statistics

pytestmark = pytest.mark.django_db(transaction=True)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum analyses")
TABLE = "demands_demandnumbercounter"


def _rows_in_statistics(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else None


def _add_counters(n: int, start: int = 0) -> None:
    DemandNumberCounter.objects.bulk_create(
        DemandNumberCounter(day=date(2000, 1, 1) + timedelta(days=start + i), last=i) for i in range(n))


def _forget(table: str) -> None:
    if _rows_in_statistics(table) is not None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])


@sqlite_only
def test_a_table_with_rows_but_no_statistics_is_analysed_once():
    _add_counters(300)
    _forget(TABLE)
    assert TABLE in statistics.tables_without_statistics()
    assert TABLE in statistics.analyse_missing()
    assert _rows_in_statistics(TABLE) == 300
    assert TABLE not in statistics.analyse_missing()


@sqlite_only
def test_the_daily_run_follows_a_table_s_growth():
    _add_counters(300)
    statistics.analyse_missing()
    _add_counters(600, start=300)
    assert TABLE not in statistics.analyse_missing()  # it has statistics, if old ones
    assert _rows_in_statistics(TABLE) == 300
    assert TABLE in statistics.analyse_all()
    assert _rows_in_statistics(TABLE) == 900


@sqlite_only
def test_small_tables_are_left_to_the_planner():
    _add_counters(statistics.MIN_ROWS - 1)
    _forget(TABLE)
    assert TABLE not in statistics.tables_without_statistics()


@sqlite_only
def test_migrate_takes_the_statistics_a_remade_table_lost():
    _add_counters(300)
    _forget(TABLE)
    call_command("migrate", verbosity=0)  # nothing to apply; its post_migrate signal still runs
    assert _rows_in_statistics(TABLE) == 300


def test_the_worker_runs_them():
    from django.conf import settings

    assert ("minsheng.ops.statistics.analyse_missing", 3600) in settings.MINSHENG_PERIODIC_JOBS
    assert ("minsheng.ops.statistics.analyse_all", 86400) in settings.MINSHENG_PERIODIC_JOBS
    if connection.vendor != "sqlite":
        assert statistics.analyse_missing() == [] and statistics.analyse_all() == []
