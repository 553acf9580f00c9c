"""The one source of "now" for business rules.

Services ask ``now()`` instead of calling ``timezone.now()`` directly so that the demo
generator can replay a year of history through the real services, with each event at
its historical time.
"""

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_local = threading.local()


def now() -> datetime:
    frozen = getattr(_local, "frozen", None)
    return frozen if frozen is not None else timezone.now()


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
