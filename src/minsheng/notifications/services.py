"""Writing to the outbox, and what an administrator may do with dead letters.

``enqueue`` only inserts rows: called inside the transaction of the event that causes the
message, the message commits or rolls back with it.  The worker (``delivery.py``) sends.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import ValidationFailed
from minsheng.people.validation import normalise_phone

from .catalogue import render
from .models import InAppNotification, OutboxMessage, SmsOptOut


def _record_text(message: str, params: dict[str, Any]) -> dict[str, Any]:
    """The columns that store a message: its key, its parameters, and its text in the site's
    language for the record."""
    rendered = render(message, params, settings.LANGUAGE_CODE)
    return {"key": message, "params": params, "subject": rendered.subject[:200], "body": rendered.body}


def enqueue(*, channel: str, message: str, params: dict[str, Any], recipient=None, address: str = "",
            link: str = "", source: str = "") -> OutboxMessage:
    """One message (a catalogue key and its parameters) to one recipient over one channel."""
    now = clock.now()
    return OutboxMessage.objects.create(
        channel=channel, recipient=recipient, address=address, link=link, source=source[:64], next_attempt_at=now,
        created_at=now, **_record_text(message, params))


def enqueue_many(message: str, params: dict[str, Any], rows: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """One message to several recipients: ``rows`` are (channel, recipient/address/link/source)."""
    now = clock.now()
    common = {"next_attempt_at": now, "created_at": now, **_record_text(message, params)}
    written = OutboxMessage.objects.bulk_create([OutboxMessage(channel=channel, **fields, **common)
                                                 for channel, fields in rows])
    return len(written)


def notify_users(users: Iterable, *, message: str, params: dict[str, Any], link: str = "", source: str = "") -> int:
    """One in-app message per user, and an email where the user has an address and email
    notifications are on.  Returns the number of outbox rows written."""
    rows = []
    now = clock.now()
    common = {"link": link, "source": source[:64], "next_attempt_at": now, "created_at": now,
              **_record_text(message, params)}
    for user in users:
        rows.append(OutboxMessage(channel="in_app", recipient=user, **common))
        if settings.MINSHENG_NOTIFY_BY_EMAIL and user.email:
            rows.append(OutboxMessage(channel="email", recipient=user, address=user.email, **common))
    OutboxMessage.objects.bulk_create(rows)
    return len(rows)


def sms_opted_out(phone: str) -> bool:
    """Whether the owner of this number asked for no more text messages."""
    return bool(phone) and SmsOptOut.objects.filter(phone=phone).exists()


def set_sms_opt_out(phone: str, opted_out: bool) -> None:
    """Stop (or resume) text messages to this number.  Messages already in the outbox still go:
    they were written with the events that caused them."""
    if not phone:
        raise ValidationFailed.for_field("sms", _("没有手机号，无需退订短信。"))
    phone = normalise_phone(phone)  # as residents' numbers are stored
    if opted_out:
        SmsOptOut.objects.get_or_create(phone=phone, defaults={"created_at": clock.now()})
    else:
        SmsOptOut.objects.filter(phone=phone).delete()


def retry_dead_letters(messages: QuerySet[OutboxMessage]) -> int:
    """Give dead letters a fresh set of attempts, due now."""
    with transaction.atomic():
        return messages.filter(status=OutboxMessage.Status.DEAD).update(
            status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=clock.now(), lease_until=None,
            lease_token="", last_error="")


def kind_of_source(source: str) -> str:
    """A message's kind: its source's first part ("red:42" → "red", "homecare.unclaimed" stays)."""
    return source.split(":", 1)[0][:40]


def inbox_of(user, *, unread: bool = False, kind: str = "", link: str = "") -> QuerySet[InAppNotification]:
    """The user's inbox, newest first, optionally only unread messages, of one kind, or about one
    page (``link``: the demand, project or grid the message points to)."""
    qs = InAppNotification.objects.filter(recipient=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if link:
        qs = qs.filter(link=link)
    return qs


def inbox_kinds(user) -> list[str]:
    """The kinds of message the user has, for the inbox's filter."""
    return sorted(set(InAppNotification.objects.filter(recipient=user).values_list("kind", flat=True).distinct()))


def inbox_by_topic(messages: QuerySet[InAppNotification]) -> QuerySet:
    """The messages grouped by what they point to (one row per link: how many, how many unread,
    the latest and its id), the most recent topic first.  ``with_latest_titles`` names a page
    of rows in the reader's language."""
    latest = messages.filter(link=OuterRef("link")).order_by("-created_at", "-pk")
    return (messages.order_by().values("link")
            .annotate(count=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)),
                      latest_at=Max("created_at"), latest_id=Subquery(latest.values("pk")[:1]))
            .order_by("-latest_at"))


def with_latest_titles(rows: Iterable[dict]) -> list[dict]:
    """Grouped inbox rows with ``subject``: their latest message's, rendered in the active language."""
    rows = list(rows)
    latest = InAppNotification.objects.in_bulk([row["latest_id"] for row in rows])
    for row in rows:
        message = latest.get(row["latest_id"])
        row["subject"] = message.title if message else ""
    return rows


def mark_read(user, notification_ids: Iterable[int] | None = None, *, kind: str = "", link: str = "") -> int:
    """Mark the user's unread messages read: all of them, those of one kind or topic, or these ids."""
    qs = inbox_of(user, unread=True, kind=kind, link=link)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=clock.now())


def staff_users_of_units(unit_ids: Iterable[int]) -> QuerySet:
    """Active users holding a staff role in any of these units."""
    from minsheng.organisation.roles import STAFF_ROLES

    return get_user_model().objects.filter(
        is_active=True, memberships__active=True, memberships__unit_id__in=[u for u in unit_ids if u],
        memberships__role__in=STAFF_ROLES).distinct()
