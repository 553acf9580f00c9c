"""The resident's report form (/submit/) at scale: its server time with a million demands, and the
nearby look-alike search the form runs while the resident types, with 100,000 open demands.

    .venv/bin/python bench/bench_report.py                                  # 1,000,000 + 100,000, SQLite
    .venv/bin/python bench/bench_report.py --data /tmp/report-1m            # the same, data kept there
    .venv/bin/python bench/bench_scale.py --n 1000000 --data /tmp/report-1m --generate-only   # same data

Data: the demo city and ``--n`` demands with their histories, generated as bench_scale.py generates
them (bench/generate_demands.py: a base of ``--base`` demands, then copied in SQL up to ``--n``);
then ``--open`` open demands with their duplicate fingerprints (bench_duplicates.add_open_demands:
spread over the 75 grids and the whole search window, texts from the demo generator).  Whatever
the data directory already holds is kept.

Timed one at a time through Django's test client (view, template, middleware; no network), wall
time p50/p95 and this process's CPU time p50:

- GET /submit/ (the form);
- POST /submit/ (a valid report pinned at a random point of a random grid: placing the pin,
  registration, fingerprint, redirect);
- GET /submit/similar/ (the look-alikes for a description typed at a random pin) — targets:
  the form ≤ 50 ms p50, the look-alikes ≤ 30 ms p50;
- GET /submit/place/ (a typed address) and /submit/suggestions/ (the category from the text).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def _figures(name: str, wall: list[float], cpu: list[float]) -> str:
    wall, cpu = sorted(wall), sorted(cpu)
    return (f"{name:<28} p50={statistics.median(wall):6.1f} ms  p95={wall[int(len(wall) * 0.95) - 1]:6.1f} ms  "
            f"CPU p50={statistics.median(cpu):6.1f} ms  (n={len(wall)})")


def _timed(call, n: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for i in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        call(i)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="demands in the database")
    parser.add_argument("--open", type=int, default=100_000, help="open demands with fingerprints")
    parser.add_argument("--base", type=int, default=60_000, help="demands generated before the SQL copies")
    parser.add_argument("--data", type=Path, help="SQLite data directory (default: a new temp dir)")
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--posts", type=int, default=100)
    args = parser.parse_args()
    os.environ["MINSHENG_DATA_DIR"] = str(args.data or Path(tempfile.mkdtemp(prefix="minsheng-report-")))
    os.environ["MINSHENG_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import generate_demands

    generate_demands.setup_django()
    from bench_duplicates import add_open_demands
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from minsheng.demands.models import Demand
    from minsheng.demo.city import build_city
    from minsheng.demo.texts import category_codes, compose_demand
    from minsheng.routing.models import DuplicateSignature

    print(f"database: {connection.vendor}, data in {os.environ['MINSHENG_DATA_DIR']}", flush=True)
    call_command("migrate", "--no-input", verbosity=0)
    have = Demand.objects.count()
    if have < args.n:
        if not have:
            made, _events, seconds = generate_demands.generate(min(args.n, args.base))
            print(f"generated {made} demands in {seconds:.0f} s", flush=True)
            have += made
        while have < args.n:
            made, _events, seconds = generate_demands.replicate(1, rows=min(have, args.n - have))
            have += made
            print(f"copied {made} demands in SQL in {seconds:.0f} s: {have} in all", flush=True)
        generate_demands.move_day_counters()
    city, _logins = build_city()
    rng = random.Random(11)
    fingerprinted = DuplicateSignature.objects.filter(is_open=True).count()
    if fingerprinted < args.open:
        started = time.perf_counter()
        # Numbers of 20 characters, the column's length: "R", the count before, 12 digits.
        add_open_demands(city, args.open - fingerprinted, rng, prefix=f"R{fingerprinted:07d}")
        print(f"added {args.open - fingerprinted} open demands with fingerprints in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Demand.objects.count()
    open_count = DuplicateSignature.objects.filter(is_open=True).count()
    print(f"demands: {total}, open with fingerprints: {open_count}", flush=True)

    leaves = category_codes()

    def pin(grid) -> tuple[float, float]:
        ring = grid.boundary[0]
        lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
        return rng.uniform(min(lats), max(lats)), rng.uniform(min(lngs), max(lngs))

    client = Client()
    results = []
    client.get("/submit/")  # warm up: the per-process copies (catalogue, regions)
    results.append(_figures("GET /submit/", *_timed(lambda i: client.get("/submit/"), args.reads)))

    typed = []
    for _ in range(args.reads):
        grid = rng.choice(city.grids)
        text = compose_demand(rng, rng.choice(leaves), rng.choice(city.buildings[grid.pk]).name)
        lat, lng = pin(grid)
        typed.append({"description": text.description[: rng.randint(12, 60)], "latitude": f"{lat:.6f}",
                      "longitude": f"{lng:.6f}"})
    found = 0

    def similar(i: int) -> None:
        nonlocal found
        response = client.get("/submit/similar/", typed[i])
        assert response.status_code == 200
        found += "我也遇到" in response.content.decode()
    for i in range(10):
        similar(i)
    found = 0
    results.append(_figures("GET /submit/similar/", *_timed(similar, args.reads)) +
                   f"  [{found} of {args.reads} offered a look-alike]")

    addresses = [f"{rng.choice(city.buildings[g.pk]).name}{rng.randint(1, 6)}单元" for g in city.grids]
    results.append(_figures("GET /submit/place/ (address)", *_timed(
        lambda i: client.get("/submit/place/", {"address": addresses[i % len(addresses)]}), args.reads)))
    results.append(_figures("GET /submit/suggestions/", *_timed(
        lambda i: client.get("/submit/suggestions/", {"text": typed[i]["description"]}), args.reads)))

    def post(i: int) -> None:
        grid = rng.choice(city.grids)
        lat, lng = pin(grid)
        text = compose_demand(rng, rng.choice(leaves), rng.choice(city.buildings[grid.pk]).name)
        response = Client().post("/submit/", {
            "description": text.description, "demand_type": "help", "latitude": f"{lat:.6f}",
            "longitude": f"{lng:.6f}", "name": "测试居民", "phone": f"139{rng.randrange(10**8):08d}",
            "consent": "on"})
        assert response.status_code == 302, response.content.decode()[:2000]
    results.append(_figures("POST /submit/ (a report)", *_timed(post, args.posts)))
    print("\n".join(results))


if __name__ == "__main__":
    main()
