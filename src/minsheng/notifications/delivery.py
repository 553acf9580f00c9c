"""Sending what the outbox holds.

A worker claims a batch under a lease (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so
workers never wait for each other; SQLite: the claim is one short write transaction, begun
IMMEDIATE by the settings), hands each message to its channel with its delivery id, and
marks it delivered.  A worker that dies leaves its lease behind; once the lease expires,
another claim takes the messages again and sends them again.  The guarantee is therefore
at-least-once sending, made exactly-once delivery by channels that deduplicate on the
delivery id (the in-app inbox does; email and SMS pass it on to the provider).

On PostgreSQL the outbox is partitioned by month of ``created_at`` (ops.partitions), and a
message is pending for minutes, so the claim names the months it reads and the planner leaves
the others out: from the month of the oldest pending message, or of a day ago if that is older
(``claim_since``), to the month of a day from now (``_claim_until``; the months created ahead
are empty).  The months before hold only delivered and dead messages.  A long-running worker
keeps its first month for ``MINSHENG_OUTBOX_RESCAN_SECONDS`` (``Worker``); a pending message
written with an older time meanwhile (a dead letter an administrator retried) is claimed once
the month is looked up again.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet

from minsheng.core import clock
from minsheng.ops.partitions import month_start

from .channels import channel_for
from .models import OutboxMessage

logger = logging.getLogger("minsheng.notifications")
_MAX_BACKOFF = timedelta(hours=1)


# A message is committed at most this long after the time it was written with (the transaction of
# the event that caused it), and no server's clock is this far ahead of the worker's: the claim reads
# the months from this long ago to this long ahead, and those of older pending messages.
_MARGIN = timedelta(days=1)


def claim_since(now: datetime | None = None) -> datetime | None:
    """The first instant the claim reads (PostgreSQL): the start of the local month of the oldest
    pending message, or of ``now`` less a day when that is older; None on SQLite (one plain
    table).  One probe of the ``outbox_pending_since`` index per month."""
    if connection.vendor != "postgresql":
        return None
    start = (now or clock.now()) - _MARGIN
    oldest = (OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).order_by("created_at")
              .values_list("created_at", flat=True).first())
    return month_start(min(start, oldest) if oldest is not None else start)


def _claim_until(now: datetime) -> datetime:
    """The end of the months the claim reads: the end of the local month of a day from now."""
    return month_start(month_start(now + _MARGIN) + timedelta(days=32))


def _within(messages: QuerySet[OutboxMessage], since: datetime | None, now: datetime) -> QuerySet[OutboxMessage]:
    """The messages of the months the claim reads (all of them on SQLite, where ``since`` is None)."""
    if since is None:
        return messages
    return messages.filter(created_at__gte=since, created_at__lt=_claim_until(now))


def claim_batch(size: int | None = None, lease_seconds: int | None = None, *,
                since: datetime | None = None, channels: tuple[str, ...] = ()) -> list[OutboxMessage]:
    """Lease up to ``size`` due messages to this caller; each claim counts as an attempt, so
    a message that crashes every worker still ends as a dead letter.  ``since``: the first
    instant to read (``claim_since``; looked up here when not given); ``channels``: only these
    (all when empty)."""
    size = size or settings.MINSHENG_OUTBOX_BATCH
    lease = timedelta(seconds=lease_seconds or settings.MINSHENG_OUTBOX_LEASE_SECONDS)
    now, token = clock.now(), uuid.uuid4().hex
    if since is None:
        since = claim_since(now)
    with transaction.atomic():
        due = (_within(OutboxMessage.objects, since, now).select_for_update(skip_locked=True)
               .filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
               .order_by("next_attempt_at", "pk"))
        if channels:
            due = due.filter(channel__in=channels)
        ids = list(due.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        _within(OutboxMessage.objects, since, now).filter(pk__in=ids).update(
            lease_until=now + lease, lease_token=token, attempts=F("attempts") + 1)
    return list(_within(OutboxMessage.objects, since, now).filter(pk__in=ids, lease_token=token)
                .select_related("recipient"))


def backoff(attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base… after the 1st, 2nd, 3rd failure, at most an hour."""
    return min(timedelta(seconds=settings.MINSHENG_OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)),
               _MAX_BACKOFF)


def _mine(message: OutboxMessage) -> QuerySet[OutboxMessage]:
    mine = OutboxMessage.objects.filter(pk=message.pk, lease_token=message.lease_token,
                                        status=OutboxMessage.Status.PENDING)
    # PostgreSQL: the message's own month only (its partition), not a probe of every month.
    return mine.filter(created_at=message.created_at) if connection.vendor == "postgresql" else mine


def deliver(message: OutboxMessage) -> bool:
    """Send one claimed message; True when it was delivered."""
    if message.lease_until is None or clock.now() >= message.lease_until:
        return False  # the lease ran out: another worker may hold the message now
    try:
        channel_for(message.channel).send(message)
    except Exception as exc:  # any channel failure is retried, then dead-lettered
        failed = message.attempts >= settings.MINSHENG_OUTBOX_MAX_ATTEMPTS
        logger.warning("delivery %s over %s failed (attempt %d): %s", message.delivery_id, message.channel,
                       message.attempts, exc)
        _mine(message).update(
            status=OutboxMessage.Status.DEAD if failed else OutboxMessage.Status.PENDING,
            next_attempt_at=clock.now() + backoff(message.attempts), lease_until=None, lease_token="",
            last_error=f"{type(exc).__name__}: {exc}"[:2000])
        return False
    _mine(message).update(status=OutboxMessage.Status.DELIVERED, delivered_at=clock.now(), lease_until=None,
                          last_error="")
    return True


def deliver_batch(size: int | None = None, *, since: datetime | None = None, channels: tuple[str, ...] = ()) -> int:
    """Claim and send one batch; returns how many messages were claimed.  ``since`` and
    ``channels`` as for ``claim_batch``."""
    batch = claim_batch(size, since=since, channels=channels)
    for message in batch:
        deliver(message)
    return len(batch)
