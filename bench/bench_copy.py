"""Import rate on PostgreSQL: bulk inserts through COPY (this branch) against executemany (before),
alternating in one process on the same database, so both see the same load.

    scripts/with-postgres.sh .venv/bin/python bench/bench_copy.py [ROWS] [ROUNDS]   # on a generated database
"""
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "minsheng.settings"
os.environ.setdefault("MINSHENG_LOG_LEVEL", "WARNING")
import django  # noqa: E402

django.setup()
from itertools import islice  # noqa: E402

from bench_scale import import_rows  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

from minsheng.core import bulk  # noqa: E402
from minsheng.demands.imports import import_demands  # noqa: E402

copy_insert_values = bulk.insert_values

def executemany_insert_values(model, rows, batch_size=5000, *, columns=None):
    conn = bulk._writing(model)
    fields = bulk._fields(model) if columns is None else [model._meta.get_field(n) for n in columns]
    q = conn.ops.quote_name
    sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    rows = iter(rows)
    with conn.cursor() as cur:
        while batch := list(islice(rows, batch_size)):
            cur.executemany(sql, batch)

user = get_user_model().objects.get(username="admin")
rng = random.Random(11)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
results = {"copy": [], "executemany": []}
for r in range(rounds):
    for name, impl in (("executemany", executemany_insert_values), ("copy", copy_insert_values)):
        bulk.insert_values = impl
        import minsheng.demands.imports as _imports
        import minsheng.routing.duplicates as _duplicates
        _imports.insert_values = _duplicates.insert_values = impl
        rows = import_rows(n, rng)
        t0, c0 = time.perf_counter(), time.process_time()
        import_demands(user, rows)
        wall = time.perf_counter() - t0
        results[name].append(n / wall)
        print(f"round {r + 1} {name:<12} {n} rows in {wall:6.1f} s wall: {n / wall:7.0f} demands/s "
              f"(this process's CPU {time.process_time() - c0:5.1f} s) load {os.getloadavg()[0]:.1f}", flush=True)
for name, rates in results.items():
    print(f"{name}: best {max(rates):.0f}/s, all {[round(x) for x in rates]}")
