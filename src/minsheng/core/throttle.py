"""Counting attempts: failed ones, so that a 4-digit secret cannot be guessed by trying them
all, and all of them, so that one integration cannot flood the service.

Counts live in Django's cache (per process with the default local-memory cache; configure a
shared cache such as Redis or the database cache when running several processes).
"""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import MinshengError


class TooManyAttempts(MinshengError):
    code = "too_many_attempts"
    status = 429

    def __init__(self, message, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def check_not_locked(scope: str, key: str, limit: int) -> None:
    if cache.get(f"throttle:{scope}:{key}", 0) >= limit:
        raise TooManyAttempts(_("尝试次数过多，请稍后再试。"))


def _count(name: str, ttl: int) -> int:
    """Add one to a counter that lives ``ttl`` seconds from its first count; the new value."""
    if cache.add(name, 1, ttl):
        return 1
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, ttl)
        return 1


def record_failure(scope: str, key: str, window_seconds: int) -> None:
    _count(f"throttle:{scope}:{key}", window_seconds)


def check_rate(scope: str, key: str, limit: int, window_seconds: int = 60) -> None:
    """Count one request in the current fixed window; refuse once ``limit`` is passed, saying
    how many seconds remain until the window ends."""
    now = time.time()
    window = int(now // window_seconds)
    if _count(f"rate:{scope}:{key}:{window}", window_seconds + 1) > limit:
        retry_after = max(1, int((window + 1) * window_seconds - now + 0.999))
        raise TooManyAttempts(_("请求过于频繁，请在 %(n)d 秒后重试。") % {"n": retry_after}, retry_after=retry_after)
