"""Keeping the rollups: upserts with increments, one row per period and key.

``record_event`` runs inside every transition's transaction (two small upserts, and only for
the events that count), ``record_batch`` once per bulk import, ``rebuild`` from the whole log.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import attrgetter

from django.db import connection, transaction

from minsheng.core import versioned
from minsheng.core.bulk import instance_maker
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.projection import apply_event
from minsheng.organisation.models import Region

from .counters import COMMUNITY_DEPTH, Key, event_counters, event_key, fold_to, fold_to_grid
from .models import COUNTERS, Period, Rollup

Totals = dict[tuple[str, Key], dict[str, int]]


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


def _write(totals: Totals) -> None:
    if totals:
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(), _rows(totals))


def _places_of_loaded(demand: Demand) -> tuple[int, int]:
    """The demand's grid and community, without a query when its region is loaded."""
    if Demand.region.is_cached(demand):
        path = demand.region.path
    else:
        path = Region.objects.filter(pk=demand.region_id).values_list("path", flat=True).first() or ""
    return fold_to_grid(demand.region_id, path), fold_to(demand.region_id, path, COMMUNITY_DEPTH)


def record_event(demand: Demand, event: DemandEvent) -> None:
    """Add one event of a live transition to the rollups (inside its transaction)."""
    counts = {name: n for name, n in event_counters(demand, event).items() if n}
    if not counts:
        return
    totals: Totals = defaultdict(dict)
    _add(totals, event_key(demand, event, *_places_of_loaded(demand)), counts)
    _write(totals)


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
    every event that counts with its key and counters."""
    blank = instance_maker(Demand, escalation_level=0, extension_count=0, reopen_count=0, result="",
                           satisfaction="", close_reason="", pending_request=None)
    for _pk, group in groupby(events, key=attrgetter("demand_id")):
        demand = blank()
        for event in group:
            apply_event(demand, event)
            counts = {name: n for name, n in event_counters(demand, event).items() if n}
            if counts:
                yield event, event_key(demand, event, *grid_of(demand.region_id)), counts


def _totals_of(events: Iterable[DemandEvent], grid_of: GridMap) -> Totals:
    totals: Totals = defaultdict(dict)
    for _event, key, counts in fold_counters(events, grid_of):
        _add(totals, key, counts)
    return totals


def record_batch(events: Iterable[DemandEvent]) -> None:
    """Add a bulk import's events (every demand of the batch from its first event) at once.

    A demand whose only event is its registration adds what ``event_counters`` and
    ``event_key`` make of its kind, region and category at that moment (nothing else of a new
    demand is set): those are replayed once per distinct (moment, kind, region, category), their
    counters times the number of such demands, instead of once per demand."""
    grid_of = GridMap()
    histories: list[DemandEvent] = []
    registered: Counter[tuple] = Counter()
    sample: dict[tuple, DemandEvent] = {}
    for _pk, group in groupby(sorted(events, key=attrgetter("demand_id", "seq")), key=attrgetter("demand_id")):
        first, *later = group
        if later or first.action != "register":
            histories.append(first)
            histories.extend(later)
            continue
        payload = first.payload
        alike = (first.created_at, payload.get("kind"), payload.get("region_id"), payload.get("category_id"))
        registered[alike] += 1
        sample.setdefault(alike, first)
    totals = _totals_of(histories, grid_of)
    alike_count = {id(event): registered[alike] for alike, event in sample.items()}
    for event, key, counts in fold_counters(sample.values(), grid_of):
        n = alike_count[id(event)]
        _add(totals, key, {name: count * n for name, count in counts.items()})
    _write(totals)


def rebuild(*, batch: int = 5000) -> int:
    """Recompute every rollup from the event log; returns the number of rows written."""
    grid_of = GridMap()
    totals: Totals = defaultdict(dict)
    last_id = 0
    while True:
        ids = list(Demand.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        events = DemandEvent.objects.filter(demand_id__gte=ids[0], demand_id__lte=ids[-1]).order_by(
            "demand_id", "seq")
        for _event, key, counts in fold_counters(events.iterator(chunk_size=batch), grid_of):
            _add(totals, key, counts)
        last_id = ids[-1]
    rows = [Rollup(period=period, day=key.day, region_id=key.region_id, unit_id=key.unit_id,
                   category_id=key.category_id, **{c: counts.get(c, 0) for c in COUNTERS})
            for (period, key), counts in totals.items()]
    with transaction.atomic():
        Rollup.objects.all().delete()
        Rollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
