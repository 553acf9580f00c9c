"""CPU time of ``minsheng.core.exports.write_xlsx`` for one page-sized export (not part of the test run).

    .venv/bin/python bench/bench_write_xlsx.py [--rows 1080] [--repeat 7]

Writes ``--rows`` rows of 8 mixed columns (a number as text, a name, a date, an aware datetime, a
Decimal, an int, a label and a free text, sometimes empty) to a temporary file, as the canteen
statement's and the assessment drill-down's exports do, and prints the median process time
(``time.process_time``: the CPU a request spends on it) of ``--repeat`` runs after one warm-up.
No database is used.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def _rows(count: int) -> list[list]:
    utc, start = ZoneInfo("UTC"), datetime(2026, 11, 1, 4, 0)
    return [[f"2026110100{i:04d}", f"张三{i}", date(2026, 11, 1 + i % 30),
             (start + timedelta(minutes=37 * i)).replace(tzinfo=utc), Decimal("12.50"), i % 4,
             "政府补贴" if i % 3 else "集体补贴", None if i % 5 == 0 else f"备注：第{i}份午餐送到家"]
            for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1080)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from minsheng.core.exports import write_xlsx

    headers = ["编号", "姓名", "日期", "送达时间", "金额", "份数", "补贴", "备注"]
    rows = _rows(args.rows)
    times = []
    for run in range(args.repeat + 1):
        with tempfile.TemporaryFile() as target:
            began = time.process_time()
            written = write_xlsx(target, headers, iter(rows), sheet_title="助餐补贴明细")
            spent = time.process_time() - began
            size = target.tell()
        if run:  # the first run warms up (imports, caches)
            times.append(spent * 1000)
    print(f"write_xlsx {written:,} rows x {len(headers)} columns: median {statistics.median(times):.1f} ms CPU "
          f"(min {min(times):.1f}, max {max(times):.1f}, {args.repeat} runs), {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
