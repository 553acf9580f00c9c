"""督办 and 吹哨报到 as demand transitions.

Each function runs one transition of the workflow table through the demands' common path
(role → input → lock → version → scope → state → one DemandEvent) and writes its own rows
and its messages in the same transaction, so the history, the tables and the outbox agree.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.dates import check_date
from minsheng.core.errors import InvalidTransition, ValidationFailed
from minsheng.demands.models import Demand
from minsheng.demands.projection import encode_datetime
from minsheng.demands.services import perform_transition, require_text
from minsheng.organisation.models import Unit
from minsheng.organisation.scope import Grant

from .models import SummonedUnit, Summons, SupervisionOrder
from .notices import notify_units

MAX_SUMMONED = 10


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _future(value, field: str, label: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationFailed.for_field(field, _("请填写%(label)s。") % {"label": label})
    check_date(value, field)
    if value <= clock.now():
        raise ValidationFailed.for_field(field, _("%(label)s必须晚于现在。") % {"label": label})
    return value


def _last_event(demand: Demand):
    return demand.events.order_by("-seq").first()


def order_supervision(actor, demand_id: int, version: int, *, instruction: str, reply_by: datetime) -> Demand:
    """督办: the handling unit must reply in writing by ``reply_by``; it and its superior are told."""
    instruction = require_text(instruction, "instruction", _("督办要求"))
    reply_by = _future(reply_by, "reply_by", _("回复期限"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        return {"unit_id": demand.handling_unit_id, "reply_due": encode_datetime(timezone.localtime(reply_by))}

    with transaction.atomic():
        demand = perform_transition(actor, demand_id, version, "order_supervision", build, instruction)
        order = SupervisionOrder.objects.create(
            demand=demand, event_seq=demand.version, unit_id=demand.handling_unit_id, ordered_by=_actor_user(actor),
            instruction=instruction, reply_due=reply_by, created_at=clock.now())
        values = {"number": demand.number, "title": demand.title,
                  "due": f"{timezone.localtime(reply_by):%Y-%m-%d %H:%M}"}
        notify_units(demand, [demand.handling_unit_id, demand.handling_unit.parent_id], "supervision.ordered",
                     {**values, "instruction": instruction}, f"supervision:{order.pk}")
    return demand


def reply_supervision(actor, demand_id: int, version: int, *, reply: str) -> Demand:
    """The handling unit's written reply to the oldest open supervision order of the demand."""
    reply = require_text(reply, "reply", _("回复内容"))
    found: dict[str, SupervisionOrder] = {}

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        order = demand.supervision_orders.filter(replied_at__isnull=True).order_by("created_at").first()
        if order is None:
            raise InvalidTransition(_("诉求 %(number)s 没有待回复的督办。") % {"number": demand.number})
        found["order"] = order
        return {"order_id": order.pk}

    with transaction.atomic():
        demand = perform_transition(actor, demand_id, version, "reply_supervision", build, reply)
        order = found["order"]
        order.reply, order.replied_by, order.replied_at = reply, _actor_user(actor), clock.now()
        order.save(update_fields=["reply", "replied_by", "replied_at"])
    return demand


def summon_units(actor, demand_id: int, version: int, *, units, reason: str,
                 report_hours: float | None = None) -> Demand:
    """吹哨: summon departments to one demand; each must report in within ``report_hours``."""
    reason = require_text(reason, "reason", _("吹哨事由"))
    hours = settings.MINSHENG_WHISTLE_REPORT_HOURS if report_hours in (None, "") else report_hours
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 0 < hours <= 24 * 30:
        raise ValidationFailed.for_field("report_hours", _("报到时限必须在0到720小时之间。"))
    wanted = {u.pk if isinstance(u, Unit) else u for u in units or []}
    ids, codes = {u for u in wanted if isinstance(u, int)}, {u for u in wanted if isinstance(u, str)}
    found = list(Unit.objects.filter(Q(pk__in=ids) | Q(code__in=codes), active=True).order_by("path"))
    if not found or len(found) != len(wanted):
        raise ValidationFailed.for_field("units", _("请选择要吹哨的单位（须为启用的单位）。"))
    if len(found) > MAX_SUMMONED:
        raise ValidationFailed.for_field("units", _("一次最多吹哨%(n)d个单位。") % {"n": MAX_SUMMONED})
    due = clock.now() + timedelta(hours=hours)

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        return {"unit_ids": [u.pk for u in found], "report_due": encode_datetime(timezone.localtime(due)),
                "by_unit_id": grant.unit_id}

    with transaction.atomic():
        demand = perform_transition(actor, demand_id, version, "summon", build, reason)
        event = _last_event(demand)
        summons = Summons.objects.create(demand=demand, event_seq=demand.version, unit_id=event.actor_unit_id,
                                         summoned_by=_actor_user(actor), reason=reason, created_at=clock.now())
        SummonedUnit.objects.bulk_create([SummonedUnit(summons=summons, demand=demand, unit=u, report_due=due)
                                          for u in found])
        values = {"number": demand.number, "title": demand.title, "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"}
        notify_units(demand, [u.pk for u in found], "summons.summoned", {**values, "reason": reason},
                     f"summons:{summons.pk}")
    return demand


def report_in(actor, demand_id: int, version: int, *, report: str) -> Demand:
    """报到: a summoned department reports in (for its unit's oldest open summons)."""
    report = require_text(report, "report", _("报到情况"))
    found: dict[str, SummonedUnit] = {}

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        mine = SummonedUnit.objects.filter(demand=demand, reported_at__isnull=True).select_related("unit")
        row = next((r for r in mine.order_by("report_due", "pk")
                    if grant.unit_path == "" or (grant.unit_path and r.unit.path.startswith(grant.unit_path))), None)
        if row is None:
            raise InvalidTransition(_("你的单位没有需要对诉求 %(number)s 报到的吹哨。") % {"number": demand.number})
        found["row"] = row
        return {"summoned_unit_id": row.pk, "unit_id": row.unit_id, "late": clock.now() > row.report_due}

    with transaction.atomic():
        demand = perform_transition(actor, demand_id, version, "report_in", build, report)
        row = found["row"]
        row.report, row.reported_by, row.reported_at = report, _actor_user(actor), clock.now()
        row.save(update_fields=["report", "reported_by", "reported_at"])
    return demand
