"""Time of billing one month of home care: 100,000 elders with 1,000,000 approved service records
in that month, spread over 20 providers (generated here, bulk-inserted; not timed).

    .venv/bin/python bench/bench_billing.py                       # SQLite in a temp dir
    .venv/bin/python bench/bench_billing.py --elders 10000 --records 100000   # smaller
    scripts/with-postgres.sh .venv/bin/python bench/bench_billing.py          # the same on PostgreSQL

Timed: the statement lines (per elder and service) of every provider, issuing every provider's
statement through billing.issue_statement (totals, the statement row, linking its records), the
budget state of the year, and the report figures (elders served, hours, average).
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
MONTH = date(2026, 3, 1)
PROVIDERS = 20


def _generate(elders: int, records: int, rng: random.Random) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from minsheng.demo.city import build_city
    from minsheng.homecare.models import Budget, CareService, Elder, GradePeriod, ServiceRecord
    from minsheng.organisation.models import Unit
    from minsheng.people.models import Resident

    city, _ = build_city()
    services = list(CareService.objects.all())
    with transaction.atomic():
        Budget.objects.get_or_create(year=MONTH.year, defaults={"amount": Decimal("1000000")})
        providers = [Unit.objects.create(kind=Unit.Kind.CARE_PROVIDER, name=f"服务商{i}", code=f"BENCH-P{i}",
                                         region=city.district) for i in range(PROVIDERS)]
        User = get_user_model()
        workers = User.objects.bulk_create([User(username=f"bench-w{i}", password="!") for i in range(PROVIDERS * 50)])
        Resident.objects.bulk_create([Resident(name=f"老人{i}", phone=f"1{i:010d}", region=rng.choice(city.grids))
                                      for i in range(elders)], batch_size=5000)
        residents = list(Resident.objects.filter(name__startswith="老人").values_list("pk", "region_id"))
        community_of = {g.pk: city.community_of(g).pk for g in city.grids}
        now = timezone.now()
        Elder.objects.bulk_create([Elder(resident_id=pk, community_id=community_of[region], birth_year=1940,
                                         support="dibao", condition="alone", self_care="partial", channel="station",
                                         status="active", grade=rng.choice("ABC"), applied_at=now,
                                         joined_on=date(2025, 1, 1)) for pk, region in residents], batch_size=5000)
        elder_rows = list(Elder.objects.values_list("pk", "grade"))
        GradePeriod.objects.bulk_create([GradePeriod(elder_id=pk, grade=g, start=date(2025, 1, 1))
                                         for pk, g in elder_rows], batch_size=5000)
    price = Decimal("17.00")
    base = timezone.make_aware(datetime.combine(MONTH, clock_time(8)))
    # Raw inserts: a million model instances would take most of the run to build.
    ops = connection.ops
    columns = ["elder_id", "provider_id", "service_id", "services_done", "worker_id", "started_at", "ended_at",
               "month", "hours", "confirmed_by", "status", "review_reason", "hourly_price", "amount",
               "revisit_selected", "revisit_answer", "created_at"]
    sql = (f"INSERT INTO {ServiceRecord._meta.db_table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    month = ops.adapt_datefield_value(MONTH)
    lengths = [(Decimal(h), ops.adapt_decimalfield_value(Decimal(h), 5, 2),
                ops.adapt_decimalfield_value(Decimal(h) * price, 10, 2)) for h in ("0.50", "1.00", "1.50", "2.00")]
    price_value = ops.adapt_decimalfield_value(price, 8, 2)
    starts = [base + timedelta(days=d, hours=h) for d in range(28) for h in range(8)]
    slots = [(ops.adapt_datetimefield_value(t), [ops.adapt_datetimefield_value(t + timedelta(hours=float(h)))
                                                 for h, _v, _a in lengths]) for t in starts]
    service_ids = [s.pk for s in services]
    provider_ids = [p.pk for p in providers]
    worker_ids = [w.pk for w in workers]
    with connection.cursor() as cursor:
        batch = []
        for i in range(records):
            elder_id = elder_rows[i % len(elder_rows)][0]
            p = elder_id % PROVIDERS
            start, ends = slots[rng.randrange(len(slots))]
            k = rng.randrange(4)
            _h, hours, amount = lengths[k]
            worker = worker_ids[p * 50 + rng.randrange(50)]
            batch.append((elder_id, provider_ids[p], rng.choice(service_ids), "", worker, start, ends[k], month, hours,
                          "家属", "approved", "", price_value, amount, False, "", start))
            if len(batch) == 20000:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                batch = []
        if batch:
            with transaction.atomic():
                cursor.executemany(sql, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from minsheng.homecare import billing
    from minsheng.homecare.models import ServiceRecord, Statement
    from minsheng.homecare.selectors import service_report
    from minsheng.organisation.models import Unit

    call_command("migrate", "--no-input", verbosity=0)
    started = time.perf_counter()
    _generate(args.elders, args.records, random.Random(20261123))
    print(f"database: {connection.vendor}; generated {args.elders:,} elders and {args.records:,} records "
          f"in {time.perf_counter() - started:.1f} s (not part of the figures)")
    admin = get_user_model().objects.create_superuser("bench-admin", password=None)
    providers = list(Unit.objects.filter(kind=Unit.Kind.CARE_PROVIDER, code__startswith="BENCH-"))

    t0 = time.perf_counter()
    lines = sum(len(billing.statement_lines(p.pk, MONTH)) for p in providers)
    t1 = time.perf_counter()
    statements = [billing.issue_statement(admin, p, MONTH) for p in providers]
    t2 = time.perf_counter()
    budget = billing.budget_state(MONTH.year)
    t3 = time.perf_counter()
    report = service_report(ServiceRecord.objects.all(), year=MONTH.year)
    t4 = time.perf_counter()

    total = sum(s.amount for s in statements)
    assert total == budget.spent and Statement.objects.count() == len(providers)
    assert not ServiceRecord.objects.filter(statement__isnull=True).exists()
    print(f"statement lines of {len(providers)} providers: {lines:,} lines (elder × service) in {t1 - t0:.1f} s")
    print(f"issued {len(statements)} statements ({args.records:,} records linked): {t2 - t1:.1f} s")
    print(f"budget state: spent {budget.spent:,} yuan in {t3 - t2:.2f} s")
    print(f"report: {report['elders']:,} elders, {report['hours']:,} hours, {report['average']} hours each, "
          f"in {t4 - t3:.2f} s")
    print(f"billing the month, in all: {t4 - t0:.1f} s")


if __name__ == "__main__":
    main()
