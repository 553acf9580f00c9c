"""Which indexes of the tables the bulk import writes do the reads use?  (SQLite.)

    MINSHENG_DATA_DIR=/tmp/ms-1m .venv/bin/python bench/index_usage.py [--time 5] [--show-plans]

Runs the pages and API calls that read demands, events and residents (the bench's reads, the
other list filters and sorts, queues, overview, supervision, assessment, duplicates, the API
and Open311, the admin) and the supervision sweeps' candidate queries, all inside one
transaction that is rolled back (logins and the API key it makes leave nothing behind).  Every
SQL statement they send that touches those tables is run through ``EXPLAIN QUERY PLAN``; the
script prints, for each index on those tables, the reads whose plan uses it, then every read
whose plan scans one of the big tables without an index.  With --time N it also prints the
median wall time of each read over N runs (for comparing two schemas on the same database).
"""

import argparse
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

TABLES = ("demands_demand", "demands_demandevent", "people_resident")


class Rollback(Exception):
    pass


def _matches(name: str, parts: str) -> bool:
    return any(part and part in name for part in parts.split(","))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time", type=int, default=0, help="time each read this many times (median)")
    parser.add_argument("--show-plans", action="store_true")
    parser.add_argument("--only", default="", help="only the reads whose name contains one of these (a,b,…)")
    parser.add_argument("--skip", default="", help="skip the reads whose name contains one of these (a,b,…)")
    args = parser.parse_args()
    os.environ["MINSHENG_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import generate_demands

    generate_demands.setup_django()
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from minsheng.core import clock
    from minsheng.demands.models import Demand
    from minsheng.supervision import revisits, sweeps

    assert connection.vendor == "sqlite", "EXPLAIN QUERY PLAN is SQLite's"
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name IN (%s, %s, %s)",
                       TABLES)
        indexes = {name: table for name, table in cursor.fetchall()}
    used: dict[str, set[str]] = defaultdict(set)
    scans: dict[str, set[str]] = defaultdict(set)
    timings: dict[str, tuple[float, float]] = {}
    User = get_user_model()

    def explain(name: str, sql: str) -> None:
        if not any(t in sql for t in TABLES) or not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            return
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[-1] for row in cursor.fetchall()]
        if args.show_plans:
            print(f"-- {name}: {sql[:300]}")
            for line in plan:
                print(f"     {line}")
        for line in plan:
            if m := re.search(r"USING (?:COVERING )?INDEX (\S+)", line):
                used[m.group(1)].add(name)
            elif m := re.match(r"(?:SCAN|SEARCH) (\S+)", line):
                table = m.group(1)
                if table in TABLES and "USING INTEGER PRIMARY KEY" not in line and "USING ROWID" not in line:
                    scans[name].add(line)
            if ("INTEGER PRIMARY KEY" in line or "USING ROWID" in line) and (
                    m := re.match(r"(?:SCAN|SEARCH) (\S+)", line)) and m.group(1) in TABLES:
                used[f"{m.group(1)} (rowid)"].add(name)

    def run(name: str, call) -> None:
        if (args.only and not _matches(name, args.only)) or (args.skip and _matches(name, args.skip)):
            return
        call()  # warm-up
        with CaptureQueriesContext(connection) as captured:
            call()
        for query in captured.captured_queries:
            explain(name, query["sql"])
        if args.time:
            times, cpu = [], []
            for _ in range(args.time):
                started, cpu_started = time.perf_counter(), time.process_time()
                call()
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            timings[name] = (statistics.median(times), statistics.median(cpu))

    def page(user, url: str, headers: dict | None = None):
        client = Client(headers=headers or {})
        if user is not None:
            client.force_login(user)

        def call():
            response = client.get(url)
            if response.status_code >= 400:
                raise RuntimeError(f"{url} answered {response.status_code}")

        return call

    def queryset(qs):
        return lambda: list(qs.values_list("pk", flat=True)[:1000])

    try:
        with transaction.atomic():
            users = {u: User.objects.get(username=u) for u in (
                "leader", "dispatcher", "admin", "operator", "handler", "community", "grid", "agent", "auditor")}
            top = Demand.objects.order_by("-pk").values_list("pk", flat=True).first()
            some = Demand.objects.filter(pk__gte=top // 2, reporter__isnull=False).select_related("reporter").first()
            merged = Demand.objects.filter(merged_into__isnull=False).order_by("-pk").first()
            open_one = Demand.objects.filter(state="in_progress").order_by("-pk").first()
            out = StringIO()
            call_command("create_api_key", "--name", "index-usage", "--user", "admin", "--region", "XC",
                         "--actions", "read", "--rate", "100000",
                         stdout=out)
            key = {"X-API-Key": out.getvalue().strip().splitlines()[-1]}
            demands = reverse("web:demands")
            reads = [
                ("dashboard (leader)", page(users["leader"], reverse("web:dashboard"))),
                ("dashboard (dispatcher)", page(users["dispatcher"], reverse("web:dashboard"))),
            ]
            for who in ("leader", "dispatcher", "handler", "community"):
                reads += [
                    (f"list unfiltered ({who})", page(users[who], demands)),
                    (f"list state=in_progress ({who})", page(users[who], demands + "?state=in_progress")),
                    (f"list state=closed ({who})", page(users[who], demands + "?state=closed")),
                    (f"list state=registered ({who})", page(users[who], demands + "?state=registered")),
                    (f"list overdue ({who})", page(users[who], demands + "?overdue=1")),
                    (f"list sort=deadline ({who})", page(users[who], demands + "?sort=deadline")),
                    (f"list state=dispatched sort=deadline ({who})",
                     page(users[who], demands + "?state=dispatched&sort=deadline")),
                ]
            reads += [
                ("list channel=hotline (leader)", page(users["leader"], demands + "?channel=hotline")),
                ("list sort=oldest (leader)", page(users["leader"], demands + "?sort=oldest")),
                ("list sort=number (leader)", page(users["leader"], demands + "?sort=number")),
                ("list q=number (leader)", page(users["leader"], demands + f"?q={some.number}")),
                ("list q=text (dispatcher)", page(users["dispatcher"], demands + "?q=井盖")),
                ("queue (handler)", page(users["handler"], reverse("web:queue"))),
                ("queue (dispatcher)", page(users["dispatcher"], reverse("web:queue"))),
                ("queue (operator)", page(users["operator"], reverse("web:queue"))),
                ("queue (community)", page(users["community"], reverse("web:queue"))),
                ("queue (grid)", page(users["grid"], reverse("web:queue"))),
                ("one demand's page (admin)", page(users["admin"], reverse("web:demand", args=[some.pk]))),
                ("merged demand's page (admin)", page(users["admin"], reverse("web:demand", args=[merged.pk]))),
                ("open demand's page (handler)", page(users["admin"], reverse("web:demand", args=[open_one.pk]))),
                ("tracking lookup (resident)", page(None, f"{reverse('web:track')}?number={some.number}"
                                                          f"&phone_last4={some.reporter.phone[-4:]}")),
                ("overview (leader)", page(users["leader"], reverse("web:overview"))),
                ("overview (dispatcher)", page(users["dispatcher"], reverse("web:overview"))),
                ("resident lookup (operator)", page(users["operator"], reverse("web:resident_lookup")
                                                    + f"?phone={some.reporter.phone}")),
                ("duplicates search (operator)", page(users["operator"], reverse("web:intake_duplicates")
                                                      + f"?region={some.region.code}&title={some.title}"
                                                        f"&description={some.description[:80]}")),
                ("supervision (leader)", page(users["leader"], reverse("web:supervision"))),
                ("revisits (operator)", page(users["operator"], reverse("web:revisits"))),
                ("inbox (handler)", page(users["handler"], reverse("web:inbox"))),
                ("hot issues (leader)", page(users["leader"], reverse("web:hot_issues"))),
                ("assessment table (leader)", page(users["leader"], reverse("web:assessment_table"))),
                ("assessment demands (leader)", page(users["leader"], reverse("web:assessment_demands")
                                                     + "?figure=resolved&from=2026-10-01&to=2026-10-31")),
                ("assessment report (leader)", page(users["leader"], reverse("web:assessment_report"))),
                ("api list", page(None, "/api/demands", key)),
                ("api list state+category", page(None, "/api/demands?state=closed&category=construction", key)),
                ("api list region+after", page(None, "/api/demands?region=XC-GM&registered_after=2026-06-01T00:00"
                                                     ":00%2B08:00", key)),
                ("api list category (a rare one)", page(None, "/api/demands?category=education.facilities", key)),
                ("api one demand", page(None, f"/api/demands/{some.number}", key)),
                ("api events", page(None, f"/api/demands/{some.number}/events", key)),
                ("open311 requests", page(None, "/open311/v2/requests.json")),
                ("open311 requests by service", page(None, "/open311/v2/requests.json?service_code="
                                                           "construction.roads")),
                ("admin demands", page(users["admin"], "/admin/demands/demand/")),
                ("admin demand", page(users["admin"], f"/admin/demands/demand/{some.pk}/change/")),
                ("admin events", page(users["admin"], "/admin/demands/demandevent/")),
                ("admin residents", page(users["admin"], "/admin/people/resident/")),
                ("sweep red_due", queryset(sweeps.red_due(clock.now()))),
                ("sweep escalation_due", queryset(sweeps.escalation_due(clock.now()))),
                ("sweep yellow_due", queryset(sweeps.yellow_due(clock.now()))),
            ]
            for name in dir(revisits):
                if name.endswith("_due") and callable(getattr(revisits, name)):
                    reads.append((f"revisits.{name}", queryset(getattr(revisits, name)(clock.now()))))
            for name, call in reads:
                try:
                    run(name, call)
                except Exception as exc:  # a read this build lacks is reported, not fatal
                    print(f"{name}: {exc.__class__.__name__}: {exc}")
            raise Rollback
    except Rollback:
        pass

    print(f"\n{'index':<46} reads whose plan uses it")
    for name in sorted(set(indexes) | {k for k in used if k.endswith("(rowid)")},
                       key=lambda n: (indexes.get(n, n.split()[0]), n)):
        readers = sorted(used.get(name, ()))
        table = indexes.get(name, name.split()[0]).removeprefix("demands_").removeprefix("people_")
        shown = ", ".join(readers[:8]) + (f" … (+{len(readers) - 8})" if len(readers) > 8 else "")
        print(f"{table + '.' + name:<46} {len(readers):3d}  {shown or '—'}")
    print("\nscans without an index:")
    for name, lines in sorted(scans.items()):
        print(f"  {name}: {'; '.join(sorted(lines))}")
    if timings:
        print(f"\n{'median ms':<50} {'wall':>8} {'cpu':>8}")
        for name, (wall, cpu) in timings.items():
            print(f"  {name:<48} {wall:8.1f} {cpu:8.1f}")


if __name__ == "__main__":
    main()
