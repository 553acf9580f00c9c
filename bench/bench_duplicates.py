"""Duplicate search time per new demand with many open demands.

    .venv/bin/python bench/bench_duplicates.py [--open 100000] [--queries 300]    # SQLite in a temp dir
    MINSHENG_DATA_DIR=<that dir> .venv/bin/python bench/bench_duplicates.py          # time again, same data
    scripts/with-postgres.sh .venv/bin/python bench/bench_duplicates.py            # a throwaway PostgreSQL

Builds the demo city, then writes ``--open`` open demands spread over its 75 grids and over
the whole search window (the worst case: every one of them is a candidate by time), with
texts from the demo generator and their fingerprints, in bulk (generating the data is not
what is measured).  Then times ``find_duplicates`` for new demands typed at random grids, as
the intake page and the demand page call it, and prints the figures.  Target: ≤ 20 ms.

Then times the intake's look-up before a grid is chosen (issue #33): the place from a typed
address (``resolve_address``: its building and point), the category chosen and the same-event
search (open demands of that kind within hours around the point) included.  Target: p50 ≤ 30 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from minsheng.demands.models import Demand
    from minsheng.demo.city import build_city
    from minsheng.demo.texts import category_codes, compose_demand
    from minsheng.routing.duplicates import find_duplicates, grid_of, neighbour_grids
    from minsheng.routing.models import DuplicateSignature

    call_command("migrate", "--no-input", verbosity=0)
    city, _logins = build_city()
    rng = random.Random(7)
    leaves = category_codes()

    started = time.perf_counter()
    existing = Demand.objects.filter(number__startswith="B").count()
    if existing:  # MINSHENG_DATA_DIR of an earlier run: time the searches again on its demands
        print(f"reusing {existing} generated open demands in {os.environ['MINSHENG_DATA_DIR']}")
        args.open = 0
    add_open_demands(city, args.open, rng)
    print(f"database={connection.vendor} open demands={existing or args.open} "
          f"generated in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    admin = get_user_model().objects.get(username="admin")
    queries, leaves_of = [], []
    for _ in range(args.queries):
        grid = rng.choice(city.grids)
        leaf = rng.choice(leaves)
        text = compose_demand(rng, leaf, rng.choice(city.buildings[grid.pk]).name)
        queries.append((grid, text))
        leaves_of.append(leaf)
    for grid, text in queries[:10]:  # warm up caches and the connection
        find_duplicates(admin, title=text.title, description=text.description, region=grid)
    times, cpu_times, found = [], [], 0
    for grid, text in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        matches = find_duplicates(admin, title=text.title, description=text.description, region=grid)
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
        found += bool(matches)
    candidates = statistics.mean(
        DuplicateSignature.objects.filter(grid_id__in=list(neighbour_grids(grid_of(g)))).count()
        for g, _t in queries[:20])
    times.sort()
    print(f"candidates per search (same + neighbouring grids, in window) ≈ {candidates:.0f}")
    print(f"find_duplicates: p50={statistics.median(times):.1f} ms p95={times[int(len(times) * 0.95) - 1]:.1f} ms "
          f"max={times[-1]:.1f} ms mean={statistics.mean(times):.1f} ms over {len(times)} new demands "
          f"({found} with at least one match)")
    # On a shared machine wall time includes waiting for a core; with SQLite (in-process) the CPU
    # time of this process is the whole search, with PostgreSQL the server's share is not in it.
    cpu_times.sort()
    print(f"  CPU time of this process: p50={statistics.median(cpu_times):.1f} ms "
          f"p95={cpu_times[int(len(cpu_times) * 0.95) - 1]:.1f} ms")
    intake_lookup(city, admin, queries, leaves_of, rng)


def intake_lookup(city, admin, queries, leaves_of, rng: random.Random) -> None:
    """What /work/intake/duplicates/ does before a grid is chosen: the typed address resolved to its
    building (and point), then the search with the chosen category, the same-event part included."""
    from minsheng.routing.addresses import resolve_address
    from minsheng.routing.duplicates import find_duplicates

    typed = []
    for (grid, text), leaf in zip(queries, leaves_of, strict=True):
        building = rng.choice(city.buildings[grid.pk])
        typed.append((f"{city.street_of(grid).name}{city.community_of(grid).name}{building.name}", text, leaf))
    times, events = [], 0
    for address, text, leaf in typed:
        t0 = time.perf_counter()
        found = resolve_address(address)
        region = found.building or found.grid or found.community
        lat, lng = found.point or (None, None)
        matches = find_duplicates(admin, title=text.title, description=text.description, region=region,
                                  latitude=lat, longitude=lng, category=leaf)
        times.append((time.perf_counter() - t0) * 1000)
        events += any(m.same_event for m in matches)
    times.sort()
    print(f"intake look-up from a typed address (address + same-event + text): p50={statistics.median(times):.1f} ms "
          f"p95={times[int(len(times) * 0.95) - 1]:.1f} ms over {len(times)} ({events} with a same-event match; "
          f"target p50 ≤ 30 ms)")


def add_open_demands(city, count: int, rng: random.Random, prefix: str = "B") -> None:
    """``count`` open (dispatched) demands spread over the city's grids and the whole search window,
    with texts from the demo generator, their duplicate fingerprints and their documents of the
    full-text index, in bulk (also used by bench_report.py)."""
    from django.conf import settings
    from django.db import transaction

    from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
    from minsheng.core import clock
    from minsheng.demands.models import Demand
    from minsheng.demo.texts import category_codes, compose_demand
    from minsheng.routing.duplicates import bigrams, minhash
    from minsheng.routing.models import DuplicateSignature
    from minsheng.search import index as search_index

    if not count:
        return
    leaves = category_codes()
    categories = {c.code: c for c in Category.objects.all()}
    demand_type, urgency = DemandType.objects.get(code="complaint"), TimeLimitPolicy.objects.get(code="general")
    now = clock.now()
    window = settings.MINSHENG_DUPLICATE_DAYS * 86400
    batch = 5000
    for start in range(0, count, batch):
        demands, signatures = [], []
        for i in range(start, min(start + batch, count)):
            grid = rng.choice(city.grids)
            building = rng.choice(city.buildings[grid.pk])
            leaf = rng.choice(leaves)
            text = compose_demand(rng, leaf, building.name)
            at = now - timedelta(seconds=rng.uniform(0, window - 3600))
            demands.append(Demand(number=f"{prefix}{i:012d}", channel="hotline", demand_type=demand_type,
                                  category=categories[leaf], title=text.title, description=text.description,
                                  region=building, urgency=urgency, state="dispatched", registered_at=at,
                                  updated_at=at, version=1))
        with transaction.atomic():
            Demand.objects.bulk_create(demands)
            for d in demands:
                signature = minhash(bigrams(d.title, d.description))
                registered = int(d.registered_at.timestamp())
                signatures.append(DuplicateSignature(
                    demand_id=d.pk, grid_id=d.region.parent_id, registered=registered,
                    latitude=float(d.region.latitude), longitude=float(d.region.longitude),
                    minhash=signature.tobytes()))
            DuplicateSignature.objects.bulk_create(signatures)
            search_index.write_documents(((d.pk, search_index.document_words(d.title, d.description)) for d in demands),
                                         new=True)


if __name__ == "__main__":
    main()
