"""CPU time of ``minsheng.core.exports.write_xlsx`` for one page-sized export (not part of the test run).

    .venv/bin/python bench/bench_write_xlsx.py [--rows 1080] [--repeat 7] [--library-only]

Writes ``--rows`` rows of 8 mixed columns (a number as text, a name, a date, an aware datetime, a
Decimal, an int, a label and a free text, sometimes empty) to a temporary file, as the canteen
statement's and the assessment drill-down's exports do, and prints the median process time
(``time.process_time``: the CPU a request spends on it) of ``--repeat`` runs after one warm-up.
No database is used.  ``--library-only`` times XlsxWriter alone on the same cells (its typed
writers called directly, none of our checks, formats or filter): the floor our writer stands on.
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


def library_only(target, headers: list[str], rows: list[list]) -> int:
    """The same cells through XlsxWriter's typed writers and nothing else (constant-memory mode,
    as ``write_xlsx``): texts as texts, numbers as numbers, dates and times with a format."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet, when = book.add_worksheet(), book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, 1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, col, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(r, col, float(value))
            else:
                sheet.write_datetime(r, col, value.replace(tzinfo=None) if isinstance(value, datetime) else value,
                                     when)
    book.close()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1080)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--library-only", action="store_true", help="XlsxWriter alone on the same cells")
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
            if args.library_only:
                written = library_only(target, headers, rows)
            else:
                written = write_xlsx(target, headers, iter(rows), sheet_title="助餐补贴明细")
            spent = time.process_time() - began
            size = target.tell()
        if run:  # the first run warms up (imports, caches)
            times.append(spent * 1000)
    writer = "XlsxWriter alone" if args.library_only else "write_xlsx"
    print(f"{writer} {written:,} rows x {len(headers)} columns: median {statistics.median(times):.1f} ms CPU "
          f"(min {min(times):.1f}, max {max(times):.1f}, {args.repeat} runs), {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
