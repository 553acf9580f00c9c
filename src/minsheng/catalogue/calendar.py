"""Working days and deadlines.

Working days follow the official Chinese holiday calendar with its make-up working days
(the chinese-calendar package), overridden by local ``CalendarOverride`` rows.  For a year
the package does not know yet, Monday to Friday count as working days until an
administrator enters that year's holidays as overrides.

A limit in working days ends at the same clock time on the Nth working day after the
start date (a demand dispatched on Friday 15:00 with 1 working day is due Monday 15:00;
one dispatched on a holiday counts from the next working day).  A limit in hours runs
on the clock, holidays included.
"""

from datetime import date, datetime, timedelta

import chinese_calendar
from django.utils import timezone

from .models import CalendarOverride, TimeLimitPolicy

# The longest run of rest days we expect (Spring Festival plus weekends), with margin:
# the override look-up for a deadline covers this window in one query.
_MAX_GAP_DAYS = 20


def _official_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides_between(day, day)
    if day in overrides:
        return overrides[day]
    return _official_workday(day)


def _overrides_between(first: date, last: date) -> dict[date, bool]:
    rows = CalendarOverride.objects.filter(date__range=(first, last)).values_list("date", "is_workday")
    return dict(rows)


def add_workdays(start: datetime, days: int) -> datetime:
    """The same local clock time on the ``days``-th working day after ``start``'s date."""
    if days < 0:
        raise ValueError("days must not be negative")
    local = timezone.localtime(start)
    overrides = _overrides_between(local.date(), local.date() + timedelta(days=days * 2 + _MAX_GAP_DAYS))
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def handling_deadlines(policy: TimeLimitPolicy, start: datetime) -> tuple[datetime, datetime]:
    """(contact due, handling due) for a demand dispatched at ``start`` under ``policy``."""
    contact_due = start + timedelta(hours=policy.contact_hours)
    if policy.handle_unit == TimeLimitPolicy.LimitUnit.HOURS:
        handle_due = start + timedelta(hours=policy.handle_amount)
    else:
        handle_due = add_workdays(start, policy.handle_amount)
    return min(contact_due, handle_due), handle_due
