"""Monthly partitions of the tables that grow without end (PostgreSQL only; docs/operations.md).

A city's hotline writes tens of millions of demand events a year.  On PostgreSQL those tables
are declaratively partitioned by RANGE on their time column, one partition per calendar month
of the site's time zone, plus a default partition that catches a row no month partition holds
(a clock far off, a history replayed before the first partition).  Then a month's rows sit in
one table of their own: the reads that name a time touch one or a few partitions, and an old
month can be detached for archive (``manage.py partitions --detach 2025-01``) and attached
again, instead of deleting millions of rows.

SQLite keeps plain tables: every function here is a no-op there.  Django's model keeps ``id`` as
its primary key; the table's key is (id, time) because a partitioned table's unique keys must
hold the partition column, and ``id`` still comes from one sequence, so it stays unique.  The
same holds for the other unique constraints: each gets the time column added (see
``partition_table``).  No foreign key points at these tables (a notice's link to its text message in the
outbox is kept without one: ``NoticeRecipient.sms``).

The migrations that convert a table call ``partition_table``; the worker's periodic job
``create_ahead`` keeps the current month and the next ``MINSHENG_PARTITIONS_AHEAD`` ready.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from minsheng.core import clock
from minsheng.core.errors import MinshengError


class PartitionRefused(MinshengError):
    """A detach or attach that would lose or mix history (the message says why)."""

    code = "partition_refused"


@dataclass(frozen=True)
class Partitioned:
    """A table partitioned by month on ``column`` (a timestamp with time zone, or a date)."""

    table: str
    column: str
    is_date: bool = False
    # For the event log: an open demand's history must stay in the live table.
    demand_column: str | None = None
    # For the outbox: rows matching this SQL condition are still at work (a message not yet
    # delivered), so a month holding one may not be detached.
    live: str | None = None
    live_label: str = ""


# The order is the order of the work in the docs; a table is only treated once its migration ran
# (``is_partitioned``).
TABLES = (
    Partitioned("demands_demandevent", "created_at", demand_column="demand_id"),
    Partitioned("audit_auditentry", "at"),
    Partitioned("people_personaldataaccess", "at"),
    # The dashboard's counters and their ledger, by day: a dashboard's date range reads its months.
    Partitioned("assessment_rollup", "day", is_date=True),
    Partitioned("assessment_entry", "day", is_date=True),
    # The notification outbox, by the time a message was written (never changed after): the
    # worker's claim reads the months from its oldest pending message on (notifications.delivery).
    Partitioned("notifications_outboxmessage", "created_at", live="status = 'pending'",
                live_label="messages not yet delivered"),
)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """``2025-01`` → date(2025, 1, 1); anything else is refused with the expected form."""
    match = MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PartitionRefused(f"not a month: {text!r} (expected YYYY-MM, e.g. 2025-01)")
    return date(int(match.group(1)), int(match.group(2)), 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def current_month() -> date:
    """The month of ``clock.now()`` in the site's time zone (partitions follow local months)."""
    now = clock.now().astimezone(ZoneInfo(settings.TIME_ZONE))
    return date(now.year, now.month, 1)


def month_start(moment: datetime) -> datetime:
    """The first instant of ``moment``'s local month: the lower bound of its partition, for a query
    that names it so that PostgreSQL reads only the partitions from that month on."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return datetime(local.year, local.month, 1, tzinfo=local.tzinfo)


def partition_name(spec: Partitioned, month: date) -> str:
    return f"{spec.table}_p{month:%Y_%m}"


def default_name(spec: Partitioned) -> str:
    return f"{spec.table}_default"


def _bound(spec: Partitioned, month: date) -> str:
    """The partition bound of a month's first instant, as an SQL literal."""
    if spec.is_date:
        return f"'{month.isoformat()}'"
    start = datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return f"'{start.isoformat(sep=' ')}'::timestamptz"


def _range(spec: Partitioned, month: date) -> str:
    return f"FROM ({_bound(spec, month)}) TO ({_bound(spec, add_months(month, 1))})"


def _local_month_sql(spec: Partitioned) -> str:
    """SQL of the local month (a date) of the row's partition column."""
    if spec.is_date:
        return f"date_trunc('month', {spec.column})::date"
    return f"date_trunc('month', {spec.column} AT TIME ZONE %s)::date"


def _params(spec: Partitioned) -> list[str]:
    return [] if spec.is_date else [settings.TIME_ZONE]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def is_partitioned(table: str) -> bool:
    if not is_postgresql():
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cur.fetchone()
    return bool(row) and row[0] == "p"


def partitioned_tables() -> list[Partitioned]:
    """The tables of ``TABLES`` that are partitioned in this database (none on SQLite)."""
    return [spec for spec in TABLES if is_partitioned(spec.table)]


def attached_partitions(spec: Partitioned) -> dict[str, str]:
    """Name → bound expression of every partition attached to the table."""
    with connection.cursor() as cur:
        cur.execute("""SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
                       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                       WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname""", [spec.table])
        return dict(cur.fetchall())


def _table_exists(name: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cur.fetchone()[0]


def _no_pending_checks(cur) -> None:
    """PostgreSQL refuses to alter a table while deferred foreign-key checks of rows written in the
    same transaction are pending: run them now (the command and the worker run in a transaction of
    their own, where there are none; a caller that wrote rows first gets them checked here)."""
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _default_months(spec: Partitioned) -> list[date]:
    """The local months of the rows the default partition holds."""
    if not _table_exists(default_name(spec)):
        return []
    with connection.cursor() as cur:
        cur.execute(f"SELECT DISTINCT {_local_month_sql(spec)} FROM {default_name(spec)}", _params(spec))
        return sorted(row[0] for row in cur.fetchall())


def _create_months(spec: Partitioned, months: list[date]) -> list[str]:
    """Create the partitions of ``months`` that are missing, moving any of their rows out of the
    default partition.  One transaction; idempotent."""
    attached = attached_partitions(spec)
    missing = [m for m in sorted(set(months)) if partition_name(spec, m) not in attached]
    if not missing:
        return []
    with transaction.atomic(), connection.cursor() as cur:
        _no_pending_checks(cur)
        cur.execute(f"LOCK TABLE {spec.table} IN SHARE ROW EXCLUSIVE MODE")
        # Another worker may have made them while this one waited for the lock.
        attached = attached_partitions(spec)
        missing = [m for m in missing if partition_name(spec, m) not in attached]
        if not missing:
            return []
        default = default_name(spec)
        held = set(_default_months(spec)) & set(missing)
        if held:
            # A partition's range may not overlap rows of the default partition: rebuild the
            # default around the new months.  DROP TABLE is not an UPDATE or DELETE, so the
            # append-only triggers stay on; the rows are inserted again through the parent.
            cur.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {default}")
            cur.execute(f"ALTER TABLE {default} RENAME TO {default}_moving")
        for month in missing:
            if _table_exists(partition_name(spec, month)):
                raise PartitionRefused(
                    f"{partition_name(spec, month)} exists but is detached (archived): "
                    f"attach it with manage.py partitions --attach {month:%Y-%m}")
            cur.execute(f"CREATE TABLE {partition_name(spec, month)} PARTITION OF {spec.table} "
                        f"FOR VALUES {_range(spec, month)}")
        if held:
            cur.execute(f"CREATE TABLE {default} PARTITION OF {spec.table} DEFAULT")
            cur.execute(f"INSERT INTO {spec.table} SELECT * FROM {default}_moving")
            cur.execute(f"DROP TABLE {default}_moving")
    return [partition_name(spec, m) for m in missing]


def create_ahead(ahead: int | None = None) -> list[str]:
    """The worker's periodic job: the current month's partition and the next ``ahead`` months'
    (``MINSHENG_PARTITIONS_AHEAD``), and one for every month whose rows sit in the default
    partition.  Returns the partitions created; nothing on SQLite or when all exist."""
    ahead = settings.MINSHENG_PARTITIONS_AHEAD if ahead is None else ahead
    if ahead < 0:
        raise PartitionRefused("--ahead must be 0 or more")
    start = current_month()
    created = []
    for spec in partitioned_tables():
        months = [add_months(start, n) for n in range(ahead + 1)] + _default_months(spec)
        created += _create_months(spec, months)
    return created


def create_months(first: date, last: date) -> list[str]:
    """Every month's partition from ``first``'s month to ``last``'s, in every partitioned table:
    for a bulk load of history (``bench/generate_demands.py``), so that its rows go straight into
    their months instead of the default partition.  Nothing on SQLite."""
    months, month = [], date(first.year, first.month, 1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return [name for spec in partitioned_tables() for name in _create_months(spec, months)]


def _oldest_detachable() -> date:
    return add_months(current_month(), -settings.MINSHENG_PARTITIONS_KEEP_MONTHS)


def _specs(table: str | None) -> list[Partitioned]:
    specs = partitioned_tables()
    if table:
        specs = [spec for spec in specs if spec.table == table]
        if not specs:
            raise PartitionRefused(f"{table} is not a partitioned table here "
                                   f"(known: {', '.join(s.table for s in TABLES)}; PostgreSQL only)")
    if not specs:
        raise PartitionRefused("no partitioned tables: partitions exist on PostgreSQL only")
    return specs


def detach(month: date, table: str | None = None) -> list[str]:
    """Detach a month's partitions for archive (they stay in the database as plain tables, to be
    dumped with ``pg_dump -t`` and dropped, or attached again).  Refused for a month younger than
    ``MINSHENG_PARTITIONS_KEEP_MONTHS`` and while a demand with events in it is still open."""
    oldest = _oldest_detachable()
    if month >= oldest:
        raise PartitionRefused(
            f"{month:%Y-%m} is not old enough to detach: months before {oldest:%Y-%m} may be archived "
            f"(MINSHENG_PARTITIONS_KEEP_MONTHS={settings.MINSHENG_PARTITIONS_KEEP_MONTHS})")
    done = []
    # A table without rows that month may have no partition for it: only the attached ones go.
    specs = [spec for spec in _specs(table) if partition_name(spec, month) in attached_partitions(spec)]
    if not specs:
        raise PartitionRefused(f"no partition of {month:%Y-%m} is attached (nothing to detach)")
    with transaction.atomic(), connection.cursor() as cur:
        _no_pending_checks(cur)
        for spec in specs:
            name = partition_name(spec, month)
            if spec.demand_column:
                from minsheng.demands.workflow import TERMINAL_STATES

                cur.execute(f"""SELECT d.number FROM {name} e JOIN demands_demand d ON d.id = e.{spec.demand_column}
                                WHERE NOT (d.state = ANY(%s)) LIMIT 1""", [[str(s) for s in TERMINAL_STATES]])
                row = cur.fetchone()
                if row:
                    raise PartitionRefused(
                        f"{name} holds events of demand {row[0]}, which is still open: its history must stay "
                        f"in the live table until it is closed")
            if spec.live:
                cur.execute(f"SELECT count(*) FROM {name} WHERE {spec.live}")
                live = cur.fetchone()[0]
                if live:
                    raise PartitionRefused(f"{name} holds {live} {spec.live_label}: they must stay in the "
                                           f"live table until they are done")
            cur.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {name}")
            done.append(name)
    return done


def attach(month: date, table: str | None = None) -> list[str]:
    """Attach a detached month again (the table's constraint is checked by PostgreSQL: every row
    must lie in the month)."""
    specs = [spec for spec in _specs(table) if _table_exists(partition_name(spec, month))]
    if not specs:
        raise PartitionRefused(f"no table of {month:%Y-%m} exists (restore it from its archive first)")
    for spec in specs:
        name = partition_name(spec, month)
        if name in attached_partitions(spec):
            raise PartitionRefused(f"{name} is already attached")
        if month in _default_months(spec):
            raise PartitionRefused(f"the default partition of {spec.table} holds rows of {month:%Y-%m}; "
                                   f"they would overlap {name}")
    done = []
    with transaction.atomic(), connection.cursor() as cur:
        _no_pending_checks(cur)
        for spec in specs:
            name = partition_name(spec, month)
            cur.execute(f"ALTER TABLE {spec.table} ATTACH PARTITION {name} FOR VALUES {_range(spec, month)}")
            done.append(name)
    return done


def describe() -> list[tuple[str, str, int]]:
    """(table, partition, estimated rows) of every partition, attached or detached, for the listing."""
    rows = []
    with connection.cursor() as cur:
        for spec in partitioned_tables():
            attached = attached_partitions(spec)
            cur.execute("""SELECT relname, reltuples::bigint FROM pg_class
                           WHERE relkind = 'r' AND relname LIKE %s ORDER BY relname""",
                        [spec.table.replace("_", r"\_") + r"\_%"])
            for name, estimate in cur.fetchall():
                state = "attached" if name in attached else "detached"
                rows.append((spec.table, f"{name} ({state})", max(estimate, 0)))
    return rows


# --- The conversion, run by the migrations -------------------------------------------------------


def partition_table(schema_editor, spec: Partitioned, *, ahead: int = 3) -> None:
    """Turn ``spec.table`` into a table partitioned by month, keeping every row, index, unique
    constraint (with the time column added), foreign key, check and trigger, under their names.

    The rows are copied once into the partitions (one per month from the oldest row's to ``ahead``
    months after today's, and the default); the old table is dropped.  PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table, column = spec.table, spec.column
    run = schema_editor.execute
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_class WHERE oid = to_regclass(%s) AND relkind = 'p'", [table])
        if cur.fetchone():
            return
        cur.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                       WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""", [table])
        indexes = cur.fetchall()
        cur.execute("""SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
                       WHERE conrelid = to_regclass(%s) AND contype IN ('u', 'f') ORDER BY contype DESC""", [table])
        constraints = cur.fetchall()
        cur.execute("""SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
                       WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal""", [table])
        triggers = cur.fetchall()
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        last_id = cur.fetchone()[0]
        cur.execute(f"SELECT min({_local_month_sql(spec)}), max({_local_month_sql(spec)}) FROM {table}",
                    _params(spec) * 2)
        oldest, newest = cur.fetchone()
        cur.execute("SELECT attidentity FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = 'id'",
                    [table])
        identity = cur.fetchone()[0]

    old = f"{table}_unpartitioned"
    run(f"ALTER TABLE {table} RENAME TO {old}")
    for name, _ in triggers:
        run(f"DROP TRIGGER {name} ON {old}")
    for name, _ in indexes:
        run(f"DROP INDEX {name}")
    for name, _, _ in constraints:
        run(f'ALTER TABLE {old} DROP CONSTRAINT "{name}"')
    run(f"ALTER TABLE {old} DROP CONSTRAINT {table}_pkey")
    if identity:
        run(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY")  # drops its sequence, {table}_id_seq
    # PostgreSQL 15 has no identity columns on partitioned tables: a sequence owned by the column
    # (what pg_get_serial_sequence and Django's sequence resets find).
    run(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE) "
        f"PARTITION BY RANGE ({column})")
    if identity:
        run(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id START WITH {last_id + 1}")
        run(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    else:  # a table made plain again by ``unpartition_table``: its sequence goes on
        run(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    run(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, {column})")
    today = current_month()
    first = min(oldest or today, today)
    last = max(newest or today, add_months(today, ahead))
    month = first
    while month <= last:
        run(f"CREATE TABLE {partition_name(spec, month)} PARTITION OF {table} FOR VALUES {_range(spec, month)}")
        month = add_months(month, 1)
    run(f"CREATE TABLE {default_name(spec)} PARTITION OF {table} DEFAULT")
    run(f"INSERT INTO {table} SELECT * FROM {old}")
    run(f"DROP TABLE {old}")
    for name, kind, definition in constraints:
        if kind == "u" and not re.search(rf"[(, ]{column}[,)]", definition):
            definition = re.sub(r"\)$", f", {column})", definition)
        run(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, definition in indexes:
        run(definition)
    for _, definition in triggers:
        run(definition)
    run(f"ANALYZE {table}")


def unpartition_table(schema_editor, spec: Partitioned) -> None:
    """The migration's reverse: one plain table again, with the constraints Django created."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table, column = spec.table, spec.column
    run = schema_editor.execute
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_class WHERE oid = to_regclass(%s) AND relkind = 'p'", [table])
        if not cur.fetchone():
            return
        cur.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                       WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""", [table])
        indexes = cur.fetchall()
        cur.execute("""SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
                       WHERE conrelid = to_regclass(%s) AND contype IN ('u', 'f') AND conparentid = 0
                       ORDER BY contype DESC""", [table])
        constraints = cur.fetchall()
        cur.execute("""SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
                       WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal""", [table])
        triggers = cur.fetchall()
    old = f"{table}_partitioned"
    run(f"ALTER TABLE {table} RENAME TO {old}")
    for name, _ in indexes:
        run(f"DROP INDEX {name}")
    for name, _, _ in constraints:
        run(f'ALTER TABLE {old} DROP CONSTRAINT "{name}"')
    for name, _ in triggers:
        run(f"DROP TRIGGER {name} ON {old}")
    run(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)")
    run(f"INSERT INTO {table} SELECT * FROM {old}")
    run(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    run(f"DROP TABLE {old}")
    run(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id)")
    for name, kind, definition in constraints:
        if kind == "u":
            definition = re.sub(rf", {column}\)$", ")", definition)
        run(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, definition in indexes:
        run(definition)
    for _, definition in triggers:
        run(definition)
