"""Throughput of the demand workflow services and of verify_events.

    .venv/bin/python bench/bench_workflow.py [--demands 1000]              # SQLite (file, WAL) in a temp dir
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_workflow.py     # an existing PostgreSQL database
    scripts/with-postgres.sh .venv/bin/python bench/bench_workflow.py      # a throwaway PostgreSQL cluster

Every demand goes through the real services, one transaction per transition, as the web
pages and APIs will call them: register → verify → dispatch → accept → record_progress →
resolve → revisit → close.  Prints one line per figure.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

DESCRIPTION = "建设路与光明街交叉口的井盖丢失，夜间行人很危险，请尽快处理。"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=1000)
    args = parser.parse_args()
    if args.demands < 1:
        parser.error("--demands must be at least 1")
    from _django import start_django

    start_django()
    from django.core.management import call_command
    from django.db import connection

    from minsheng.demands import services
    from minsheng.demo.city import build_city

    call_command("migrate", "--no-input", verbosity=0)
    city, _ = build_city()
    grid = city.grids[0]
    operator = city.actors[("XC-CENTRE", "hotline_operator")]
    dispatcher = city.actors[(f"{city.street_of(grid).code}-OFFICE", "street_dispatcher")]
    handler = city.actors[("XC-CG", "department_handler")]

    steps: dict[str, list[float]] = {}

    def timed(name, fn, *a, **kw):
        started = time.perf_counter()
        result = fn(*a, **kw)
        steps.setdefault(name, []).append(time.perf_counter() - started)
        return result

    started = time.perf_counter()
    for i in range(args.demands):
        d = timed("register", services.register_demand, operator, channel="hotline", demand_type="complaint",
                  title=f"建设路井盖缺失 {i}", description=DESCRIPTION,
                  region=grid, category="construction.roads",
                  reporter=services.ReporterInput(name="张伟", phone=f"137{i % 10**8:08d}"))
        d = timed("verify", services.verify_demand, operator, d.pk, d.version)
        d = timed("dispatch", services.dispatch_demand, dispatcher, d.pk, d.version)
        d = timed("accept", services.accept_demand, handler, d.pk, d.version)
        d = timed("record_progress", services.record_progress, handler, d.pk, d.version, note="已联系居民",
                  contact=True)
        d = timed("resolve", services.resolve_demand, handler, d.pk, d.version, result="已补装井盖")
        d = timed("revisit", services.revisit_demand, operator, d.pk, d.version, satisfaction="satisfied",
                  solved="solved")
        timed("close", services.close_demand, operator, d.pk, d.version)
    total = time.perf_counter() - started
    transitions = sum(len(v) for v in steps.values())

    print(f"database={connection.vendor} demands={args.demands} transitions={transitions}")
    for name, samples in steps.items():
        ms = sorted(s * 1000 for s in samples)
        print(f"{name:<16} p50={statistics.median(ms):6.2f} ms  p95={ms[int(len(ms) * 0.95) - 1]:6.2f} ms")
    print(f"transitions/s={transitions / total:.0f}  full loops/s={args.demands / total:.1f}")

    started = time.perf_counter()
    out = __import__("io").StringIO()
    call_command("verify_events", stdout=out)
    elapsed = time.perf_counter() - started
    print(f"verify_events: {out.getvalue().splitlines()[-1]} in {elapsed:.2f} s "
          f"({args.demands / elapsed:.0f} demands/s)")


if __name__ == "__main__":
    main()
