"""Excel exports of any list, written row by row so that a large export needs constant memory.

openpyxl's write-only workbook keeps each sheet's rows in a temporary file on disk, and the
finished workbook goes to the client from another temporary file, so neither the rows nor the
workbook are ever held in memory whole.
"""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_TITLE = 31  # Excel's limit
# A text starting with one of these is read as a formula by spreadsheets once the cell is edited,
# or when the sheet is saved as CSV and opened again (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        if isinstance(value, datetime) and timezone.is_aware(value):
            # Excel has no time zones: show the time people read on the pages (Beijing time).
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return neutralise(str(value))


def _cell(sheet, value: Any, *, bold: bool = False) -> Any:
    """What ``sheet.append`` gets for ``value``: the plain value where openpyxl's own typing is
    right (most cells: a cell object per value cost a third of a large export's time), a cell
    object only where it must be told something."""
    value = _cell_value(value)
    if isinstance(value, str):
        # Characters a worksheet cannot hold (a NUL pasted into a form) are dropped, not refused.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # A text such as "=HYPERLINK(…)" typed by a resident stays text, never a formula: it is
        # neutralised above (no text starts with "="), and a text that reads as an error code
        # ("#N/A") is told to be text.
        if bold or value in ERROR_CODES:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            if bold:
                cell.font = Font(bold=True)
            return cell
    return value


def write_xlsx(target, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "") -> int:
    """Write one sheet with a bold header row and ``rows`` to ``target`` (a path or a binary
    file); returns the number of data rows written.  ``rows`` may be any iterable, e.g. a
    queryset's ``.iterator()``, and is consumed once."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(sheet_title or "Sheet1")[:MAX_SHEET_TITLE])
    # Set before the rows (a write-only sheet writes its columns first): widths from the headers,
    # the header row frozen, and a filter on every column over all the rows written.
    for index, header in enumerate(headers, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(str(header))
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, str(h), bold=True) for h in headers])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    workbook.save(target)
    return count


def column_width(header: str) -> float:
    """A column wide enough for its header (a Chinese character is two columns wide) and for a
    date and time, at most 40 (longer texts wrap when opened)."""
    text = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return float(min(max(text + 4, 18), 40))


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  sheet_title: str = "") -> FileResponse:
    """A download of ``rows`` as ``filename`` (.xlsx), streamed from a temporary file."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when sent)
    write_xlsx(spool, headers, rows, sheet_title=sheet_title)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
