"""Address resolution time: a typed address → community, grid, building (``routing.addresses``).

    .venv/bin/python bench/bench_addresses.py [--queries 2000]    # SQLite in a temp dir
    scripts/with-postgres.sh .venv/bin/python bench/bench_addresses.py

Builds the demo city (75 grids, 300 buildings, the place-name register: estates, roads and a
house number per building, with aliases), then resolves addresses as residents and operators type
them — with and without province/city/district prefixes, house numbers on roads, estate and road
aliases, unit and room numbers, another district's and unknown ones — and prints the p50 and p95
per address.  The first call (which loads cpca's table and the region index) is timed apart.
Target: p50 ≤ 5 ms.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.core.management import call_command
    from django.db import connection

    from minsheng.demo.city import ESTATE_ALIASES, ROAD_ALIASES, build_city
    from minsheng.routing.addresses import resolve_address

    call_command("migrate", "--no-input", verbosity=0)
    city, _logins = build_city()
    rng = random.Random(33)
    prefixes = ["", "新城区", "辽宁省抚顺市新城区", "抚顺市新城区"]

    def typed() -> str:
        grid = rng.choice(city.grids)
        building = rng.choice(city.buildings[grid.pk])
        street, community = city.street_of(grid), city.community_of(grid)
        estate = building.name.rstrip("号楼0123456789")
        number = building.name[len(estate):]
        alias = ESTATE_ALIASES.get(estate, "").split()
        road, plate = city.door_plate(grid, building)
        road_alias = ROAD_ALIASES.get(road, "").split()
        return rng.choice([
            f"{rng.choice(prefixes)}{street.name}{community.name}{building.name}"
            f"{rng.randint(1, 6)}单元{rng.randint(101, 1802)}",
            f"{rng.choice(prefixes)}{community.name.removesuffix('社区')}{building.name}",
            f"{rng.choice(prefixes)}{(rng.choice(road_alias) if road_alias else road)}{plate}号",
            f"{rng.choice(prefixes)}{(alias[0] if alias else estate)}{number}",
            f"{rng.choice(prefixes)}{estate}东门",
            f"辽宁省沈阳市浑南区{building.name}",  # another district: outside
            f"{rng.choice(city.roads_of(grid))}{rng.randint(300, 999)}号",  # a house number nobody registered
        ])

    addresses = [typed() for _ in range(args.queries)]
    started = time.perf_counter()
    first = resolve_address(addresses[0])
    print(f"database={connection.vendor} first call (cpca's table, the index) "
          f"{(time.perf_counter() - started) * 1000:.0f} ms: {addresses[0]} → {first.status}")
    timings, statuses = [], {}
    for address in addresses:
        t = time.perf_counter()
        found = resolve_address(address)
        timings.append((time.perf_counter() - t) * 1000)
        statuses[found.status] = statuses.get(found.status, 0) + 1
    timings.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95)]
    print(f"addresses={len(addresses)} {statuses} p50={p50:.2f} ms p95={p95:.2f} ms max={timings[-1]:.2f} ms "
          f"(target p50 ≤ 5 ms)")
    for address in rng.sample(addresses, 5):
        found = resolve_address(address)
        print(f"  {address} → {found.status} {(found.building or found.grid or found.community or '')}")


if __name__ == "__main__":
    main()
