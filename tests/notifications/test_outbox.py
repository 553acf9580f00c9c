"""The outbox: messages commit with the event that causes them, the worker delivers each
once, retries failures with back-off and keeps dead letters for an administrator."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import transaction

from minsheng.core import clock
from minsheng.demands import services
from minsheng.notifications import delivery
from minsheng.notifications.models import InAppNotification, OutboxMessage
from minsheng.notifications.services import enqueue, inbox_of, retry_dead_letters
from minsheng.notifications.sms import LocmemSmsBackend
from tests.demands.helpers import bring_to

Status = OutboxMessage.Status
TEST = "demand.received"
PARAMS = {"number": "T1", "link": "https://x/track/?number=T1"}


class FailingChannel:
    def send(self, message):
        raise ConnectionError("gateway down")


@pytest.fixture
def failing_channel(settings):
    settings.MINSHENG_NOTIFICATION_CHANNELS = {**settings.MINSHENG_NOTIFICATION_CHANNELS,
                                               "failing": "tests.notifications.test_outbox.FailingChannel"}


def test_a_dispatch_tells_the_receiving_unit_in_its_inbox(world):
    world.users["handler_cg"].email = "cg@example.org"
    world.users["handler_cg"].save()
    demand = bring_to(world, "dispatched")
    assert OutboxMessage.objects.filter(recipient=world.users["handler_cg"]).count() == 2  # in-app + email
    assert delivery.deliver_batch() >= 2
    inbox = inbox_of(world.user("handler_cg"))
    assert [n.subject for n in inbox] == [f"新派工单：{demand.number} {demand.title}"]
    assert [m.to for m in mail.outbox] == [["cg@example.org"]]
    assert mail.outbox[0].extra_headers["X-Minsheng-Delivery-Id"] == str(
        OutboxMessage.objects.get(channel="email").delivery_id)
    assert not inbox_of(world.user("handler_zj")).exists()  # another department hears nothing


def test_a_refused_or_rolled_back_transition_leaves_no_message(world):
    demand = bring_to(world, "pending_dispatch")
    before = set(OutboxMessage.objects.values_list("pk", flat=True))  # the resident's receipt
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version)
        raise RuntimeError("the caller's transaction fails after the event")
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == before


def test_a_message_delivered_again_after_a_crash_lands_once(world):
    message = enqueue(channel="in_app", message=TEST, params=PARAMS, recipient=world.users["staff1"])
    [claimed] = delivery.claim_batch()
    assert delivery.deliver(claimed)
    # A worker that died after delivering but before marking: the same message comes round again.
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.PENDING)
    [again] = delivery.claim_batch()
    assert delivery.deliver(again)
    assert InAppNotification.objects.filter(delivery_id=message.delivery_id).count() == 1


def test_a_leased_message_is_not_claimed_twice_until_its_lease_expires(world, settings):
    enqueue(channel="in_app", message=TEST, params=PARAMS, recipient=world.users["staff1"])
    assert len(delivery.claim_batch()) == 1
    assert delivery.claim_batch() == []
    with clock.frozen_at(clock.now() + timedelta(seconds=settings.MINSHENG_OUTBOX_LEASE_SECONDS + 1)):
        assert len(delivery.claim_batch()) == 1


def test_sms_carries_the_template_key_parameters_and_delivery_id_to_the_gateway(world, settings):
    settings.MINSHENG_SMS_BACKEND = "locmem"
    LocmemSmsBackend.sent.clear()
    message = enqueue(channel="sms", message="demand.resolved", params={"number": "A1", "link": "https://x/t/1",
                                                                        "result": "已修复"}, address="13700001234")
    delivery.deliver_batch()
    [sms] = LocmemSmsBackend.sent
    assert (sms.phone, sms.key, sms.params["number"], sms.delivery_id) == (
        "13700001234", "demand.resolved", "A1", str(message.delivery_id))
    assert sms.text == "您的诉求A1已办结，办理结果：https://x/t/1"


def test_failures_back_off_then_become_dead_letters_an_administrator_retries(world, settings, failing_channel):
    settings.MINSHENG_OUTBOX_MAX_ATTEMPTS = 3
    message = enqueue(channel="failing", message=TEST, params=PARAMS, address="x")
    start = message.next_attempt_at  # the first attempt's moment (not the clock read after the insert)
    waits = []
    for _attempt in range(3):
        with clock.frozen_at(OutboxMessage.objects.get(pk=message.pk).next_attempt_at):
            assert delivery.deliver_batch() == 1
            assert delivery.deliver_batch() == 0  # not due again at once
        waits.append(OutboxMessage.objects.get(pk=message.pk).next_attempt_at)
    message.refresh_from_db()
    assert message.status == Status.DEAD and message.attempts == 3 and "gateway down" in message.last_error
    gaps = [(b - a).total_seconds() for a, b in zip([start, *waits], waits, strict=False)]
    assert gaps[1] == 2 * gaps[0] > 0  # exponential back-off
    with clock.frozen_at(clock.now() + timedelta(days=1)):
        assert delivery.deliver_batch() == 0  # dead letters stay put

    assert retry_dead_letters(OutboxMessage.objects.all()) == 1
    settings.MINSHENG_NOTIFICATION_CHANNELS = {**settings.MINSHENG_NOTIFICATION_CHANNELS, "failing":
                                               "minsheng.notifications.channels.InAppChannel"}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)


def test_only_administrators_may_retry_dead_letters_in_the_admin(world, client):
    dead = enqueue(channel="in_app", message=TEST, params=PARAMS, recipient=world.users["staff1"])
    OutboxMessage.objects.filter(pk=dead.pk).update(status=Status.DEAD, attempts=6)
    url = "/admin/notifications/outboxmessage/"
    for name, allowed in [("admin", True), ("dispatcher", False)]:
        user = get_user_model().objects.get(username=name)
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
        client.force_login(user)
        client.post(url, {"action": "retry", "_selected_action": [dead.pk]})
        dead.refresh_from_db()
        assert (dead.status == Status.PENDING) is allowed
        OutboxMessage.objects.filter(pk=dead.pk).update(status=Status.DEAD)


def test_the_admin_masks_residents_phone_numbers(world, client):
    enqueue(channel="sms", message=TEST, params=PARAMS, address="13700001234")
    admin_user = get_user_model().objects.get(username="admin")
    admin_user.is_staff = True
    admin_user.save()
    admin_user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(admin_user)
    listing = client.get("/admin/notifications/outboxmessage/").content.decode()
    detail = client.get(f"/admin/notifications/outboxmessage/{OutboxMessage.objects.get().pk}/change/")
    assert "137****1234" in listing and "13700001234" not in listing
    assert detail.status_code == 200 and "13700001234" not in detail.content.decode()


def test_a_message_delivered_late_is_dated_when_it_was_raised(world):
    """A worker that was down for two hours delivers the backlog: the inbox shows when each
    thing happened, in that order, not the minute the worker caught up."""
    raised = clock.now() - timedelta(hours=2)
    with clock.frozen_at(raised):
        first = enqueue(channel="in_app", message=TEST, params=PARAMS, recipient=world.users["staff1"])
    with clock.frozen_at(raised + timedelta(minutes=5)):
        second = enqueue(channel="in_app", message=TEST, params={**PARAMS, "number": "T2"},
                         recipient=world.users["staff1"])
    assert delivery.deliver_batch() == 2
    inbox = list(inbox_of(world.user("staff1")))
    assert [n.delivery_id for n in inbox] == [second.delivery_id, first.delivery_id]
    assert [n.created_at for n in inbox] == [raised + timedelta(minutes=5), raised]


def test_a_batch_of_one_channel_leaves_the_others_waiting(world):
    enqueue(channel="in_app", message=TEST, params=PARAMS, recipient=world.users["staff1"])
    sms = enqueue(channel="sms", message=TEST, params=PARAMS, address="13800000001")
    assert delivery.deliver_batch(channels=("in_app",)) == 1
    assert inbox_of(world.user("staff1")).count() == 1
    sms.refresh_from_db()
    assert sms.status == Status.PENDING and sms.attempts == 0
    assert delivery.deliver_batch() == 1  # the worker's batches take every channel
