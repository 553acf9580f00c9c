"""How often a person in difficulty is visited: the health risk level sets the interval
(settings.MINSHENG_CARE_VISIT_INTERVALS, e.g. {"high": "1w", "medium": "1m", "low": "3m"}:
N days "d", weeks "w" or calendar months "m")."""

import calendar
import re
from datetime import date, timedelta

from django.conf import settings

_INTERVAL = re.compile(r"^\s*(\d+)\s*([dwm])\s*$")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has none (31 Jan + 1m = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_interval(text: str) -> tuple[int, str]:
    match = _INTERVAL.match(str(text))
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"a visit interval is N followed by d, w or m (e.g. '1w', '3m'), not {text!r}")
    return int(match.group(1)), match.group(2)


def interval_for(risk: str) -> tuple[int, str]:
    return parse_interval(settings.MINSHENG_CARE_VISIT_INTERVALS[risk])


def next_due(last: date, risk: str) -> date:
    """When the next visit is due after a visit (or the registration) on ``last``."""
    amount, unit = interval_for(risk)
    if unit == "m":
        return add_months(last, amount)
    return last + timedelta(days=amount * (7 if unit == "w" else 1))


def schedule(start: date, risk: str, until: date) -> list[date]:
    """The due dates after ``start`` up to ``until`` when every visit is made on its due date."""
    dates = []
    due = next_due(start, risk)
    while due <= until:
        dates.append(due)
        due = next_due(due, risk)
    return dates
