"""消息: filters (unread, kind, the demand a message is about), mark as read, grouping by demand."""

from django.urls import reverse

from minsheng.notifications import delivery
from minsheng.notifications.models import InAppNotification

from ..demands.helpers import bring_to


def _inbox_with_two_demands(world):
    """handler_cg's inbox: a dispatch each for two demands, then a supervision order on the first."""
    first = bring_to(world, "supervised")
    second = bring_to(world, "dispatched")
    delivery.deliver_batch()
    return first, second


def test_delivered_messages_carry_their_kind(world):
    _inbox_with_two_demands(world)
    assert set(InAppNotification.objects.filter(recipient=world.user("handler_cg")).values_list("kind", flat=True)) \
        == {"demand", "supervision"}


def test_filter_by_unread_kind_and_demand_and_group_by_demand(login, world):
    first, second = _inbox_with_two_demands(world)
    inbox = InAppNotification.objects.filter(recipient=world.user("handler_cg"))
    assert inbox.count() == 3
    second_link = reverse("web:demand", args=[second.pk])
    inbox.filter(link=second_link).update(read_at=inbox.first().created_at)
    client = login("handler_cg")

    unread = client.get(reverse("web:inbox") + "?unread=1").content.decode()
    assert first.number in unread and second.number not in unread
    about = client.get(reverse("web:inbox"), {"about": reverse("web:demand", args=[first.pk])}).content.decode()
    assert first.number in about and second.number not in about
    assert client.get(reverse("web:inbox") + "?kind=red").context["page"].paginator.count == 0
    supervision = client.get(reverse("web:inbox") + "?kind=supervision")
    assert supervision.context["page"].paginator.count == 1 and "督办" in supervision.content.decode()

    grouped = client.get(reverse("web:inbox") + "?group=1")
    rows = list(grouped.context["page"])
    assert [(row["count"], row["unread"]) for row in rows] == [(1, 0), (2, 2)]


def test_mark_read_follows_the_filter(login, world):
    first, _second = _inbox_with_two_demands(world)
    client = login("handler_cg")
    first_link = reverse("web:demand", args=[first.pk])
    client.post(reverse("web:inbox_read"), {"about": first_link, "kind": "", "back": ""})
    inbox = InAppNotification.objects.filter(recipient=world.user("handler_cg"))
    assert not inbox.filter(link=first_link, read_at__isnull=True).exists()
    assert inbox.filter(read_at__isnull=True).count() == 1
    client.post(reverse("web:inbox_read"), {"kind": "", "about": "", "back": "unread=1"})
    assert not inbox.filter(read_at__isnull=True).exists()
