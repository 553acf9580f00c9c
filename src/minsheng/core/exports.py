"""Excel exports of any list, written row by row so that a large export needs constant memory.

XlsxWriter's ``constant_memory`` mode writes each row to a temporary file (in a temporary
directory of the export's own) as soon as the next one starts, and the finished workbook goes to
the client from another temporary file, so neither the rows nor the workbook are ever held in
memory whole.  Every value is written with the writer of its type (never ``write``, which would
guess formulas, links and numbers in texts): texts as texts, numbers as numbers, dates as dates.
"""

import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_TITLE = 31  # Excel's limit, in UTF-16 units
MAX_ROWS = 1_048_576  # a sheet's rows, the header's included
MAX_TEXT = 32_767  # a cell's text, in UTF-16 units (a longer one is cut, as Excel does)
# A text starting with one of these is read as a formula by spreadsheets once the cell is edited,
# or when the sheet is saved as CSV and opened again (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a worksheet cannot hold (XML 1.0 has no place for them; tab, line feed and carriage
# return are kept): a NUL pasted into a form is dropped, not refused.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"
# Nothing in a text is taken for a formula, a link or a number (only ``write`` reads them, and it
# is not used; set all the same); a NaN or an infinity becomes Excel's error value, not a refusal.
_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "nan_inf_to_errors": True}


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value: Any) -> str:
    """What a cell shows for a text: illegal characters dropped, then neutralised (in this order:
    "\\x01=1" must not become "=1"), line breaks as line feeds.  A carriage return would be
    written as "_x000D_", which Excel reads back but openpyxl (the imports) does not: a form's
    "\\r\\n" became "\\n" for every reader of the workbooks openpyxl wrote, and still does."""
    text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _safe_title(title: str) -> str:
    """A title Excel accepts: none of ``[]:*?/\\`` (each becomes "_"), no apostrophe at either end,
    at most 31 UTF-16 units, "Sheet1" when nothing is left."""
    title = _SHEET_TITLE_FORBIDDEN.sub("_", str(title)).strip("'")
    while len(title.encode("utf-16-le")) > 2 * MAX_SHEET_TITLE:
        title = title[:-1].rstrip("'")
    return title or "Sheet1"


class _Sheet:
    """One worksheet and a writer per type of value, chosen by the value's exact type (one dict
    look-up a cell), by ``isinstance`` for anything else (a lazy translation, an enum)."""

    def __init__(self, book, title: str):
        self.worksheet = book.add_worksheet(_safe_title(title))
        self.bold = book.add_format({"bold": True})
        self.date_format = book.add_format({"num_format": DATE_FORMAT})
        self.datetime_format = book.add_format({"num_format": DATETIME_FORMAT})
        self.zone = timezone.get_current_timezone()  # looked up once, not per cell
        ws = self.worksheet
        self.by_type = {
            str: self.put_text,
            int: ws.write_number,
            float: ws.write_number,
            bool: ws.write_boolean,
            Decimal: self.put_decimal,
            date: self.put_date,
            datetime: self.put_datetime,
        }

    def put_text(self, row: int, col: int, value: Any, cell_format=None) -> None:
        text = _text(value)
        if text.startswith("<r>") and text.endswith("</r>"):
            # In constant_memory mode XlsxWriter writes a string that looks like this as raw rich
            # text XML; as fragments of a rich string it is escaped like any text.
            if len(text.encode("utf-16-le")) <= 2 * MAX_TEXT:
                fragments = [text[:1], text[1:-1], text[-1:]]
                self.worksheet.write_rich_string(row, col, *fragments, *([cell_format] if cell_format else []))
                return
            text = text[:-1]  # longer than a cell holds: its end is cut off below anyway
        self.worksheet.write_string(row, col, text, cell_format)  # cut at MAX_TEXT if longer

    def put_decimal(self, row: int, col: int, value: Decimal) -> None:
        self.worksheet.write_number(row, col, float(value))

    def put_date(self, row: int, col: int, value: date) -> None:
        self.worksheet.write_datetime(row, col, value, self.date_format)

    def put_datetime(self, row: int, col: int, value: datetime) -> None:
        if timezone.is_aware(value):
            # Excel has no time zones: show the time people read on the pages (Beijing time).
            value = value.astimezone(self.zone).replace(tzinfo=None)
        self.worksheet.write_datetime(row, col, value, self.datetime_format)

    def put_other(self, row: int, col: int, value: Any) -> None:
        if isinstance(value, bool):
            self.worksheet.write_boolean(row, col, value)
        elif isinstance(value, int | float | Decimal):
            self.worksheet.write_number(row, col, float(value))
        elif isinstance(value, datetime):
            self.put_datetime(row, col, value)
        elif isinstance(value, date):
            self.put_date(row, col, value)
        else:  # a text of any kind, a time, a UUID…: its text
            self.put_text(row, col, value)

    def write_row(self, row: int, values: Sequence[Any]) -> None:
        by_type, put_other = self.by_type, self.put_other
        for col, value in enumerate(values):
            if value is not None:  # None is an empty cell
                by_type.get(value.__class__, put_other)(row, col, value)


def write_xlsx(target, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "") -> int:
    """Write one sheet with a bold header row and ``rows`` to ``target`` (a path or a binary
    file); returns the number of data rows written.  ``rows`` may be any iterable, e.g. a
    queryset's ``.iterator()``, and is consumed once.  More rows than a sheet holds raise
    ``ValueError`` (nothing is written to ``target`` then)."""
    with tempfile.TemporaryDirectory(prefix="minsheng-xlsx-") as spool:
        book = xlsxwriter.Workbook(target, {**_OPTIONS, "tmpdir": spool})
        sheet = _Sheet(book, sheet_title)
        worksheet = sheet.worksheet
        # Widths from the headers, the header row frozen, and (once the rows are written) a filter
        # on every column over all of them.
        for col, header in enumerate(headers):
            worksheet.set_column(col, col, column_width(str(header)))
            sheet.put_text(0, col, header, sheet.bold)
        worksheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, 1):
            if count >= MAX_ROWS:
                raise ValueError(f"more than {MAX_ROWS - 1:,} rows do not fit in one sheet")
            sheet.write_row(count, row)
        if headers:
            worksheet.autofilter(0, 0, count, len(headers) - 1)
        book.close()
    return count


def column_width(header: str) -> float:
    """A column wide enough for its header (a Chinese character is two columns wide) and for a
    date and time, at most 40 (longer texts wrap when opened).  In Excel's units, as its column
    width box shows them (the file stores them with the cell's padding added)."""
    text = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return float(min(max(text + 4, 18), 40))


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  sheet_title: str = "") -> FileResponse:
    """A download of ``rows`` as ``filename`` (.xlsx), streamed from a temporary file."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when sent)
    write_xlsx(spool, headers, rows, sheet_title=sheet_title)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
