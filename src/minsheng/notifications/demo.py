"""The demo's inboxes as a year of use leaves them: what the seeded history raised is in the
inboxes, dated when it was raised, and what is over a week old has been read (the demo's accounts
have been at work all year; a first look at the inbox is the last week's, not a year of unread)."""

from datetime import datetime, timedelta

from django.db.models import F

from . import delivery
from .models import InAppNotification

READ_AFTER = timedelta(days=7)
BATCH = 500


def seed_read_inboxes(now: datetime) -> str:
    """Deliver the in-app messages waiting (the worker's own delivery, in-app only: the texts and
    emails stay for the worker), then mark those raised before ``now - READ_AFTER`` as read."""
    delivered = 0
    while claimed := delivery.deliver_batch(BATCH, channels=("in_app",)):
        delivered += claimed
    read = (InAppNotification.objects.filter(read_at__isnull=True, created_at__lt=now - READ_AFTER)
            .update(read_at=F("created_at")))
    unread = InAppNotification.objects.filter(read_at__isnull=True).count()
    return f"inboxes: {delivered} messages delivered, {read} over a week old read, {unread} unread"
