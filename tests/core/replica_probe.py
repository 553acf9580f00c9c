"""Run by tests/core/test_replica_streaming.py inside scripts/with-postgres-replica.sh: a real
primary and streaming replica, the real middleware stack, and which connection ran what."""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402


def demand_reads(alias: str) -> int:
    return sum('"demands_demand"' in q["sql"] for q in connections[alias].queries)


def reset() -> None:
    for alias in ("default", "replica"):
        connections[alias].queries_log.clear()


call_command("migrate", verbosity=0)
# The standby replays the migrations streamed from the primary.
deadline = time.monotonic() + 60
while True:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.demands_demand') IS NOT NULL")
        if cursor.fetchone()[0]:
            break
    if time.monotonic() > deadline:
        sys.exit("the replica never received the schema")
    time.sleep(0.2)
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_is_in_recovery()")
    assert cursor.fetchone()[0], "DATABASE_REPLICA_URL is not a standby"

for alias in ("default", "replica"):
    connections[alias].force_debug_cursor = True
client = Client(HTTP_HOST="127.0.0.1")
reset()
assert client.get("/reports/").status_code == 200
assert demand_reads("replica") > 0 and demand_reads("default") == 0, "the public board should read the replica"

reset()
assert client.get("/submit/").status_code == 200
assert demand_reads("replica") == 0 and not connections["replica"].queries, "other pages read the primary"

reset()  # a write by this client: its next pages read the primary
assert client.post("/i18n/setlang/", {"language": "en", "next": "/reports/"}).status_code == 302
assert client.get("/reports/").status_code == 200
assert demand_reads("replica") == 0 and demand_reads("default") > 0, "read-your-writes: the primary"
print("replica probe: ok")
