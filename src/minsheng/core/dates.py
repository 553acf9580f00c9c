"""Dates and years from outside (query strings, forms, API fields), held to the range the
platform can work with.

Python's dates end at the year 9999 and start at 1, and a month's bounds, a window of 90 days
or a time zone's offset pushed past either end fail with OverflowError deep inside a view:
a 500 for a typo in a query string.  Every entry point reads its dates through these helpers,
so a date outside ``MINSHENG_EARLIEST_YEAR``–``MINSHENG_LATEST_YEAR`` is refused with a clear
message naming the field."""

from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ValidationFailed


def year_bounds() -> tuple[int, int]:
    return settings.MINSHENG_EARLIEST_YEAR, settings.MINSHENG_LATEST_YEAR


def year_in_range(year: int) -> bool:
    earliest, latest = year_bounds()
    return earliest <= year <= latest


def _out_of_range(field: str, value: object) -> ValidationFailed:
    earliest, latest = year_bounds()
    return ValidationFailed.for_field(field, _("“%(value)s”超出可处理的年份范围（%(earliest)d–%(latest)d）。")
                                      % {"value": value, "earliest": earliest, "latest": latest})


def check_year(year: int, field: str = "year") -> int:
    if not year_in_range(year):
        raise _out_of_range(field, year)
    return year


def parse_year(text: str | None, default: int, field: str = "year") -> int:
    """A year from a query string: ``default`` when empty, refused when not a year in range."""
    text = (text or "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()):
        raise ValidationFailed.for_field(field, _("年份“%(value)s”格式不对，应为如 2026。") % {"value": text})
    return check_year(int(text), field)


def parse_month(text: str, field: str = "month") -> date:
    """The first day of the month ``YYYY-MM`` names; refused when malformed or out of range."""
    try:
        year, month = (int(p) for p in text.strip().split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise ValidationFailed.for_field(field, _("月份“%(value)s”格式不对，应为如 2026-03。")
                                         % {"value": text}) from None
    check_year(first.year, field)
    return first


def parse_date(text: str, field: str) -> date:
    """A date ``YYYY-MM-DD``; refused when malformed or out of range."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed.for_field(field, _("请填写正确的日期（如 2026-03-01）。")) from None
    return check_date(day, field)


def check_date(value: date | datetime, field: str) -> date | datetime:
    """``value`` unchanged when its year is in range; a refusal naming ``field`` otherwise."""
    if not year_in_range(value.year):
        raise _out_of_range(field, value.isoformat())
    return value
