"""Time of a month's meal-assistance subsidy statements: 500 canteens, 50,000 diners and 1,000,000
meals served in that month, under two price policies per tier (the split changes on the 16th)
(generated here, raw-inserted; not timed).

    .venv/bin/python bench/bench_meals.py                        # SQLite in a temp dir
    .venv/bin/python bench/bench_meals.py --billing              # then bench_billing.py at the same size
    .venv/bin/python bench/bench_meals.py --canteens 50 --meals 100000   # smaller
    scripts/with-postgres.sh .venv/bin/python bench/bench_meals.py       # the same on PostgreSQL

Timed: the statement lines of every canteen for each funder (government, collective, elder), the
totals, issuing every canteen's statement through billing.issue_statement (the statement row, the
meals linked, the totals summed from them), one canteen's Excel of the month and the daily counts
of one day over every canteen.  ``--billing`` runs bench/bench_billing.py afterwards with as many
records as meals, so that the two figures come from the same run of the same machine.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
MONTH = date(2026, 3, 1)
CHANGE = date(2026, 3, 16)
SPLITS = {"standard": [("1.00", "1.00", "5.00"), ("1.50", "1.00", "4.50")], "dibao": [("2.00", "2.00", "3.00")] * 2,
          "tekun": [("3.00", "2.00", "2.00")] * 2, "free": [("4.00", "3.00", "0.00"), ("4.50", "3.00", "0.00")]}


def _generate(canteens: int, meals: int, rng: random.Random) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from minsheng.demo.city import build_city
    from minsheng.meals.models import Canteen, Diner, Meal, MealTime, PricePolicy
    from minsheng.people.models import Resident

    city, _ = build_city()
    per_diner = 20
    diners = max(1, meals // per_diner)
    with transaction.atomic():
        rows = [Canteen(code=f"BENCH-C{i}", name=f"助餐点{i}", kind="community",
                        region=city.communities[i % len(city.communities)]) for i in range(canteens)]
        Canteen.objects.bulk_create(rows)
        canteen_rows = list(Canteen.objects.filter(code__startswith="BENCH-C").order_by("pk"))
        MealTime.objects.bulk_create([MealTime(canteen=c, sitting="lunch", starts=clock_time(11), ends=clock_time(13))
                                      for c in canteen_rows])
        policies = []
        for c in canteen_rows:
            for tier, splits in SPLITS.items():
                for valid_from, (g, co, e) in zip((date(2026, 1, 1), CHANGE), splits, strict=True):
                    g, co, e = Decimal(g), Decimal(co), Decimal(e)
                    policies.append(PricePolicy(canteen=c, tier=tier, valid_from=valid_from, price=g + co + e,
                                                government=g, collective=co, elder=e))
        PricePolicy.objects.bulk_create(policies, batch_size=5000)
        Resident.objects.bulk_create([Resident(name=f"助餐老人{i}", phone=f"1{i:010d}", region=rng.choice(city.grids))
                                      for i in range(diners)], batch_size=5000)
        residents = list(Resident.objects.filter(name__startswith="助餐老人").values_list("pk", flat=True))
        tiers = ["standard"] * 6 + ["dibao"] * 2 + ["tekun", "free"]
        Diner.objects.bulk_create([Diner(resident_id=pk, canteen=canteen_rows[i % canteens], card_number=f"B{i:08d}",
                                         tier=rng.choice(tiers), since=date(2026, 1, 1))
                                   for i, pk in enumerate(residents)], batch_size=5000)
    diner_rows = list(Diner.objects.values_list("pk", "canteen_id", "tier"))
    policy_of = {(p.canteen_id, p.tier, p.valid_from): p for p in PricePolicy.objects.all()}
    user = get_user_model().objects.create_user("bench-counter", password=None)
    ops = connection.ops
    columns = ["canteen_id", "diner_id", "day", "month", "sitting", "way", "channel", "status", "tier", "policy_id",
               "price", "government", "collective", "elder", "recorded_by_id", "recorded_at", "served_at",
               "void_reason"]
    sql = f"INSERT INTO {Meal._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    money = {}

    def adapt(value: Decimal):
        if value not in money:
            money[value] = ops.adapt_decimalfield_value(value, 8, 2)
        return money[value]

    month = ops.adapt_datefield_value(MONTH)
    days = [(MONTH + timedelta(days=d)) for d in range(per_diner)]
    stamps = [ops.adapt_datetimefield_value(timezone.make_aware(datetime.combine(d, clock_time(11, 30))))
              for d in days]
    with connection.cursor() as cursor:
        batch = []
        for i in range(meals):
            diner_id, canteen_id, tier = diner_rows[i // per_diner % len(diner_rows)]
            k = i % per_diner
            day = days[k]
            p = policy_of[(canteen_id, tier, CHANGE if day >= CHANGE else date(2026, 1, 1))]
            batch.append((canteen_id, diner_id, ops.adapt_datefield_value(day), month, "lunch", "counter", "counter",
                          "served", tier, p.pk, adapt(p.price), adapt(p.government), adapt(p.collective),
                          adapt(p.elder), user.pk, stamps[k], stamps[k], ""))
            if len(batch) == 20000:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                batch = []
        if batch:
            with transaction.atomic():
                cursor.executemany(sql, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--canteens", type=int, default=500)
    parser.add_argument("--meals", type=int, default=1_000_000)
    parser.add_argument("--billing", action="store_true", help="then run bench_billing.py at the same size")
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from minsheng.core.exports import write_xlsx
    from minsheng.meals import billing, selectors
    from minsheng.meals.models import Canteen, Meal, Statement

    call_command("migrate", "--no-input", verbosity=0)
    started = time.perf_counter()
    _generate(args.canteens, args.meals, random.Random(20261206))
    print(f"database: {connection.vendor}; generated {args.canteens:,} canteens and {args.meals:,} meals "
          f"in {time.perf_counter() - started:.1f} s (not part of the figures)")
    admin = get_user_model().objects.create_superuser("bench-admin", password=None)
    canteens = list(Canteen.objects.filter(code__startswith="BENCH-C").select_related("region").order_by("pk"))

    t0 = time.perf_counter()
    lines = sum(len(billing.statement_lines(c.pk, MONTH, funder)) for c in canteens for funder in billing.FUNDERS)
    totals = [billing.totals(c.pk, MONTH) for c in canteens]
    t1 = time.perf_counter()
    statements = [billing.issue_statement(admin, c, MONTH) for c in canteens]
    t2 = time.perf_counter()
    meals = billing.served_meals(canteens[0].pk, MONTH).select_related("diner__resident")
    with tempfile.TemporaryFile() as target:
        rows = write_xlsx(target, ["card", "name", "day", "government"],
                          ((m.diner.card_number, m.diner.resident.name, m.day, m.government) for m in meals.iterator()))
    t3 = time.perf_counter()
    counts = selectors.daily_counts(admin, CHANGE)
    t4 = time.perf_counter()

    agg = Meal.objects.aggregate(g=Sum("government"), c=Sum("collective"), e=Sum("elder"))
    assert sum(s.government for s in statements) == agg["g"] == sum(t.government for t in totals)
    assert sum(s.meal_count for s in statements) == args.meals == Meal.objects.filter(statement__isnull=False).count()
    assert Statement.objects.count() == len(canteens)
    print(f"statement lines of {len(canteens)} canteens × 3 funders: {lines:,} lines (diner × tier), "
          f"with the totals, in {t1 - t0:.1f} s")
    print(f"issued {len(statements)} statements ({args.meals:,} meals linked; government {agg['g']:,}, "
          f"collective {agg['c']:,}, elders {agg['e']:,} yuan): {t2 - t1:.1f} s")
    print(f"one canteen's Excel of the month ({rows:,} meals): {t3 - t2:.2f} s")
    print(f"daily counts of {len(counts)} canteens on one day: {t4 - t3:.2f} s")
    print(f"the month's subsidy statements, in all: {t2 - t0:.1f} s")
    if args.billing:
        print("--- bench/bench_billing.py at the same size (home-care billing) ---", flush=True)
        env = {k: v for k, v in os.environ.items() if k != "MINSHENG_DATA_DIR"}
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench_billing.py"), "--records", str(args.meals),
                        "--elders", str(max(1, args.meals // 10))], check=True, env=env)


if __name__ == "__main__":
    main()
