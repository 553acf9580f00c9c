"""Monthly partitions of the event log and the other growing tables (ops.partitions; PostgreSQL only)."""

import io
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from minsheng.core import clock
from minsheng.demands import selectors
from minsheng.demands.models import DemandEvent
from minsheng.notifications.delivery import deliver_batch
from minsheng.notifications.worker import Worker
from minsheng.ops import health, partitions

from ..demands.helpers import bring_to

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="partitions exist on PostgreSQL only (SQLite keeps plain tables)")
EVENTS = partitions.TABLES[0]
LOCAL = ZoneInfo(settings.TIME_ZONE)


def _moment(month: date) -> datetime:
    """A random instant inside the local month (its first and last hours included)."""
    start = datetime(month.year, month.month, 1, tzinfo=LOCAL)
    end = datetime(*partitions.add_months(month, 1).timetuple()[:3], tzinfo=LOCAL)
    return start + (end - start - timedelta(hours=2)) * random.random() + timedelta(hours=random.choice([0, 1]))


def _old_month() -> date:
    """A random month older than the keep period, so that it may be detached."""
    return partitions.add_months(partitions.current_month(),
                                 -settings.MINSHENG_PARTITIONS_KEEP_MONTHS - random.randint(1, 30))


def _partition_of(event_id: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM demands_demandevent WHERE id = %s", [event_id])
        return cur.fetchone()[0]


def _verify() -> str:
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    return out.getvalue().splitlines()[-1]


def test_on_sqlite_nothing_is_partitioned(db):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite behaviour")
    out = io.StringIO()
    call_command("partitions", "--ahead", "3", stdout=out)
    assert "not PostgreSQL" in out.getvalue()
    assert partitions.create_ahead(3) == [] and partitions.partitioned_tables() == []


@on_postgresql
def test_every_growing_table_is_partitioned_by_month(db):
    assert [spec.table for spec in partitions.partitioned_tables()] == [spec.table for spec in partitions.TABLES]
    for spec in partitions.TABLES:
        assert partitions.default_name(spec) in partitions.attached_partitions(spec)


@on_postgresql
def test_partitions_are_created_ahead_and_next_month_lands_in_its_own(world):
    # A month the migration did not prepare: years from now.
    now = _moment(date(random.randint(2031, 2040), random.randint(1, 12), 1))
    ahead = random.randint(1, 4)
    with clock.frozen_at(now):
        this = partitions.current_month()
        out = io.StringIO()
        call_command("partitions", "--ahead", str(ahead), stdout=out)
        assert f"created {len(partitions.TABLES) * (ahead + 1)} partitions" in out.getvalue()
        assert partitions.create_ahead(ahead) == []  # idempotent
    for spec in partitions.TABLES:
        attached = partitions.attached_partitions(spec)
        for n in range(ahead + 1):
            assert partitions.partition_name(spec, partitions.add_months(this, n)) in attached
        assert partitions.partition_name(spec, partitions.add_months(this, ahead + 1)) not in attached
    following = partitions.add_months(this, 1)
    with clock.frozen_at(_moment(following)):
        demand = bring_to(world, "dispatched")
    assert {_partition_of(e.pk) for e in demand.events.all()} == {partitions.partition_name(EVENTS, following)}


@on_postgresql
def test_the_worker_keeps_partitions_ahead(db, settings):
    settings.MINSHENG_PERIODIC_JOBS = [("minsheng.ops.partitions.create_ahead", 3600)]
    with clock.frozen_at(_moment(date(random.randint(2041, 2050), 6, 1))):
        this = partitions.current_month()
        Worker().run_due_jobs()
    attached = partitions.attached_partitions(EVENTS)
    for n in range(settings.MINSHENG_PARTITIONS_AHEAD + 1):
        assert partitions.partition_name(EVENTS, partitions.add_months(this, n)) in attached


@on_postgresql
def test_an_old_month_gets_its_partition_and_its_rows_leave_the_default(world):
    month = _old_month()
    with clock.frozen_at(_moment(month)):
        first = bring_to(world, "closed")
    events = list(first.events.values_list("pk", flat=True))
    assert {_partition_of(pk) for pk in events} == {partitions.default_name(EVENTS)}
    created = partitions.create_ahead(0)
    assert partitions.partition_name(EVENTS, month) in created
    assert {_partition_of(pk) for pk in events} == {partitions.partition_name(EVENTS, month)}
    assert first.events.count() == len(events)
    with clock.frozen_at(_moment(month)):
        second = bring_to(world, "dispatched")
    assert {_partition_of(e.pk) for e in second.events.all()} == {partitions.partition_name(EVENTS, month)}
    assert _verify() == "mismatches=0 demands=2"
    # The dashboard's counters of that month moved with them, and still upsert in place.
    rollups = partitions.TABLES[3]
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT tableoid::regclass::text FROM assessment_rollup WHERE day >= %s AND day < %s",
                    [month, partitions.add_months(month, 1)])
        assert [row[0] for row in cur.fetchall()] == [partitions.partition_name(rollups, month)]
        cur.execute("SELECT sum(registered) FROM assessment_rollup WHERE period = 'd'")
        assert cur.fetchone() == (2,)


@on_postgresql
def test_the_append_only_trigger_holds_on_a_partition(world):
    month = _old_month()
    with clock.frozen_at(_moment(month)):
        demand = bring_to(world, "in_progress")
    partitions.create_ahead(0)
    name = partitions.partition_name(EVENTS, month)
    for sql in (f"UPDATE {name} SET note = 'rewritten' WHERE demand_id = %s",
                f"DELETE FROM {name} WHERE demand_id = %s",
                "UPDATE demands_demandevent SET created_at = created_at + interval '1 month' WHERE demand_id = %s"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [demand.pk])
    assert demand.events.count() == 4


@on_postgresql
def test_detach_and_attach_an_old_month(world):
    month = _old_month()
    with clock.frozen_at(_moment(month)):
        closed = bring_to(world, "closed")
    partitions.create_ahead(0)
    while deliver_batch():  # its messages, long delivered by the time a month is archived
        pass
    count = closed.events.count()
    out = io.StringIO()
    call_command("partitions", "--detach", f"{month:%Y-%m}", stdout=out)
    name = partitions.partition_name(EVENTS, month)
    assert name in out.getvalue() and name not in partitions.attached_partitions(EVENTS)
    assert closed.events.count() == 0  # archived: out of the live table, still in the database
    with pytest.raises(CommandError, match="nothing to detach"):
        call_command("partitions", "--detach", f"{month:%Y-%m}")
    call_command("partitions", "--attach", f"{month:%Y-%m}", stdout=io.StringIO())
    assert name in partitions.attached_partitions(EVENTS)
    assert closed.events.count() == count
    assert _verify() == "mismatches=0 demands=1"
    with pytest.raises(CommandError, match="already attached"):
        call_command("partitions", "--attach", f"{month:%Y-%m}")
    # Reattached, the month's partition refuses changes again.
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {name}")


@on_postgresql
def test_detach_refuses_a_recent_month_and_an_open_demands_history(world):
    keep = settings.MINSHENG_PARTITIONS_KEEP_MONTHS
    recent = partitions.add_months(partitions.current_month(), -random.randint(0, keep))
    with pytest.raises(CommandError, match="not old enough"):
        call_command("partitions", "--detach", f"{recent:%Y-%m}")
    with pytest.raises(CommandError, match="not a month"):
        call_command("partitions", "--detach", "2025-13")
    month = _old_month()
    with clock.frozen_at(_moment(month)):
        still_open = bring_to(world, "in_progress")
    partitions.create_ahead(0)
    with pytest.raises(CommandError, match=f"{still_open.number}.*still open"):
        call_command("partitions", "--detach", f"{month:%Y-%m}")
    assert partitions.partition_name(EVENTS, month) in partitions.attached_partitions(EVENTS)
    with pytest.raises(CommandError, match="already attached"):
        call_command("partitions", "--attach", f"{month:%Y-%m}")


@on_postgresql
def test_the_migration_keeps_every_existing_row(world):
    """The conversion on a database that has events: back to one plain table, then partitioned
    again by the migration's function; counts, checks and the trigger are as before."""
    months = sorted({_old_month() for _ in range(3)} | {partitions.current_month()})
    for month in months:
        with clock.frozen_at(_moment(month)):
            bring_to(world, random.choice(["registered", "in_progress", "closed"]))
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = DemandEvent.objects.count()
    ids = sorted(DemandEvent.objects.values_list("pk", flat=True))
    with connection.schema_editor(atomic=False) as editor:
        partitions.unpartition_table(editor, EVENTS)
    assert not partitions.is_partitioned(EVENTS.table)
    assert DemandEvent.objects.count() == before
    with connection.schema_editor(atomic=False) as editor:
        partitions.partition_table(editor, EVENTS)
    assert partitions.is_partitioned(EVENTS.table)
    assert sorted(DemandEvent.objects.values_list("pk", flat=True)) == ids
    attached = partitions.attached_partitions(EVENTS)
    for month in months:
        assert partitions.partition_name(EVENTS, month) in attached
    assert _verify() == f"mismatches=0 demands={len(months)}"
    # New events still get fresh keys from the sequence, after the copied ones.
    later = bring_to(world, "registered")
    assert later.events.get().pk > ids[-1]
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM demands_demandevent")


@on_postgresql
def test_a_demands_page_reads_no_partition_before_its_registration(world):
    older = _old_month()
    with clock.frozen_at(_moment(older)):
        bring_to(world, "closed")
    partitions.create_ahead(0)
    demand = bring_to(world, "in_progress")
    for query in (selectors.events_of(demand), selectors.history_of(demand).filter(public=True)):
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cur.fetchall())
        assert partitions.partition_name(EVENTS, partitions.current_month()) in plan
        assert partitions.partition_name(EVENTS, older) not in plan
    assert [e.seq for e in selectors.events_of(demand)] == [1, 2, 3, 4]


@on_postgresql
def test_health_warns_while_next_months_partition_is_missing(db):
    assert health.check_partitions().status == health.OK
    with clock.frozen_at(_moment(date(random.randint(2051, 2060), random.randint(1, 12), 1))):
        check = health.check_partitions()
        assert check.status == health.WARN
        assert check.detail == {"tables": len(partitions.TABLES), "next_month_missing": len(partitions.TABLES)}
        partitions.create_ahead(1)
        assert health.check_partitions().status == health.OK


@on_postgresql
def test_a_bulk_load_of_history_gets_its_months_first(db):
    last = _old_month()
    first = partitions.add_months(last, -random.randint(0, 14))
    created = partitions.create_months(first, last + timedelta(days=random.randint(0, 27)))
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert len(created) == months * len(partitions.TABLES)
    assert partitions.create_months(first, last) == []
