"""Import demands from a CSV or Excel file: every row is checked first, and a file with any bad
row is refused whole (each problem is listed with its row number)."""

import csv
import time
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from minsheng.core.errors import MinshengError
from minsheng.demands.imports import COLUMNS, ImportRefused, import_demands


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """The file's rows as dicts keyed by its header (see imports.COLUMNS)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        for values in rows:
            if any(v not in (None, "") for v in values):
                yield {h: ("" if v is None else str(v)) for h, v in zip(header, values, strict=False)}
        return
    with path.open(encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)


class Command(BaseCommand):
    help = (f"Import demands from a CSV (UTF-8) or .xlsx file with the columns {', '.join(COLUMNS)}; "
            "all rows are registered in one transaction, or none if any row is bad.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of the staff member registering them")

    def handle(self, *args, file: Path, user: str, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        started = time.perf_counter()
        try:
            result = import_demands(actor, read_rows(file))
        except ImportRefused as exc:
            for error in exc.row_errors:
                self.stderr.write(f"row {error.line} {error.field}: {error.message}")
            raise CommandError(exc.message) from None
        except MinshengError as exc:
            raise CommandError(exc.message) from None
        seconds = time.perf_counter() - started
        self.stdout.write(f"imported={len(result.demands)} events={len(result.events)} seconds={seconds:.2f} "
                          f"first={result.demands[0].number} last={result.demands[-1].number}")
