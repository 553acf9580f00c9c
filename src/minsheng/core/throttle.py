"""Counting failed attempts, so that a 4-digit secret cannot be guessed by trying them all.

Counts live in Django's cache (per process with the default local-memory cache; configure a
shared cache such as Redis or the database cache when running several processes).
"""

from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import MinshengError


class TooManyAttempts(MinshengError):
    code = "too_many_attempts"
    status = 429


def check_not_locked(scope: str, key: str, limit: int) -> None:
    if cache.get(f"throttle:{scope}:{key}", 0) >= limit:
        raise TooManyAttempts(_("尝试次数过多，请稍后再试。"))


def record_failure(scope: str, key: str, window_seconds: int) -> None:
    name = f"throttle:{scope}:{key}"
    if not cache.add(name, 1, window_seconds):
        try:
            cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, window_seconds)
