"""Meal deliveries: a meal booked for the door registers a demand of kind meal_delivery on the one
engine, with this app's rows in the transition table (registered in apps.py) and a Delivery side
row written in the same transaction as each event.

register              —                      → registered    staff booking the meal (services.book_meal)
claim_meal_delivery   registered             → in progress   a volunteer of the area, for themselves
release_meal_delivery in progress            → registered    the claimer, or staff
deliver_meal          in progress            → closed        the claimer (or staff for them): the meal is
                                                             served and the volunteer credited the
                                                             canteen's hours per delivery in the ledger
cancel_meal_delivery  registered/in progress → closed        staff, when the meal is voided
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core import clock
from minsheng.core.errors import NotFound, PermissionDenied
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel, Kind, State, _t
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import SYSTEM_ROLE, Grant
from minsheng.volunteers.models import Volunteer

from .access import COUNTER
from .models import Delivery, Meal

S = State
DELIVERY = {Kind.MEAL_DELIVERY}
CLAIM = _t("claim_meal_delivery", gettext_lazy("认领送餐"), [S.REGISTERED], S.IN_PROGRESS, {Role.VOLUNTEER},
           public=True, kinds=DELIVERY)
RELEASE = _t("release_meal_delivery", gettext_lazy("退回待认领"), [S.IN_PROGRESS], S.REGISTERED,
             COUNTER | {Role.VOLUNTEER}, public=True, kinds=DELIVERY)
DELIVER = _t("deliver_meal", gettext_lazy("确认送达"), [S.IN_PROGRESS], S.CLOSED, COUNTER | {Role.VOLUNTEER},
             public=True, kinds=DELIVERY)
CANCEL = _t("cancel_meal_delivery", gettext_lazy("取消送餐"), [S.REGISTERED, S.IN_PROGRESS], S.CLOSED,
            COUNTER | {SYSTEM_ROLE}, public=True, kinds=DELIVERY)
CHANNELS = {Meal.Channel.PHONE: Channel.HOTLINE, Meal.Channel.GROUP: Channel.WECHAT,
            Meal.Channel.COUNTER: Channel.STATION}


def register_delivery(actor, meal: Meal) -> Delivery:
    """The delivery task of a booked meal (call inside the booking's transaction)."""
    diner, canteen = meal.diner, meal.canteen
    resident = diner.resident
    region = resident.region
    if region is None or not region.path.startswith(canteen.region.path):
        region = canteen.region
    demand = engine.register_demand(
        actor, channel=CHANNELS[meal.channel], demand_type="help", category="labour.elderly",
        kind=Kind.MEAL_DELIVERY, title=_("助餐送餐：%(canteen)s %(sitting)s") % {
            "canteen": canteen.name, "sitting": meal.get_sitting_display()},
        description=_("%(day)s %(sitting)s 从 %(canteen)s 送餐到 %(name)s 家。") % {
            "day": meal.day, "sitting": meal.get_sitting_display(), "canteen": canteen.name,
            "name": resident.name},
        region=region, reporter=resident, address=resident.address, consent=True)
    return Delivery.objects.create(demand=demand, meal=meal)


def _delivery(demand_id) -> Delivery:
    delivery = (Delivery.objects.select_related("demand", "meal__canteen", "meal__diner__resident", "volunteer")
                .filter(demand_id=demand_id).first() if isinstance(demand_id, int) else None)
    if delivery is None:
        raise NotFound(_("送餐任务不存在。"))
    return delivery


def _own(delivery: Delivery, grant: Grant, actor) -> None:
    """A volunteer acts only on the delivery they claimed; staff act for them."""
    if grant.role == Role.VOLUNTEER and (delivery.volunteer is None or delivery.volunteer.resident.user_id != actor.pk):
        raise PermissionDenied(_("只能处理自己认领的送餐任务。"))


def claim_delivery(actor, demand_id: int, version: int) -> Demand:
    """A registered volunteer of the area takes the delivery on."""
    volunteer = Volunteer.objects.select_related("resident").filter(resident__user=actor, active=True).first()
    if volunteer is None:
        raise PermissionDenied(_("你还不是注册志愿者，不能认领送餐。"))
    delivery = _delivery(demand_id)
    with transaction.atomic():
        demand = engine.perform_transition(actor, demand_id, version, CLAIM.action, lambda d, g: {
            "volunteer_id": volunteer.pk, "volunteer_name": volunteer.resident.name, "user_id": actor.pk})
        Delivery.objects.filter(pk=delivery.pk).update(volunteer=volunteer, claimed_at=clock.now())
    return demand


def release_delivery(actor, demand_id: int, version: int, *, reason: str = "") -> Demand:
    reason = engine.require_text(reason, "reason", _("退回原因"), 200)
    delivery = _delivery(demand_id)

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _own(delivery, grant, actor)
        return {"reason": reason, "volunteer_id": delivery.volunteer_id}

    with transaction.atomic():
        demand = engine.perform_transition(actor, demand_id, version, RELEASE.action, build, reason)
        Delivery.objects.filter(pk=delivery.pk).update(volunteer=None, claimed_at=None)
    return demand


def deliver(actor, demand_id: int, version: int, *, note: str = "") -> Demand:
    """The meal reached the elder: the meal is served, the task closed and the volunteer credited
    the canteen's hours per delivery (once: the ledger's reference is the delivery)."""
    from minsheng.ledger import services as ledger

    note = engine.require_text(note, "note", _("送达情况"), 200) if (note or "").strip() else ""
    delivery = _delivery(demand_id)
    hours = Decimal(delivery.meal.canteen.delivery_hours).quantize(Decimal("0.01"))

    def build(demand: Demand, grant: Grant) -> dict[str, Any]:
        _own(delivery, grant, actor)
        return {"volunteer_id": delivery.volunteer_id, "hours": str(hours),
                "result": note or _("餐食已送达。")}

    with transaction.atomic():
        demand = engine.perform_transition(actor, demand_id, version, DELIVER.action, build, note)
        now = clock.now()
        Delivery.objects.filter(pk=delivery.pk).update(delivered_at=now, hours=hours)
        Meal.objects.filter(pk=delivery.meal_id).update(status=Meal.Status.SERVED, served_at=now)
        if hours > 0:
            ledger.credit_service(delivery.volunteer, hours, kind="meal_hours", actor=actor,
                                  reference=f"meal-delivery:{delivery.pk}",
                                  memo=_("助餐送餐 %(number)s") % {"number": demand.number})
    return demand


def cancel_delivery(actor, demand_id: int, version: int, *, reason: str = "") -> Demand:
    reason = engine.require_text(reason, "reason", _("取消原因"), 200)
    _delivery(demand_id)
    return engine.perform_transition(actor, demand_id, version, CANCEL.action, lambda d, g: {"reason": reason},
                                     reason)


def cancel_for_void(actor, delivery: Delivery, reason: str) -> None:
    """The meal was voided (services.void_meal): its open delivery task is cancelled with it."""
    demand = delivery.demand
    if demand.state in CANCEL.sources:
        engine.perform_transition(actor, demand.pk, demand.version, CANCEL.action, lambda d, g: {"reason": reason},
                                  reason)


def _project_claim(d: Demand, e) -> None:
    d.assignee_id, d.accepted_at = e.payload.get("user_id"), e.created_at


def _project_release(d: Demand, e) -> None:
    d.assignee_id = d.accepted_at = None


def _project_deliver(d: Demand, e) -> None:
    d.result, d.resolved_at, d.closed_at = e.payload["result"], e.created_at, e.created_at


def _project_cancel(d: Demand, e) -> None:
    d.close_reason, d.closed_at = e.payload["reason"], e.created_at


# What a delivery waits for (the staff's queues): a volunteer's claim (no staff member's step), then
# its confirmation, by the volunteer or at the counter.
NEXT_STEPS = {S.REGISTERED: (), S.IN_PROGRESS: (DELIVER.action,)}
ACTIONS = [(CLAIM, claim_delivery, _project_claim), (RELEASE, release_delivery, _project_release),
           (DELIVER, deliver, _project_deliver), (CANCEL, cancel_delivery, _project_cancel)]
