"""Time of the deadline sweeps (yellow/red notices, automatic escalation) that the worker runs
every MINSHENG_SWEEP_SECONDS.

    .venv/bin/python bench/bench_sweep.py --demo                  # the demo city (seed_demo), SQLite in a temp dir
    .venv/bin/python bench/bench_sweep.py --open 1000000          # 1M open demands (bulk_create), SQLite
    scripts/with-postgres.sh .venv/bin/python bench/bench_sweep.py --open 1000000   # the same on PostgreSQL

Figures printed: the three candidate queries on their own; for --demo the first sweep (every
demand yellow or red now gets its notice and messages in the outbox, those overdue past
MINSHENG_ESCALATE_AFTER_HOURS are escalated through the real service) and steady sweeps
after it; for --open the notices earlier sweeps would have written are bulk-inserted first
(a first sweep over 60,000 new cases measures only the per-case cost already shown by
--demo), then sweeps run at now, now + 1 minute and now + 10 minutes (the new cases of that
time: the cost paid every minute).
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _bulk_open_demands(count: int, now) -> None:
    """``count`` demands under a running deadline, spread so that about 4% are yellow and 2% red."""
    from minsheng.catalogue.models import DemandType, TimeLimitPolicy
    from minsheng.demands.models import Demand
    from minsheng.demands.workflow import State
    from minsheng.demo.city import build_city

    city, _ = build_city()
    units = [u for u in city.units.values() if u.parent_id]
    grids = city.grids
    demand_type, urgency = DemandType.objects.first(), TimeLimitPolicy.objects.get(code="general")
    rng = random.Random(1)
    batch, made = [], 0
    for i in range(count):
        # Deadlines from 1.2 days ago to 60 days ahead; 10 days of handling time each.
        due = now + timedelta(minutes=rng.randint(-1700, 60 * 24 * 60))
        batch.append(Demand(
            number=f"B{i:011d}", channel="hotline", demand_type=demand_type, title="井盖缺失", description="-",
            region=grids[i % len(grids)], urgency=urgency,
            state=State.IN_PROGRESS if i % 3 else State.DISPATCHED, version=3, handling_unit=units[i % len(units)],
            handle_due=due, dispatched_at=due - timedelta(days=10), registered_at=due - timedelta(days=10, hours=2),
            updated_at=now))
        if len(batch) == 10_000:
            _create(batch)
            made += len(batch)
            batch = []
            print(f"  … {made} demands", end="\r", flush=True)
    _create(batch)
    print()


def _create(demands) -> None:
    """The demands and the deadline watch their dispatch would have written."""
    from minsheng.demands.models import Demand
    from minsheng.demands.selectors import turns_yellow_at
    from minsheng.supervision.models import DeadlineWatch

    Demand.objects.bulk_create(demands)
    DeadlineWatch.objects.bulk_create([DeadlineWatch(demand=d, handle_due=d.handle_due, yellow_at=turns_yellow_at(d))
                                       for d in demands])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--demo", action="store_true", help="seed the demo city and sweep it")
    group.add_argument("--open", type=int, help="bulk-create this many open demands and sweep them")
    parser.add_argument("--existing", action="store_true",
                        help="the database (MINSHENG_DATA_DIR or DATABASE_URL) already holds the data: sweep it again")
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.core.management import call_command
    from django.db import connection

    from minsheng.core import clock
    from minsheng.demands.models import Demand
    from minsheng.demands.workflow import HANDLING_STATES
    from minsheng.notifications.models import OutboxMessage
    from minsheng.supervision import sweeps
    from minsheng.supervision.models import DeadlineNotice, DeadlineWatch

    call_command("migrate", "--no-input", verbosity=0)
    now = clock.now()
    started = time.perf_counter()
    if args.existing:
        pass
    elif args.demo:
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", verbosity=0, stdout=quiet)
    else:
        _bulk_open_demands(args.open, now)
    print(f"database: {connection.vendor}; data made in {time.perf_counter() - started:.1f} s")
    running = Demand.objects.filter(state__in=HANDLING_STATES).count()
    print(f"demands: {Demand.objects.count()} in total, {running} under a deadline")

    for name, query in [("escalation", sweeps.escalation_due), ("red", sweeps.red_due),
                        ("yellow", sweeps.yellow_due)]:
        started = time.perf_counter()
        found = len(list(query(now).values_list("pk", flat=True)))
        print(f"candidate query {name:<10} {time.perf_counter() - started:8.3f} s  ({found} demands)")

    if args.open:
        started = time.perf_counter()
        for kind, query in [("escalation", sweeps.escalation_due), ("red", sweeps.red_due),
                            ("yellow", sweeps.yellow_due)]:
            noticed = list(query(now).values_list("pk", "handle_due"))
            DeadlineNotice.objects.bulk_create(
                [DeadlineNotice(demand_id=pk, kind=kind, deadline=due, created_at=now) for pk, due in noticed],
                batch_size=5000)
            if kind == "yellow":  # as the yellow notice does
                for i in range(0, len(noticed), 5000):
                    DeadlineWatch.objects.filter(demand_id__in=[pk for pk, _ in noticed[i:i + 5000]]).update(
                        yellow_at=None)
        print(f"notices of earlier sweeps bulk-inserted in {time.perf_counter() - started:.1f} s")
    moments = [now, now + timedelta(minutes=1), now + timedelta(minutes=10)] if args.open else [now] * 4
    for i, moment in enumerate(moments):
        outbox_before = OutboxMessage.objects.count()
        started = time.perf_counter()
        result = sweeps.run_sweeps(moment)
        label = "first sweep" if args.demo and i == 0 else f"sweep at now+{(moment - now).seconds // 60} min"
        print(f"{label:<20} {time.perf_counter() - started:8.3f} s  yellow={result.yellow} red={result.red} "
              f"escalated={result.escalated} messages={OutboxMessage.objects.count() - outbox_before}")


if __name__ == "__main__":
    main()
