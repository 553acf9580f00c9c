"""The one source of "now" for business rules.

Services ask ``now()`` instead of calling ``timezone.now()`` directly so that the demo
generator can replay a year of history through the real services, with each event at
its historical time.
"""

import contextlib
import threading
from collections.abc import Iterator
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

_local = threading.local()


def now() -> datetime:
    frozen = getattr(_local, "frozen", None)
    return frozen if frozen is not None else timezone.now()


def today() -> date:
    """Today where the product is used (``TIME_ZONE``), by ``now()``: the UTC clock's own date is
    the day before for the first eight hours of a day in Beijing."""
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make ``now()`` return ``moment`` in this thread for the duration of the block."""
    if timezone.is_naive(moment):
        raise ValueError("frozen_at needs an aware datetime")
    previous = getattr(_local, "frozen", None)
    _local.frozen = moment
    try:
        yield
    finally:
        _local.frozen = previous


def parse_moment(text: str, *, naive_is_local: bool = True) -> datetime | None:
    """An ISO 8601 date and time from outside, as an aware datetime.  None when it is malformed
    or impossible (month 13), or when it has no offset and ``naive_is_local`` is False;
    otherwise a time without an offset is local time."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None or not timezone.is_naive(moment):
        return moment
    return timezone.make_aware(moment) if naive_is_local else None
