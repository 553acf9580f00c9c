"""Area subscriptions: a resident hears of every new public report in a street or community.

Only a signed-in resident subscribes (an account with the resident role), so that nobody can sign
a stranger's phone up for messages: the SMS goes to the phone of the resident record linked to
the account, never to a number typed into a form.  Notices go through the notifications outbox,
written in the registering transaction, so they exist exactly when the demand does.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import NotFound, PermissionDenied, ValidationFailed
from minsheng.demands.models import Demand
from minsheng.notifications.services import enqueue
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.people.models import Resident

from .models import AreaSubscription
from .public import AREA_KINDS, as_public, is_published

Channel = AreaSubscription.Channel


def may_subscribe(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Role.RESIDENT in roles_of(user)


def _phone_of(user) -> str:
    return Resident.objects.filter(user=user).values_list("phone", flat=True).first() or ""


def subscribe(user, region: Region, channel: str) -> AreaSubscription:
    """Subscribe ``user`` to new public reports in ``region`` over ``channel``; subscribing twice
    to the same keeps the first."""
    if not may_subscribe(user):
        raise PermissionDenied(_("请先以居民身份登录再订阅。"))
    if region.kind not in AREA_KINDS:
        raise ValidationFailed(_("只能订阅街道或社区。"), field_errors={"area": [_("只能订阅街道或社区。")]})
    if channel not in Channel.values:
        raise ValidationFailed(_("请选择接收方式。"), field_errors={"channel": [_("请选择接收方式。")]})
    if channel == Channel.SMS and not _phone_of(user):
        message = _("您的账号没有登记手机号，无法接收短信，请选择站内消息。")
        raise ValidationFailed(message, field_errors={"channel": [message]})
    existing = AreaSubscription.objects.filter(user=user, region=region, channel=channel).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return AreaSubscription.objects.create(user=user, region=region, channel=channel, created_at=clock.now())
    except IntegrityError:  # the same subscription from a second tab, at the same moment
        return AreaSubscription.objects.get(user=user, region=region, channel=channel)


def unsubscribe(user, subscription_id: int) -> None:
    deleted, _rows = AreaSubscription.objects.filter(user=user, pk=subscription_id).delete()
    if not deleted:
        raise NotFound(_("没有这项订阅。"))


def subscriptions_of(user):
    return AreaSubscription.objects.filter(user=user).select_related("region")


def notify_subscribers(demands: list[Demand]) -> int:
    """Outbox messages about these newly registered demands to everyone subscribed to an area
    they lie in (the published ones only).  The message says no more than the public list does.
    Returns the number of messages written."""
    public = [d for d in demands if is_published(d)]
    if not public:
        return 0
    region_ids = {int(p) for d in public for p in d.region.path.split(".") if p}
    subscriptions = list(AreaSubscription.objects.filter(region_id__in=region_ids).select_related("region"))
    if not subscriptions:
        return 0
    phones = dict(Resident.objects.filter(user_id__in={s.user_id for s in subscriptions})
                  .values_list("user_id", "phone"))
    written = 0
    for demand, report in zip(public, as_public(public), strict=True):
        above = {int(p) for p in demand.region.path.split(".") if p}
        for sub in subscriptions:
            if sub.region_id not in above:
                continue
            address = ""
            if sub.channel == Channel.SMS:
                address = phones.get(sub.user_id, "")
                if not address:  # the resident record is gone: nothing to send to
                    continue
            link = reverse("maps:public_reports") + f"?area={sub.region.code}"
            params = {"area": sub.region.name, "category": report.category, "state": demand.state,
                      "place": " ".join(p for p in (report.street, report.community) if p),
                      "date": f"{report.registered_at:%Y-%m-%d}"}
            enqueue(channel=sub.channel, recipient=sub.user, address=address, message="area.new_report",
                    params=params, link=link,
                    source=f"area:{sub.pk}:{demand.pk}")
            written += 1
    return written
