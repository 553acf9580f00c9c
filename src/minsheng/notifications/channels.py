"""Delivery channels.  Each takes one OutboxMessage and either delivers it or raises.

Every channel receives the message's ``delivery_id``: the in-app channel stores it under a
unique constraint (a repeated delivery is a no-op), email carries it as the Message-ID and
an X-Minsheng-Delivery-Id header, and SMS adapters get it to pass to their gateway (Aliyun's
OutId, Tencent's SessionContext), so that a resend after a worker crash can be traced.
"""

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from .models import InAppNotification, OutboxMessage
from .services import kind_of_source
from .sms import Sms, SmsError, sms_backend

logger = logging.getLogger("minsheng.notifications")


class DeliveryError(Exception):
    """The channel could not deliver now; the worker retries with back-off."""


class Channel(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class InAppChannel:
    def send(self, message: OutboxMessage) -> None:
        if message.recipient_id is None:
            raise DeliveryError("in-app message without a recipient")
        try:
            with transaction.atomic():
                InAppNotification.objects.create(
                    delivery_id=message.delivery_id, recipient_id=message.recipient_id, key=message.key,
                    params=message.params, subject=message.subject,
                    body=message.body, link=message.link, kind=kind_of_source(message.source),
                    # When it was raised, not when a worker got to it: after an outage the inbox
                    # still reads in the order things happened, dated as they happened.
                    created_at=message.created_at)
        except IntegrityError:
            # Already delivered by a worker that died before marking the message delivered.
            if not InAppNotification.objects.filter(delivery_id=message.delivery_id).exists():
                raise


class EmailChannel:
    def send(self, message: OutboxMessage) -> None:
        if not message.address:
            raise DeliveryError("email message without an address")
        headers = {"Message-ID": f"<{message.delivery_id}@minsheng>",
                   "X-Minsheng-Delivery-Id": str(message.delivery_id)}
        body = f"{message.body}\n\n{message.link}".strip() if message.link else message.body
        EmailMessage(message.subject, body, to=[message.address], headers=headers).send()


class SmsChannel:
    """The message's catalogue key and parameters go to the configured adapter (``sms.py``), which
    sends the provider's approved template.  A row stored before the catalogue has no key: no
    provider template fits it, so it fails and stays a dead letter for an administrator to see."""

    def send(self, message: OutboxMessage) -> None:
        if not message.address:
            raise DeliveryError("SMS message without a phone number")
        if not message.key:
            raise DeliveryError("SMS message without a catalogue key (stored before the catalogue)")
        try:
            sms_backend().send(Sms(message.address, message.key, message.params, str(message.delivery_id)))
        except (SmsError, LookupError) as exc:
            raise DeliveryError(str(exc)) from exc


@cache
def _channel(path: str) -> Channel:
    return import_string(path)()


def channel_for(name: str) -> Channel:
    try:
        path = settings.MINSHENG_NOTIFICATION_CHANNELS[name]
    except KeyError:
        raise DeliveryError(f"unknown channel {name!r}") from None
    return _channel(path)
