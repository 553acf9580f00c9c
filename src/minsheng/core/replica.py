"""Reads of the heavy pages from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``).

Dashboards, assessment tables, reports, exports and public boards read a lot and write nothing
that they read back, so a replica can take their load off the primary, which keeps every write
and every other read.  The choice is made per request:

- only GET and HEAD requests of the views named in ``MINSHENG_REPLICA_VIEWS`` read from the
  replica, and only when one is configured (``settings.MINSHENG_REPLICA`` is its alias);
- a request that writes anything reads from the primary from then on (its own writes are not
  yet on the replica), and so does every request of a client that wrote in the last
  ``MINSHENG_REPLICA_STICKY_SECONDS`` (a cookie set by any successful POST, PUT, PATCH or
  DELETE), so that someone who just acted sees it on the next page;
- sessions, accounts, permissions, second factors, lockouts and the audit log are always read
  from the primary: a session written a moment ago must never look missing.

Streaming replication is PostgreSQL's own; nothing here copies data.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from django.conf import settings

PRIMARY = "default"
STICKY_COOKIE = "minsheng_wrote"
SAFE_METHODS = ("GET", "HEAD")
# Apps whose rows decide who the user is and what they may do: always read from the primary.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "contenttypes", "admin", "axes", "otp_totp", "otp_static",
                               "two_factor", "audit", "people", "django_tasks_db"})

_reading_replica: ContextVar[bool] = ContextVar("minsheng_reading_replica", default=False)


def replica_alias() -> str | None:
    """The replica's database alias, or None when none is configured."""
    return getattr(settings, "MINSHENG_REPLICA", None)


class ReplicaRouter:
    """Django database router: reads of a marked request go to the replica, all else to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        alias = replica_alias()
        if alias and _reading_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return alias
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        # Whatever this request reads after writing must see the write: back to the primary.
        if _reading_replica.get():
            _reading_replica.set(False)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: the same rows on both

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == PRIMARY


def wrote_recently(request) -> bool:
    raw = request.COOKIES.get(STICKY_COOKIE, "")
    try:
        return time.time() - float(raw) < settings.MINSHENG_REPLICA_STICKY_SECONDS
    except ValueError:
        return False


class ReplicaReadMiddleware:
    """Marks the requests that may read from the replica (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._replica_token = None
        try:
            response = self.get_response(request)
        finally:
            token = request._replica_token
            if token is not None:
                _reading_replica.reset(token)
        if replica_alias() and request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(STICKY_COOKIE, f"{time.time():.3f}", max_age=settings.MINSHENG_REPLICA_STICKY_SECONDS,
                                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (replica_alias() and request.method in SAFE_METHODS and match is not None
                and match.view_name in settings.MINSHENG_REPLICA_VIEWS and not wrote_recently(request)):
            request._replica_token = _reading_replica.set(True)
        return None
