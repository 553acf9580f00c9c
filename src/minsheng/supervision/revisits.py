"""回访: every resolved demand waits on the revisit list until the resident answers.

An operator calls and records the answer (the ``revisit`` transition), records a call nobody
answered, or sends a signed SMS/H5 link the resident answers on a public page.  Each call or
link is a ``revisit_attempt`` event; the attempt that reaches MINSHENG_REVISIT_TRIES is
recorded as unanswered.  The worker's sweep texts the rating link itself when nobody has
tried MINSHENG_REVISIT_SMS_AFTER_HOURS after resolution, and closes, MINSHENG_AUTO_CLOSE_DAYS
after resolution, the demands answered satisfied and those recorded unanswered.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.selectors import demands_visible_to, revisit_window
from minsheng.demands.services import close_demand, perform_transition, rate_as_resident
from minsheng.demands.workflow import Satisfaction, State, transition
from minsheng.notifications.models import SmsOptOut
from minsheng.notifications.services import enqueue, sms_opted_out
from minsheng.organisation.scope import SYSTEM, Grant, demand_filter

_SALT = "minsheng.revisit-link"
_ATTEMPT = "revisit_attempt"


def _attempts_since_resolution() -> Q:
    return Q(events__action=_ATTEMPT, events__created_at__gte=F("resolved_at"))


def revisit_list(user, now: datetime | None = None) -> QuerySet[Demand]:
    """Resolved demands waiting for a revisit ``user`` may make (not the handlers' own work) within
    the revisit window (``selectors.revisit_window``: older ones are past calling about), oldest
    resolution first — the first to leave the window — with their tries."""
    revisitors = transition(_ATTEMPT).roles
    since = (now or clock.now()) - revisit_window()
    return (demands_visible_to(user).filter(demand_filter(user, revisitors, "territory"), state=State.RESOLVED,
                                            resolved_at__gte=since)
            .annotate(tries=Count("events", filter=_attempts_since_resolution())).order_by("resolved_at"))


def tries_of(demand: Demand) -> int:
    return demand.events.filter(action=_ATTEMPT, created_at__gte=demand.resolved_at).count()


def _attempt(actor, demand_id: int, version: int, method: str, note: str = "",
             extra: dict[str, Any] | None = None) -> Demand:
    limit = settings.MINSHENG_REVISIT_TRIES

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        tries = tries_of(demand)
        if tries >= limit:
            raise InvalidTransition(_("诉求 %(number)s 已回访%(n)d次未果，已记为无人应答。")
                                    % {"number": demand.number, "n": tries})
        if method == "sms" and (demand.reporter is None or not demand.reporter.phone):
            raise ValidationFailed.for_field("method", _("该诉求没有诉求人手机号，无法发送回访短信。"))
        if method == "sms" and sms_opted_out(demand.reporter.phone):
            raise ValidationFailed.for_field("method", _("诉求人已退订短信，请电话回访。"))
        return {"method": method, "attempt": tries + 1, "unanswered": tries + 1 >= limit, **(extra or {})}

    return perform_transition(actor, demand_id, version, _ATTEMPT, build, note)


METHODS = ("phone", "sms")


def attempt_revisit(actor, demand_id: int, version: int, *, method: str = "phone", note: str = "") -> Demand:
    """A try that got no answer yet: a call nobody answered (``phone``) or a link sent (``sms``)."""
    if method not in METHODS:
        raise ValidationFailed.for_field("method", _("请选择回访方式（电话或短信链接）。"))
    if method == "sms":
        return send_revisit_link(actor, demand_id, version)
    return _attempt(actor, demand_id, version, "phone", note)


def record_unanswered_call(actor, demand_id: int, version: int, *, note: str = "") -> Demand:
    """The operator called and nobody answered."""
    return _attempt(actor, demand_id, version, "phone", note)


def revisit_link_token(demand: Demand) -> str:
    # Bound to this round of handling: a link from before a reopening no longer works.
    return signing.dumps([demand.pk, demand.resolved_at.isoformat()], salt=_SALT, compress=True)


def send_revisit_link(actor, demand_id: int, version: int) -> Demand:
    """Text the resident a signed link to the revisit page; the message leaves with the event."""
    with transaction.atomic():
        demand = _attempt(actor, demand_id, version, "sms")
        path = reverse("web:revisit_link", args=[revisit_link_token(demand)])
        link = settings.MINSHENG_PUBLIC_URL.rstrip("/") + path
        enqueue(channel="sms", address=demand.reporter.phone, link=link, message="demand.revisit_link",
                params={"number": demand.number, "link": link}, source=f"revisit:{demand.pk}:{demand.version}")
    return demand


def demand_for_link(token: str) -> Demand:
    """The demand a revisit link is for, while the link is valid and the demand still waits."""
    try:
        demand_id, resolved_at = signing.loads(token, salt=_SALT,
                                               max_age=timedelta(days=settings.MINSHENG_REVISIT_LINK_DAYS))
    except signing.BadSignature:
        raise NotFound(_("回访链接无效或已过期。")) from None
    demand = Demand.objects.filter(pk=demand_id, state=State.RESOLVED).first()
    if demand is None or demand.resolved_at is None or demand.resolved_at.isoformat() != resolved_at:
        raise NotFound(_("该诉求已完成回访，或链接已失效。"))
    return demand


def revisit_by_link(token: str, *, satisfaction: str, solved: str | None = None, comment: str = "") -> Demand:
    demand = demand_for_link(token)
    return rate_as_resident(demand.pk, satisfaction=satisfaction, solved=solved, comment=comment, by="link")


def auto_link_due(now: datetime) -> QuerySet[Demand]:
    """Resolved demands nobody has tried to revisit MINSHENG_REVISIT_SMS_AFTER_HOURS after
    resolution, whose reporter has a phone: the system texts them the rating link."""
    hours = settings.MINSHENG_REVISIT_SMS_AFTER_HOURS
    if hours <= 0:
        return Demand.objects.none()
    tried = DemandEvent.objects.filter(demand=OuterRef("pk"), action=_ATTEMPT, created_at__gte=OuterRef("resolved_at"))
    return Demand.objects.filter(state=State.RESOLVED, resolved_at__lte=now - timedelta(hours=hours),
                                 reporter__isnull=False).exclude(reporter__phone="").filter(~Exists(tried)).exclude(
        Exists(SmsOptOut.objects.filter(phone=OuterRef("reporter__phone"))))


def auto_close_due(now: datetime) -> QuerySet[Demand]:
    days = settings.MINSHENG_AUTO_CLOSE_DAYS
    if days <= 0:
        return Demand.objects.none()
    unanswered = DemandEvent.objects.filter(demand=OuterRef("pk"), action=_ATTEMPT, payload__unanswered=True,
                                            created_at__gte=OuterRef("resolved_at"))
    satisfied = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
    return Demand.objects.filter(
        Q(state=State.REVISITED, satisfaction__in=satisfied) | Q(Exists(unanswered), state=State.RESOLVED),
        resolved_at__lte=now - timedelta(days=days))


def auto_close(demand: Demand) -> Demand:
    if demand.state == State.RESOLVED:
        reason = _("回访%(n)d次无人应答，系统自动结案。") % {"n": settings.MINSHENG_REVISIT_TRIES}
    else:
        reason = _("回访满意，系统自动结案。")
    return close_demand(SYSTEM, demand.pk, demand.version, reason=reason)
