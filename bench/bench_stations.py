"""The 8-minute service circle at Fushun's scale: 1,000 stations and 50,000 buildings.

    .venv/bin/python bench/bench_stations.py                       # SQLite in a temp dir
    .venv/bin/python bench/bench_stations.py --stations 1000 --buildings 50000 --queries 1000
    scripts/with-postgres.sh .venv/bin/python bench/bench_stations.py   # the same on PostgreSQL

Stations and buildings are scattered over a 20 km × 20 km city (bulk-inserted as Station
profiles and building regions), then through the real selectors: the nearest open stations of
random points (the resident's question, one query each, reading the stations from the database
every time) and the coverage of the whole city (every building's distance to its nearest
station, the gaps listed farthest first).  The pure geometry (k-d tree, no database) is timed
too, and checked against brute-force haversine on a sample.
"""

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

LAT0, LNG0, SPAN_LAT, SPAN_LNG = 41.78, 123.78, 0.18, 0.24  # about 20 km × 20 km around Fushun


def _populate(stations: int, buildings: int, rng: random.Random) -> None:
    from minsheng.organisation.models import Region, Unit
    from minsheng.stations.models import Station

    district = Region.objects.create(kind="district", name="基准区", code="BENCH")
    grid_street = Region.objects.create(kind="street", name="基准街道", code="BENCH-S", parent=district)
    community = Region.objects.create(kind="community", name="基准社区", code="BENCH-C", parent=grid_street)
    grid = Region.objects.create(kind="grid", name="基准网格", code="BENCH-G", parent=community)
    units = Unit.objects.bulk_create([Unit(kind="station", name=f"代办站{i}", code=f"BENCH-ST{i}", region=grid,
                                           path=f"{i:06d}.", depth=0) for i in range(stations)])
    always = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59"}]
    office = [{"days": [0, 1, 2, 3, 4], "start": "08:30", "end": "17:00"}]
    Station.objects.bulk_create([Station(
        unit=u, tier="family", place_type="home", address="-", hours=always if i % 3 else office,
        latitude=Decimal(f"{LAT0 + rng.random() * SPAN_LAT:.6f}"),
        longitude=Decimal(f"{LNG0 + rng.random() * SPAN_LNG:.6f}")) for i, u in enumerate(units)])
    batch = []
    for i in range(buildings):
        batch.append(Region(kind="building", name=f"{i}号楼", code=f"BENCH-B{i}", parent=grid,
                            path=f"{grid.path}{i + 10**5:06d}.", depth=grid.depth + 1,
                            latitude=Decimal(f"{LAT0 + rng.random() * SPAN_LAT:.6f}"),
                            longitude=Decimal(f"{LNG0 + rng.random() * SPAN_LNG:.6f}")))
        if len(batch) == 10_000:
            Region.objects.bulk_create(batch)
            batch = []
    Region.objects.bulk_create(batch)


def _timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--buildings", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200, help="nearest-station queries to time")
    args = parser.parse_args()
    from _django import start_django

    start_django()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from minsheng.stations import selectors
    from minsheng.stations.circle import StationIndex, haversine_m

    call_command("migrate", "--no-input", verbosity=0)
    rng = random.Random(42)
    started = time.perf_counter()
    _populate(args.stations, args.buildings, rng)
    print(f"database: {connection.vendor}; {args.stations} stations, {args.buildings} buildings inserted in "
          f"{time.perf_counter() - started:.1f} s")

    points = [(LAT0 + rng.random() * SPAN_LAT, LNG0 + rng.random() * SPAN_LNG) for _ in range(args.queries)]
    times = []
    for lat, lng in points:
        t0 = time.perf_counter()
        found = selectors.nearest_stations(lat, lng, count=5)
        times.append(time.perf_counter() - t0)
    assert len(found) == 5
    print(f"nearest 5 open stations (selector, stations read from the database each time): "
          f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
          f"over {len(times)} queries")

    result, times = _timed(selectors.coverage, 3)
    print(f"coverage of the whole city (selector: read {result.buildings} buildings, nearest station of each, "
          f"gaps farthest first): median {statistics.median(times):.2f} s, max {max(times):.2f} s; "
          f"{len(result.uncovered)} buildings outside {result.limit_minutes:.0f} min at {result.speed:.0f} m/min")

    lats = np.array([LAT0 + rng.random() * SPAN_LAT for _ in range(args.buildings)])
    lngs = np.array([LNG0 + rng.random() * SPAN_LNG for _ in range(args.buildings)])
    s_lat = np.array([LAT0 + rng.random() * SPAN_LAT for _ in range(args.stations)])
    s_lng = np.array([LNG0 + rng.random() * SPAN_LNG for _ in range(args.stations)])
    (index, build) = _timed(lambda: StationIndex.build(np.arange(args.stations), s_lat, s_lng), 5)
    (metres, nearest), times = _timed(lambda: index.distance_to_nearest(lats, lngs), 5)
    print(f"geometry only: k-d tree of {args.stations} stations built in {statistics.median(build) * 1000:.1f} ms; "
          f"nearest station of {args.buildings} buildings in {statistics.median(times) * 1000:.1f} ms")
    sample = slice(0, 2000)
    brute = haversine_m(lats[sample, None], lngs[sample, None], s_lat[None, :], s_lng[None, :])
    t0 = time.perf_counter()
    haversine_m(lats[:, None], lngs[:, None], s_lat[None, :], s_lng[None, :]).min(axis=1)
    full = time.perf_counter() - t0
    assert (brute.argmin(axis=1) == nearest[sample]).all()
    assert np.allclose(brute.min(axis=1), metres[sample], atol=0.01)
    print(f"check: the tree agrees with brute-force haversine on 2000 buildings; brute force over all "
          f"{args.buildings} × {args.stations} pairs takes {full:.2f} s")


if __name__ == "__main__":
    main()
