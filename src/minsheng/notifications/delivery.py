"""Sending what the outbox holds.

A worker claims a batch under a lease (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so
workers never wait for each other; SQLite: the claim is one short write transaction, begun
IMMEDIATE by the settings), hands each message to its channel with its delivery id, and
marks it delivered.  A worker that dies leaves its lease behind; once the lease expires,
another claim takes the messages again and sends them again.  The guarantee is therefore
at-least-once sending, made exactly-once delivery by channels that deduplicate on the
delivery id (the in-app inbox does; email and SMS pass it on to the provider).
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from minsheng.core import clock

from .channels import channel_for
from .models import OutboxMessage

logger = logging.getLogger("minsheng.notifications")
_MAX_BACKOFF = timedelta(hours=1)


def claim_batch(size: int | None = None, lease_seconds: int | None = None) -> list[OutboxMessage]:
    """Lease up to ``size`` due messages to this caller; each claim counts as an attempt, so
    a message that crashes every worker still ends as a dead letter."""
    size = size or settings.MINSHENG_OUTBOX_BATCH
    lease = timedelta(seconds=lease_seconds or settings.MINSHENG_OUTBOX_LEASE_SECONDS)
    now, token = clock.now(), uuid.uuid4().hex
    with transaction.atomic():
        due = (OutboxMessage.objects.select_for_update(skip_locked=True)
               .filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
               .order_by("next_attempt_at", "pk"))
        ids = list(due.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids).update(lease_until=now + lease, lease_token=token,
                                                        attempts=F("attempts") + 1)
    return list(OutboxMessage.objects.filter(pk__in=ids, lease_token=token).select_related("recipient"))


def backoff(attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base… after the 1st, 2nd, 3rd failure, at most an hour."""
    return min(timedelta(seconds=settings.MINSHENG_OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)),
               _MAX_BACKOFF)


def _mine(message: OutboxMessage):
    return OutboxMessage.objects.filter(pk=message.pk, lease_token=message.lease_token,
                                        status=OutboxMessage.Status.PENDING)


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


def deliver_batch(size: int | None = None) -> int:
    """Claim and send one batch; returns how many messages were claimed."""
    batch = claim_batch(size)
    for message in batch:
        deliver(message)
    return len(batch)
