"""Per-process copies of rows that change rarely (API keys, accounts, memberships, regions, the
catalogue), kept right when they change.

Each copy is tagged with the number in ``core.ConfigVersion``.  A save or delete of any watched
model (``watch``, connected by the apps that keep copies) sets a new number in the same
transaction, so once it commits, every process finds its copies stale at its next read of the
number: once per request (at the first use of a copy in that request; outside requests, at every
use).  The number is a fresh random one each time rather than a count, so that copies made inside
a transaction that rolled back can never match a later number.  Changes that bypass ``save`` and
``delete`` (``QuerySet.update``, raw SQL) must call ``bump()`` themselves.

Copies are shared by the threads of a process: they must be treated as read-only.
"""

import secrets
import threading
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connections, router
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from .models import ConfigVersion

_local = threading.local()  # .in_request, .version (read in this request)
_copies: dict[Any, tuple[int, Any]] = {}
_MAX_COPIES = 10_000


def _table() -> tuple[str, str]:
    alias = router.db_for_write(ConfigVersion)
    return alias, connections[alias].ops.quote_name(ConfigVersion._meta.db_table)


def _read() -> int:
    alias, table = _table()
    with connections[alias].cursor() as cursor:
        cursor.execute(f'SELECT "value" FROM {table} WHERE "id" = 1')
        row = cursor.fetchone()
    return row[0] if row else 0


def version() -> int:
    """The current number (read once per request)."""
    known = getattr(_local, "version", None)
    if known is not None:
        return known
    current = _read()
    if getattr(_local, "in_request", False):
        _local.version = current
    return current


def cached(key: Any, load: Callable[[], Any], *, keep_none: bool = False) -> Any:
    """This process's copy of ``load()`` under ``key``, loaded again when the number moved.
    ``load`` returning None is kept only with ``keep_none`` (keys made of what a caller sent
    must not keep misses: they would fill the memory)."""
    current = version()
    hit = _copies.get(key)
    if hit is not None and hit[0] == current:
        return hit[1]
    value = load()
    if value is not None or keep_none:
        if len(_copies) >= _MAX_COPIES:
            _copies.clear()
        _copies[key] = (current, value)
    return value


def bump(**kwargs) -> None:
    """Mark every process's copies stale (inside the caller's transaction, if any)."""
    alias, table = _table()
    number = secrets.randbits(62) + 1
    with connections[alias].cursor() as cursor:
        cursor.execute(f'UPDATE {table} SET "value" = %s WHERE "id" = 1', [number])
        if cursor.rowcount == 0:  # a flushed database (tests): the row comes back
            cursor.execute(f'INSERT INTO {table} ("id", "value") VALUES (1, %s)', [number])
    _local.version = None  # this thread sees its own change at once


def forget() -> None:
    """Drop this process's copies (after a flush or migration, which save nothing through
    the watched models; and between tests)."""
    _copies.clear()
    _local.version = None


def _migrated(**kwargs) -> None:
    forget()


# Saved alone, these fields change nothing a copy is kept for: a login writes the account's
# ``last_login`` (django.contrib.auth), and must not make every process reload every copy.
UNWATCHED_FIELDS = frozenset({"last_login"})


def _saved(update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= UNWATCHED_FIELDS:
        return
    bump()


def watch(*models) -> None:
    """Bump the number whenever a row of one of ``models`` is saved or deleted (or a
    many-to-many set of it changes)."""
    for model in models:
        uid = f"core.versioned.{model._meta.label}"
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}.delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(bump, sender=field.remote_field.through, dispatch_uid=f"{uid}.{field.name}",
                                weak=False)


def _started(**kwargs) -> None:
    _local.in_request, _local.version = True, None


def _finished(**kwargs) -> None:
    _local.in_request, _local.version = False, None


post_migrate.connect(_migrated, dispatch_uid="core.versioned.migrated")  # flush sends it too
request_started.connect(_started, dispatch_uid="core.versioned.started")
request_finished.connect(_finished, dispatch_uid="core.versioned.finished")
