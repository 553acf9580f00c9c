"""Memory and time of the staff list's Excel export at 100,000 rows (not part of the test run).

    .venv/bin/python bench/bench_export.py [--rows 100000]

Creates the rows in a throwaway SQLite database (the export reads the list; the workflow is not
measured here), exports them through ``minsheng.core.exports.write_xlsx`` with the same row
generator as the web page, and prints the time and the peak of Python memory allocations
(tracemalloc) for the export alone.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="minsheng-bench-export-")
    os.environ["MINSHENG_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from minsheng.assessment.exports import demand_export_headers, demand_export_rows
    from minsheng.catalogue.models import DemandType, TimeLimitPolicy
    from minsheng.core import clock
    from minsheng.core.exports import write_xlsx
    from minsheng.demands.models import Demand
    from minsheng.organisation.models import Region

    region = Region.objects.create(kind="district", name="基准区", code="BENCH")
    kind, urgency, now = DemandType.objects.first(), TimeLimitPolicy.objects.first(), clock.now()
    for start in range(0, args.rows, 5000):
        Demand.objects.bulk_create([
            Demand(number=f"B{i:09d}", channel="hotline", demand_type=kind, urgency=urgency, state="registered",
                   title=f"基准诉求第{i}件", description="内容", region=region,
                   registered_at=now - timedelta(seconds=i), updated_at=now)
            for i in range(start, min(start + 5000, args.rows))])
    queryset = Demand.objects.order_by("-registered_at", "-pk")
    tracemalloc.start()
    began = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        written = write_xlsx(target, demand_export_headers(), demand_export_rows(queryset))
        size = target.tell()
    seconds = time.perf_counter() - began
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"rows={written} seconds={seconds:.1f} rows_per_s={written / seconds:,.0f} "
          f"xlsx_mb={size / 2**20:.1f} peak_python_mb={peak / 2**20:.1f}")


if __name__ == "__main__":
    main()
