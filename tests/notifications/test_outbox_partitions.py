"""The outbox partitioned by month on PostgreSQL (ops.partitions, notifications/0006): messages are
kept through the conversion, land in their month, are claimed from the months that may hold a
pending message only, and an old month is archived like the event log's."""

import io
import random
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from minsheng.core import clock
from minsheng.notifications import delivery
from minsheng.notifications.models import InAppNotification, OutboxMessage
from minsheng.notifications.services import enqueue
from minsheng.notifications.worker import Worker
from minsheng.ops import partitions

from ..races import race

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="partitions exist on PostgreSQL only (SQLite keeps plain tables)")
pytestmark = on_postgresql
OUTBOX = next(spec for spec in partitions.TABLES if spec.table == "notifications_outboxmessage")
LOCAL = ZoneInfo(settings.TIME_ZONE)
Status = OutboxMessage.Status
PARAMS = {"number": "T1", "link": "https://x/track/?number=T1"}


def _moment(month: date) -> datetime:
    """A random instant inside the local month (its first and last hours included), not after now
    in the current month (a message written then is due now)."""
    start = datetime(month.year, month.month, 1, tzinfo=LOCAL)
    end = datetime(*partitions.add_months(month, 1).timetuple()[:3], tzinfo=LOCAL)
    if month == partitions.current_month():
        return start + (clock.now() - start) * random.random()
    return start + (end - start - timedelta(hours=2)) * random.random() + timedelta(hours=random.choice([0, 1]))


def _old_month() -> date:
    """A random month older than the keep period, so that it may be detached."""
    return partitions.add_months(partitions.current_month(),
                                 -settings.MINSHENG_PARTITIONS_KEEP_MONTHS - random.randint(1, 30))


def _messages(user, month: date, count: int, channel: str = "in_app") -> list[OutboxMessage]:
    with clock.frozen_at(_moment(month)):
        return [enqueue(channel=channel, message="demand.received", params=PARAMS, recipient=user)
                for _ in range(count)]


def _partition_of(message: OutboxMessage) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM notifications_outboxmessage WHERE id = %s", [message.pk])
        return cur.fetchone()[0]


def _plan(sql: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.fixture(autouse=True)
def _keep_connection(monkeypatch):
    # The worker drops connections left outside autocommit; the test's transaction is one.
    monkeypatch.setattr("minsheng.notifications.worker.close_old_connections", lambda: None)


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="recipient")


def test_the_migration_keeps_every_message_and_key(user):
    """notifications/0006 backwards (one plain table, the old index, the notices' foreign key) and
    forwards again on a table that holds messages of several months in every state."""
    months = sorted({partitions.add_months(partitions.current_month(), -random.randint(1, 40)) for _ in range(3)}
                    | {partitions.current_month()})
    for month in months:
        for message in _messages(user, month, random.randint(1, 4)):
            status = random.choice(list(Status))
            OutboxMessage.objects.filter(pk=message.pk).update(status=status, attempts=random.randint(0, 6))
    rows = sorted(OutboxMessage.objects.values_list("pk", "delivery_id", "status", "attempts", "created_at"))
    with connection.cursor() as cur:  # as in a migration's own transaction: no foreign-key check pending
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("notifications", "0005_sms_template_codes")])
    assert not partitions.is_partitioned(OUTBOX.table)
    assert sorted(OutboxMessage.objects.values_list("pk", "delivery_id", "status", "attempts", "created_at")) == rows
    executor.loader.build_graph()
    executor.migrate([("notifications", "0006_outbox_partitioned_by_month")])
    assert partitions.is_partitioned(OUTBOX.table)
    assert sorted(OutboxMessage.objects.values_list("pk", "delivery_id", "status", "attempts", "created_at")) == rows
    attached = partitions.attached_partitions(OUTBOX)
    for month in months:
        assert partitions.partition_name(OUTBOX, month) in attached
    with connection.cursor() as cur:
        cur.execute("""SELECT pg_get_constraintdef(oid) FROM pg_constraint
                       WHERE conrelid = 'notifications_outboxmessage'::regclass AND contype IN ('p', 'u')
                       ORDER BY contype""")
        assert [row[0] for row in cur.fetchall()] == ["PRIMARY KEY (id, created_at)",
                                                      "UNIQUE (delivery_id, created_at)"]
        cur.execute("SELECT indexrelid::regclass::text FROM pg_index "
                    "WHERE indrelid = 'notifications_outboxmessage'::regclass")
        assert {"outbox_due", "outbox_pending_since", "outbox_dead"} <= {row[0] for row in cur.fetchall()}
    # New messages still get fresh keys from the sequence, after the copied ones, in this month.
    [later] = _messages(user, partitions.current_month(), 1)
    assert later.pk > max(row[0] for row in rows)
    assert _partition_of(later) == partitions.partition_name(OUTBOX, partitions.current_month())


def test_a_message_of_next_month_lands_in_its_partition_and_is_delivered(user):
    following = partitions.add_months(partitions.current_month(), 1)
    with clock.frozen_at(_moment(following)):
        message = enqueue(channel="in_app", message="demand.received", params=PARAMS, recipient=user)
        assert _partition_of(message) == partitions.partition_name(OUTBOX, following)
        Worker(poll_seconds=0, sweeps=False).run(until_idle=True)
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.attempts == 1
    assert InAppNotification.objects.filter(delivery_id=message.delivery_id, recipient=user).count() == 1


def test_the_claim_reads_only_the_months_that_may_hold_a_pending_message(user):
    this = partitions.current_month()
    old = partitions.add_months(this, -random.randint(2, 30))
    delivered = _messages(user, old, 3)
    OutboxMessage.objects.filter(pk__in=[m.pk for m in delivered]).update(status=Status.DELIVERED)
    partitions.create_ahead(0)  # the old month's partition, its rows out of the default
    assert {_partition_of(m) for m in delivered} == {partitions.partition_name(OUTBOX, old)}
    fresh = _messages(user, this, random.randint(1, 5))

    with CaptureQueriesContext(connection) as queries:
        claimed = delivery.claim_batch()
    assert sorted(m.pk for m in claimed) == sorted(m.pk for m in fresh)
    claim = next(q["sql"] for q in queries if "SKIP LOCKED" in q["sql"])
    plan = _plan(claim)
    assert partitions.partition_name(OUTBOX, this) in plan and "outbox_due" not in plan  # its partition's copy
    assert partitions.partition_name(OUTBOX, old) not in plan
    # Nor the months created ahead (a day's margin may add next month's), nor the default.
    read = [name for name in partitions.attached_partitions(OUTBOX) if name in plan]
    assert read in ([partitions.partition_name(OUTBOX, this)],
                    [partitions.partition_name(OUTBOX, m) for m in (this, partitions.add_months(this, 1))],
                    [partitions.partition_name(OUTBOX, m) for m in (partitions.add_months(this, -1), this)])
    # With more than a handful of rows (here the planner rightly reads them all), the claim is a scan
    # of each month's copy of the outbox_due index, in the claim's order (no sort).
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        indexed = _plan(claim)
        cur.execute("SET LOCAL enable_seqscan = on")
    assert "next_attempt_at_id_idx" in indexed and "Sort" not in indexed
    # The lease and the read back name the same first month.
    bounded = [q["sql"] for q in queries if '"created_at" >=' in q["sql"]]
    assert len(bounded) == 3
    for sql in bounded:
        assert partitions.partition_name(OUTBOX, old) not in _plan(sql)
    # Marking one delivered touches its own month only.
    with CaptureQueriesContext(connection) as queries:
        assert delivery.deliver(claimed[0])
    mark = next(q["sql"] for q in queries if q["sql"].startswith("UPDATE"))
    partitions_named = [name for name in partitions.attached_partitions(OUTBOX) if name in _plan(mark)]
    assert partitions_named == [partitions.partition_name(OUTBOX, this)]

    # A dead letter of the old month retried by an administrator: the claim reads back to its month.
    OutboxMessage.objects.filter(pk=delivered[0].pk).update(status=Status.PENDING, next_attempt_at=clock.now())
    assert delivery.claim_since() == datetime(old.year, old.month, 1, tzinfo=LOCAL)
    assert [m.pk for m in delivery.claim_batch()] == [delivered[0].pk]


def test_a_worker_looks_up_the_oldest_pending_month_again_after_a_while(user, settings):
    settings.MINSHENG_OUTBOX_RESCAN_SECONDS = 3600
    worker = Worker(poll_seconds=0, sweeps=False)
    worker.run(until_idle=True)
    old = partitions.add_months(partitions.current_month(), -random.randint(2, 30))
    [retried] = _messages(user, old, 1)  # written with an older time than the month the worker reads from
    worker.run(until_idle=True)
    assert OutboxMessage.objects.get(pk=retried.pk).status == Status.PENDING
    worker.since_checked -= 3600
    worker.run(until_idle=True)
    assert OutboxMessage.objects.get(pk=retried.pk).status == Status.DELIVERED


def test_an_old_month_is_detached_and_attached_again_unless_a_message_is_pending(user):
    month = _old_month()
    messages = _messages(user, month, random.randint(2, 5))
    partitions.create_ahead(0)
    name = partitions.partition_name(OUTBOX, month)
    with pytest.raises(CommandError, match=f"{name} holds {len(messages)} messages not yet delivered"):
        call_command("partitions", "--detach", f"{month:%Y-%m}", "--table", OUTBOX.table)
    assert name in partitions.attached_partitions(OUTBOX)
    while delivery.deliver_batch():
        pass
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.DELIVERED}
    out = io.StringIO()
    call_command("partitions", "--detach", f"{month:%Y-%m}", "--table", OUTBOX.table, stdout=out)
    assert name in out.getvalue() and name not in partitions.attached_partitions(OUTBOX)
    assert not OutboxMessage.objects.exists()  # archived: out of the live table, still in the database
    assert delivery.claim_batch() == []
    call_command("partitions", "--attach", f"{month:%Y-%m}", "--table", OUTBOX.table, stdout=io.StringIO())
    assert sorted(OutboxMessage.objects.values_list("pk", flat=True)) == sorted(m.pk for m in messages)


def test_the_health_check_watches_the_outbox_months(db):
    assert OUTBOX in partitions.partitioned_tables()
    with clock.frozen_at(_moment(date(random.randint(2061, 2070), random.randint(1, 12), 1))):
        from minsheng.ops import health

        assert health.check_partitions().detail["next_month_missing"] == len(partitions.TABLES)
        partitions.create_ahead(1)
        following = partitions.add_months(partitions.current_month(), 1)
        assert partitions.partition_name(OUTBOX, following) in partitions.attached_partitions(OUTBOX)
        assert health.check_partitions().detail["next_month_missing"] == 0


class RecordingChannel:
    """Records every send, and takes a moment over it, so that two workers overlap."""

    sent: list[str] = []
    lock = threading.Lock()

    def send(self, message) -> None:
        with self.lock:
            self.sent.append(str(message.delivery_id))
        time.sleep(random.random() / 500)


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_deliver_every_message_exactly_once(settings):
    settings.MINSHENG_NOTIFICATION_CHANNELS = {**settings.MINSHENG_NOTIFICATION_CHANNELS,
                                               "recording": f"{__name__}.RecordingChannel"}
    RecordingChannel.sent = []
    user = get_user_model().objects.create_user(username="recipient")
    this = partitions.current_month()
    # Pending messages in this month and an older one (a backlog): both workers read both months.
    messages = (_messages(user, partitions.add_months(this, -random.randint(1, 3)), random.randint(5, 20), "recording")
                + _messages(user, this, random.randint(20, 40), "recording"))

    def work() -> int:
        worker, claimed = Worker(batch=random.randint(2, 6), poll_seconds=0, sweeps=False), 0
        while batch := worker.step():
            claimed += batch
        return claimed

    results = race(work, work)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == len(messages)
    assert sorted(RecordingChannel.sent) == sorted(str(m.delivery_id) for m in messages)  # each sent once
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.DELIVERED}
