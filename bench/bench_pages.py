"""Server-side render time of every page, on the demo city.

    .venv/bin/python bench/bench_pages.py                       # seeds a demo city in a temp dir first (~90 s)
    MINSHENG_DATA_DIR=data .venv/bin/python bench/bench_pages.py # reuse the `make demo` database

Each page is requested in-process through Django's test client (middleware, view, queries,
template; no network), REPEAT times per role that uses it.  The target is that no page takes
more than 200 ms; the last line says whether every page met it.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("MINSHENG_DATA_DIR", tempfile.mkdtemp(prefix="minsheng-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "minsheng.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from minsheng.demands.models import Demand
    from minsheng.demands.selectors import demands_visible_to

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", "--no-input", verbosity=0)
    if Demand.objects.count() < 5000:
        call_command("seed_demo", verbosity=0)
    print(f"demands={Demand.objects.count()} repeat={args.repeat}")

    users = get_user_model().objects
    tracked = Demand.objects.filter(reporter__isnull=False).order_by("-pk").select_related("reporter").first()
    pages: list[tuple[str, str | None, str, str, dict]] = [
        ("home", None, "get", "/", {}),
        ("submit form", None, "get", "/submit/", {}),
        ("track lookup", None, "post", "/track/",
         {"number": tracked.number, "phone_last4": tracked.reporter.phone[-4:]}),
        ("grid map geojson", None, "get", "/map/grids.geojson", {}),
    ]
    for role in ("operator", "dispatcher", "handler", "community", "grid", "agent", "leader"):
        user = users.get(username=role)
        sample = demands_visible_to(user).order_by("-registered_at").first()
        pages += [(f"queue ({role})", role, "get", "/work/", {}),
                  (f"list ({role})", role, "get", "/work/demands/", {}),
                  (f"list filtered ({role})", role, "get", "/work/demands/", {"state": "closed", "sort": "deadline"}),
                  (f"overview ({role})", role, "get", "/work/overview/", {})]
        if sample:
            pages.append((f"demand ({role})", role, "get", f"/work/demands/{sample.pk}/", {}))
    pages += [("large screen (leader)", "leader", "get", "/work/screen/", {}),
              ("large screen live part (leader)", "leader", "get", "/work/screen/", {"part": "live"}),
              ("unit picker ?q= (dispatcher)", "dispatcher", "get", "/work/units/", {"q": "局"}),
              ("reply templates (admin)", "admin", "get", "/work/replies/", {}),
              ("intake (operator)", "operator", "get", "/work/intake/", {}),
              ("resident lookup (operator)", "operator", "get", "/work/intake/resident/",
               {"phone": tracked.reporter.phone})]
    # Integrations: Open311 documents (the default request list is 90 days, up to 1000 results)
    # and the JSON API with the operator's session.
    pages += [("open311 services.json", None, "get", "/open311/v2/services.json", {}),
              ("open311 requests.json (≤1000)", None, "get", "/open311/v2/requests.json", {}),
              ("open311 requests.xml (≤1000)", None, "get", "/open311/v2/requests.xml", {}),
              ("open311 request.json", None, "get", f"/open311/v2/requests/{tracked.number}.json", {}),
              ("open311 updates.json", None, "get", "/open311/v2/servicerequestupdates.json", {}),
              ("api demands ?limit=200 (operator)", "operator", "get", "/api/demands", {"limit": 200}),
              ("api demand (operator)", "operator", "get", f"/api/demands/{tracked.number}", {})]
    settings.MINSHENG_OPEN311_PUBLIC_RATE = settings.MINSHENG_API_SESSION_RATE = 1_000_000

    worst = 0.0
    for name, role, method, url, data in pages:
        client = Client()
        if role:
            client.force_login(users.get(username=role))
        samples = []
        for _ in range(args.repeat + 1):
            started = time.perf_counter()
            response = getattr(client, method)(url, data)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        samples = sorted(samples[1:])  # the first request warms caches
        worst = max(worst, samples[-1])
        print(f"{name:<32} p50={statistics.median(samples):7.1f} ms  max={samples[-1]:7.1f} ms")
    print(f"pages={len(pages)} worst={worst:.1f} ms target={TARGET_MS} ms {'MET' if worst <= TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
