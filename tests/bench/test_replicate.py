"""The benchmark's copy in SQL (bench/generate_demands.replicate) on SQLite and PostgreSQL: a few
hundred generated histories copied with new keys and numbers still rebuild from their events,
numbers stay unique and counted, open copies are watched, and the rows made afterwards get free
keys (PostgreSQL's sequences are moved past the copies)."""

import random
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import generate_demands

from minsheng.demands.models import Demand, DemandEvent, DemandNumberCounter
from minsheng.demands.projection import differences, rebuild
from minsheng.ops.partitions import create_months
from minsheng.supervision.models import DeadlineWatch

pytestmark = pytest.mark.django_db



def _mismatches() -> int:
    events: dict[int, list] = {}
    for event in DemandEvent.objects.order_by("demand_id", "seq"):
        events.setdefault(event.demand_id, []).append(event)
    return sum(1 for demand in Demand.objects.all() if differences(demand, rebuild(events.get(demand.pk, []))))


def _counts(pks=None) -> tuple[int, int, Counter]:
    """Events, deadline watches and events per (partition, action) of the demands ``pks`` (all)."""
    events, watches = DemandEvent.objects.all(), DeadlineWatch.objects.all()
    if pks is not None:
        events, watches = events.filter(demand_id__in=pks), watches.filter(demand_id__in=pks)
    months = Counter()
    if connection.vendor == "postgresql":
        months = Counter((e.tableoid, e.action) for e in events.extra(select={"tableoid": "tableoid::regclass::text"}))
    return events.count(), watches.count(), months


@pytest.mark.slow  # ≈ 10 s on SQLite, 30 s on PostgreSQL at load 9: mostly building the demo city
def test_copies_rebuild_from_their_events_with_new_numbers_and_free_keys_after():
    seed = random.randrange(1000)
    now = timezone.now()
    create_months((now - timedelta(days=366)).date(), now.date())
    generator = generate_demands.Generator(now, seed=seed, residents=150)
    made, _events = generator.run(random.randint(60, 120))
    # Merges need earlier demands: later batches merge some into the first ones.
    while not DemandEvent.objects.filter(action="merge").exists() and made < 600:
        more, _ = generator.batch(made, 60)
        made += more
    before = _counts()
    # A part first (an exact total), in several small transactions, then everything once more.
    rows = random.randint(40, made - 40)
    first = list(Demand.objects.order_by("pk").values_list("pk", flat=True)[:rows])
    part = _counts(first)
    copied, _copied_events, _seconds = generate_demands.replicate(1, rows=rows, chunk=37)
    assert copied == rows
    copied, _copied_events, _seconds = generate_demands.replicate(1, chunk=1000)
    assert copied == made + rows
    total = Demand.objects.count()
    assert total == 2 * (made + rows)
    after = _counts()
    assert after[0] == 2 * (before[0] + part[0])
    # Open copies are watched as their originals.
    assert after[1] == 2 * (before[1] + part[1])
    # PostgreSQL: every copied event stays in its original's month partition.
    assert after[2] == Counter({key: 2 * (before[2][key] + part[2][key]) for key in before[2]})
    assert _mismatches() == 0
    bad, checked = generate_demands.verify_sample(size=300, seed=seed)
    assert bad == 0 and checked == min(300, total)
    numbers = list(Demand.objects.values_list("number", flat=True))
    assert len(set(numbers)) == total
    by_pk = dict(Demand.objects.values_list("pk", "number"))
    registered = {demand_id: payload["number"] for demand_id, payload in
                  DemandEvent.objects.filter(action="register").values_list("demand_id", "payload")}
    assert registered == by_pk
    merges = list(DemandEvent.objects.filter(action="merge").values_list("demand_id", "payload"))
    assert len(merges) >= 2  # the original and at least its full copy
    for demand_id, payload in merges:
        assert by_pk[payload["target_id"]] == payload["target_number"]
        assert Demand.objects.get(pk=demand_id).merged_into_id == payload["target_id"]
    # Each day's counter is past that day's highest number, so the next demand gets a new one.
    highest: dict[str, int] = {}
    for number in numbers:
        highest[number[:8]] = max(highest.get(number[:8], 0), int(number[8:]))
    counters = {c.day.strftime("%Y%m%d"): c.last for c in DemandNumberCounter.objects.all()}
    assert all(counters[day] >= last for day, last in highest.items())
    # Rows made after the copies take keys past them (PostgreSQL's sequences were moved).
    top = max(by_pk)
    more, _ = generator.batch(10_000, 5)
    assert more == 5 and Demand.objects.filter(pk__gt=top).count() == 5
