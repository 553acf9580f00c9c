"""Import of a big resident register (Shuncheng keeps 600,000 records) and search among it.

    .venv/bin/python bench/bench_registers.py                       # 600,000 rows, SQLite in a temp dir
    .venv/bin/python bench/bench_registers.py --rows 50000          # a smaller run
    scripts/with-postgres.sh .venv/bin/python bench/bench_registers.py   # the same on PostgreSQL

Steps timed, each through the real code: writing the generated workbook (openpyxl, write-only;
not part of the product's path), reading and checking every row (``parse_register``: phones, ID
numbers, region codes, tags, duplicates in the file and against the register), writing the rows
with one history entry each (``write_rows``, one transaction), and searches by name, full phone,
the last four digits of a phone and part of an address, as a community worker sees them (scoped).
The preview's JSON storage is skipped: for a file this size the rows go straight from the check
to the write, as ``commit_import`` would write them.
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰文辉建国志红"


def _workbook(path: Path, rows: int, buildings: list[str]) -> None:
    from openpyxl import Workbook

    from minsheng.grids.registers import headers

    rng = random.Random(12)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers("resident"))
    for i in range(rows):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        building = buildings[i % len(buildings)]
        sheet.append([name, f"13{i % 7 + 3}{i:08d}", "", f"新城区{building}{i % 6 + 1}单元{i % 30 + 101}室",
                      building, "独居老人" if i % 50 == 0 else ""])
    book.save(path)


def _timed(label: str, fn, repeat: int = 1):
    started = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    elapsed = (time.perf_counter() - started) / repeat
    print(f"{label:<58} {elapsed * 1000:10.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from minsheng.demo.city import build_city
    from minsheng.grids import registers
    from minsheng.people.models import Resident

    call_command("migrate", "--no-input", verbosity=0)
    with transaction.atomic():
        city, _ = build_city()
    buildings = [b.code for grid in city.grids for b in city.buildings[grid.pk]]
    admin = get_user_model().objects.get(username="admin")
    staff = get_user_model().objects.get(username="community")  # 玫瑰城社区: 1/15 of the district
    print(f"database: {connection.vendor}; rows: {args.rows:,}; buildings: {len(buildings)}")

    path = Path(tempfile.mkdtemp(prefix="minsheng-bench-xlsx-")) / "residents.xlsx"
    _timed("generate the workbook (openpyxl write-only)", lambda: _workbook(path, args.rows, buildings))
    print(f"{'workbook size':<58} {path.stat().st_size / 1e6:10.1f} MB")
    paths = registers.territory_paths(admin, registers.REGISTER_KEEPERS)
    started = time.perf_counter()
    parsed = registers.parse_register("resident", registers.read_workbook(path), paths)
    parse_s = time.perf_counter() - started
    print(f"{'read and check every row (parse_register)':<58} {parse_s * 1000:10.1f} ms")
    assert not parsed.errors, parsed.errors[:3]

    def write():
        with transaction.atomic():
            return registers.write_rows(admin, "resident", parsed.rows, source="bench")

    started = time.perf_counter()
    created, _updated = write()
    write_s = time.perf_counter() - started
    print(f"{'write rows + history (write_rows, one transaction)':<58} {write_s * 1000:10.1f} ms")
    print(f"{'import in total (check + write)':<58} {(parse_s + write_s):10.1f} s   "
          f"({args.rows / (parse_s + write_s):,.0f} rows/s)")
    assert created == args.rows and Resident.objects.count() >= args.rows
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    sample = Resident.objects.filter(region__code=buildings[0]).order_by("pk")[7]
    print(f"searching as {staff.username} (scoped to one community) and as admin:")
    for who in (staff, admin):
        for label, query in (("name", sample.name), ("full phone", sample.phone), ("phone last 4", sample.phone[-4:]),
                             ("address part", sample.address[-8:])):
            def search(query=query, who=who):
                return list(registers.search_register(who, "resident", query)[:25])

            found = _timed(f"  {who.username:<9} by {label:<13} first page of 25", search, repeat=5)
            assert found, (label, query)


if __name__ == "__main__":
    main()
