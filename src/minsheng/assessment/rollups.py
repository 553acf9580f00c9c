"""Keeping the rollups and their ledger: upserts with increments, one row per period and key,
and one ledger entry per demand, counter and key (``models.Entry``).

``record_event`` runs inside every transition's transaction (small upserts and inserts, only for
the events that count), ``record_batch`` once per bulk import, ``rebuild`` from the whole log.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import attrgetter

from django.db import connection, transaction

from minsheng.core import versioned
from minsheng.core.bulk import instance_maker
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.projection import apply_event
from minsheng.organisation.models import Region

from . import rules
from .counters import COMMUNITY_DEPTH, Before, Key, entry_key, event_entries, fold_to, fold_to_grid, snapshot
from .models import COUNTERS, Entry, Period, Rollup

Totals = dict[tuple[str, Key], dict[str, int]]
Ledger = list[tuple]  # (counter, day, region_id, unit_id, category_id, demand_id, n)


def _upsert_sql() -> str:
    table = Rollup._meta.db_table
    columns = ", ".join(COUNTERS)
    marks = ", ".join(["%s"] * (5 + len(COUNTERS)))
    increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    # The same statement on SQLite (3.24+) and PostgreSQL: add to the row, or create it.
    return (f"INSERT INTO {table} (period, day, region_id, unit_id, category_id, {columns}) "
            f"VALUES ({marks}) ON CONFLICT (period, day, region_id, unit_id, category_id) "
            f"DO UPDATE SET {increments}")


def _rows(totals: Totals) -> list[list]:
    return [[period, key.day, key.region_id, key.unit_id, key.category_id,
             *(counts.get(c, 0) for c in COUNTERS)]
            for (period, key), counts in totals.items()]


def _add(totals: Totals, key: Key, counts: dict[str, int]) -> None:
    day, month, unit_id = key.day, key.month, key.unit_id
    for period, slot_key in ((Period.DAY, Key(day, key.region_id, unit_id, key.category_id)),
                             (Period.MONTH, Key(month, key.region_id, unit_id, key.category_id)),
                             (Period.TREND_DAY, Key(day, key.community_id, unit_id, 0)),
                             (Period.TREND_MONTH, Key(month, key.community_id, unit_id, 0))):
        slot = totals[(period, slot_key)]
        for name, n in counts.items():
            slot[name] = slot.get(name, 0) + n


def _write(totals: Totals, ledger: Ledger) -> None:
    if totals:
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(), _rows(totals))
    if ledger:
        table = Entry._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} (counter, day, region_id, unit_id, category_id, demand_id, n) "
                               "VALUES (%s, %s, %s, %s, %s, %s, %s)", ledger)


def _enter(ledger: Ledger, demand_id: int, key: Key, counts: dict[str, int]) -> None:
    for name, n in counts.items():
        ledger.append((name, key.day, key.region_id, key.unit_id, key.category_id, demand_id, n))


def _places_of_loaded(demand: Demand) -> tuple[int, int]:
    """The demand's grid and community, without a query when its region is loaded."""
    if Demand.region.is_cached(demand):
        path = demand.region.path
    else:
        path = Region.objects.filter(pk=demand.region_id).values_list("path", flat=True).first() or ""
    return fold_to_grid(demand.region_id, path), fold_to(demand.region_id, path, COMMUNITY_DEPTH)


def record_event(before: Before | None, demand: Demand, event: DemandEvent) -> None:
    """Add one event of a live transition to the rollups and the ledger (inside its transaction)."""
    entries = event_entries(before, demand, event, cutoff_days=rules.cutoff_days)
    if not entries:
        return
    places = _places_of_loaded(demand)
    totals: Totals = defaultdict(dict)
    ledger: Ledger = []
    for day, unit_id, counts in entries:
        key = entry_key(demand, day, unit_id, *places)
        _add(totals, key, counts)
        _enter(ledger, demand.pk, key, counts)
    _write(totals, ledger)


class GridMap:
    """Region id → its grid and community, for folding many events without a query each."""

    def __init__(self) -> None:
        # This process's copy, reloaded when a region changes (core.versioned; the demands app
        # watches Region): a batch of live registrations builds one.
        self._places = versioned.cached("assessment.grid-map", lambda: {
            pk: self._fold(pk, path) for pk, path in Region.objects.values_list("pk", "path")})

    @staticmethod
    def _fold(pk: int, path: str) -> tuple[int, int]:
        return fold_to_grid(pk, path), fold_to(pk, path, COMMUNITY_DEPTH)

    def __call__(self, region_id: int) -> tuple[int, int]:
        if region_id not in self._places:  # a region created since
            path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first() or ""
            self._places[region_id] = self._fold(region_id, path)
        return self._places[region_id]


def fold_counters(events: Iterable[DemandEvent], grid_of: GridMap) -> Iterator[tuple[DemandEvent, Key, dict]]:
    """Replay events (ordered by demand, then seq; each demand from its first event) and yield
    every (event, key, counters) an event adds."""
    blank = instance_maker(Demand, escalation_level=0, extension_count=0, reopen_count=0, result="",
                           satisfaction="", solved="", close_reason="", pending_request=None, state="",
                           handling_unit_id=None, contact_due=None, handle_due=None, contacted_at=None,
                           dispatched_at=None, resolved_at=None)
    cutoff_days = rules.cutoff_days_now()
    for _pk, group in groupby(events, key=attrgetter("demand_id")):
        demand = blank()
        for event in group:
            before = snapshot(demand)
            apply_event(demand, event)
            for day, unit_id, counts in event_entries(before, demand, event, cutoff_days=cutoff_days):
                yield event, entry_key(demand, day, unit_id, *grid_of(demand.region_id)), counts


def _totals_of(events: Iterable[DemandEvent], grid_of: GridMap, ledger: Ledger) -> Totals:
    totals: Totals = defaultdict(dict)
    for event, key, counts in fold_counters(events, grid_of):
        _add(totals, key, counts)
        _enter(ledger, event.demand_id, key, counts)
    return totals


def record_batch(events: Iterable[DemandEvent]) -> None:
    """Add a bulk import's events (every demand of the batch from its first event) at once.

    A demand whose only event is its registration adds what ``event_counters`` and
    ``event_key`` make of its kind, region, category and type at that moment (nothing else of a new
    demand is set): those are replayed once per distinct (moment, kind, region, category), their
    counters times the number of such demands, instead of once per demand."""
    grid_of = GridMap()
    histories: list[DemandEvent] = []
    registered: dict[tuple, list[int]] = defaultdict(list)
    sample: dict[tuple, DemandEvent] = {}
    for _pk, group in groupby(sorted(events, key=attrgetter("demand_id", "seq")), key=attrgetter("demand_id")):
        first, *later = group
        if later or first.action != "register":
            histories.append(first)
            histories.extend(later)
            continue
        payload = first.payload
        # Everything the registration's counters read: the demand type too (直接答复率's consultations).
        alike = (first.created_at, payload.get("kind"), payload.get("region_id"), payload.get("category_id"),
                 payload.get("demand_type_id"))
        registered[alike].append(first.demand_id)
        sample.setdefault(alike, first)
    ledger: Ledger = []
    totals = _totals_of(histories, grid_of, ledger)
    alike_ids = {id(event): registered[alike] for alike, event in sample.items()}
    for event, key, counts in fold_counters(sample.values(), grid_of):
        ids = alike_ids[id(event)]
        _add(totals, key, {name: count * len(ids) for name, count in counts.items()})
        for demand_id in ids:
            _enter(ledger, demand_id, key, counts)
    _write(totals, ledger)


def rebuild(*, batch: int = 5000) -> int:
    """Recompute every rollup and the ledger from the event log, in one transaction; returns the
    number of rollup rows written."""
    grid_of = GridMap()
    totals: Totals = defaultdict(dict)
    last_id = 0
    with transaction.atomic():
        Entry.objects.all().delete()
        while True:
            ids = list(Demand.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            events = DemandEvent.objects.filter(demand_id__gte=ids[0], demand_id__lte=ids[-1]).order_by(
                "demand_id", "seq")
            ledger: Ledger = []
            for event, key, counts in fold_counters(events.iterator(chunk_size=batch), grid_of):
                _add(totals, key, counts)
                _enter(ledger, event.demand_id, key, counts)
            _write({}, ledger)
            last_id = ids[-1]
        rows = [Rollup(period=period, day=key.day, region_id=key.region_id, unit_id=key.unit_id,
                       category_id=key.category_id, **{c: counts.get(c, 0) for c in COUNTERS})
                for (period, key), counts in totals.items()]
        Rollup.objects.all().delete()
        Rollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
