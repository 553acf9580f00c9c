"""Care tasks: an elder's request is a demand of kind care_task on the one engine, with this app's
rows in the transition table (registered in apps.py) and a CareTask side table.

claim_care_task   registered/pending/returned → dispatched   a contracted provider claims it
transfer_care_task dispatched/in progress → dispatched        a stopped provider's task moves on
release_care_task  dispatched/in progress → pending dispatch  ... or waits for a claim again
flag_unclaimed     registered (no change)                      nobody claimed it in time
cancel_care_task   any open state → closed                    the elder left the scheme
record_care_visit  dispatched/in progress → resolved          the visit (records.py)

Claiming is open to every contracted provider's worker, but the engine's scope only covers what a
unit already handles; so the claim is checked here (worker of a provider whose contract covers the
elder's community and the service on the day) and written by the system with the worker and the
provider in the event's payload.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.projection import encode_datetime
from minsheng.demands.workflow import Channel, Kind, State, _t
from minsheng.notifications.services import notify_users, staff_users_of_units
from minsheng.organisation.models import Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import SYSTEM, SYSTEM_ROLE, may_see

from .access import APPROVERS, grant_over, provider_of
from .contracts import contract_reason, eligible_providers
from .models import CareService, CareTask, Elder, ProviderContract
from .quota import check_quota, month_start

CARE = {Kind.CARE_TASK}
# Who may book a service for an elder (besides the elder's own account).
INTAKE = frozenset({Role.HOTLINE_OPERATOR, Role.STATION_AGENT, Role.GRID_WORKER, Role.COMMUNITY_STAFF,
                    Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
S = State

# The rows' labels are lazy, read in each request's language (gettext would fix them at import).
CLAIM = _t("claim_care_task", gettext_lazy("服务商认领"), [S.REGISTERED, S.PENDING_DISPATCH, S.RETURNED], S.DISPATCHED,
           {SYSTEM_ROLE}, public=True, kinds=CARE)
# An overdue task the sweeps escalated (the core's escalate row) comes back to a provider through
# these two rows: the core's dispatch does not apply to care tasks.
TRANSFER = _t("transfer_care_task", gettext_lazy("转交服务商"), [S.DISPATCHED, S.IN_PROGRESS, S.ESCALATED],
              S.DISPATCHED, APPROVERS | {SYSTEM_ROLE}, public=True, kinds=CARE)
RELEASE = _t("release_care_task", gettext_lazy("退回待认领"), [S.DISPATCHED, S.IN_PROGRESS, S.ESCALATED],
             S.PENDING_DISPATCH, APPROVERS | {SYSTEM_ROLE}, public=True, kinds=CARE)
FLAG = _t("flag_unclaimed", gettext_lazy("超时未认领"), [S.REGISTERED, S.PENDING_DISPATCH], None, {SYSTEM_ROLE},
          kinds=CARE)
# Every state a care task can be open in (the core's escalate and suspension rows apply to it too).
OPEN_TASK_STATES = [S.REGISTERED, S.PENDING_DISPATCH, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS, S.ESCALATED,
                    S.SUSPENDED]
CANCEL = _t("cancel_care_task", gettext_lazy("取消服务任务"), OPEN_TASK_STATES, S.CLOSED, APPROVERS | {SYSTEM_ROLE},
            public=True, kinds=CARE)


def _project_claim(demand: Demand, event) -> None:
    p = event.payload
    demand.handling_unit_id, demand.assignee_id = p["provider_id"], p.get("worker_id")
    demand.dispatched_at, demand.accepted_at = event.created_at, None
    demand.contact_due, demand.handle_due = datetime.fromisoformat(p["contact_due"]), datetime.fromisoformat(
        p["handle_due"])


def _deadlines(task: "CareTask") -> dict[str, str]:
    """A claimed task is due by the end of its planned day (at least two hours from now); the
    provider contacts the elder within a day, or by then."""
    now = clock.now()
    day_end = timezone.make_aware(datetime.combine(task.planned_on, time(23, 59)))
    handle_due = max(day_end, now + timedelta(hours=2))
    return {"contact_due": encode_datetime(min(now + timedelta(hours=24), handle_due)),
            "handle_due": encode_datetime(handle_due)}


def _project_release(demand: Demand, event) -> None:
    demand.handling_unit_id = demand.assignee_id = None


def _project_cancel(demand: Demand, event) -> None:
    demand.close_reason, demand.closed_at = event.payload["reason"], event.created_at


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        hours = Decimal(0)
    if not (Decimal(0) < hours <= Decimal(24)):
        raise ValidationFailed.for_field("hours", _("预约时长须在 0 到 24 小时之间。"))
    return hours


def request_care(actor, elder_id: int, *, service, planned_on: date, hours, note: str = "",
                 channel: str = Channel.HOTLINE) -> CareTask:
    """An elder's request (by the elder's own account or taken by staff) becomes a care task."""
    hours = _hours(hours)
    service = service if isinstance(service, CareService) else CareService.objects.filter(
        code=service, active=True).first()
    if service is None:
        raise ValidationFailed.for_field("service", _("请选择有效的服务项目。"))
    with transaction.atomic():
        elder = Elder.objects.select_for_update().select_related("resident", "community").filter(pk=elder_id).first()
        if elder is None:
            raise NotFound(_("服务对象不存在。"))
        if elder.resident.user_id is None or elder.resident.user_id != getattr(actor, "pk", None):
            # Someone else books for the elder: intake staff whose territory covers the elder's community.
            grant_over(actor, INTAKE, elder.community)
        if elder.status != Elder.Status.ACTIVE:
            raise InvalidTransition(_("%(name)s 当前不在服务中，不能预约服务。") % {"name": elder.resident.name})
        check_quota(elder, month_start(planned_on), hours)
        region = elder.resident.region
        if region is None or not region.path.startswith(elder.community.path):
            region = elder.community
        demand = engine.register_demand(
            actor, channel=channel, demand_type="help", category="labour.elderly", kind=Kind.CARE_TASK,
            title=_("居家养老：%(service)s") % {"service": service.name},
            description=_("%(name)s 预约 %(day)s %(service)s %(hours)s 小时。%(note)s") % {
                "name": elder.resident.name, "day": planned_on, "service": service.name, "hours": hours,
                "note": note},
            region=region, reporter=elder.resident, consent=True)
        return CareTask.objects.create(demand=demand, elder=elder, service=service, planned_on=planned_on,
                                       planned_hours=hours)


def _task(task_id: int) -> CareTask:
    task = CareTask.objects.select_related("demand", "elder__community", "elder__resident", "service").filter(
        pk=task_id).first()
    if task is None:
        raise NotFound(_("服务任务不存在。"))
    return task


def claim(actor, task_id: int) -> CareTask:
    """A provider's worker claims the task for their provider."""
    provider = provider_of(actor)
    if provider is None:
        raise PermissionDenied(_("只有服务商的工作人员可以认领服务任务。"))
    task = _task(task_id)
    reason = contract_reason(provider, task.elder.community, task.service, task.planned_on)
    if reason:
        raise PermissionDenied(reason)
    with transaction.atomic():
        engine.perform_transition(SYSTEM, task.demand_id, task.demand.version, CLAIM.action,
                                  lambda d, g: {"provider_id": provider.pk, "worker_id": actor.pk,
                                                "claimed_by": actor.get_username(), **_deadlines(task)})
        now = clock.now()
        CareTask.objects.filter(pk=task.pk).update(provider=provider, claimed_by=actor, claimed_at=now)
    return _task(task_id)


def move_tasks_of(actor, provider: Unit) -> dict[str, int]:
    """Move a stopped provider's open tasks to another eligible provider (or back to claiming)."""
    moved = released = 0
    open_tasks = CareTask.objects.filter(provider=provider, done=False,
                                         demand__state__in=[S.DISPATCHED, S.IN_PROGRESS, S.ESCALATED]).select_related(
        "demand", "elder__community", "service")
    for task in open_tasks:
        others = [u for u in eligible_providers(task.elder.community, task.service, task.planned_on)
                  if u.pk != provider.pk]
        if others:
            target = min(others, key=lambda u: CareTask.objects.filter(provider=u, done=False).count())
            payload = {"provider_id": target.pk, "from_provider_id": provider.pk, **_deadlines(task)}
            engine.perform_transition(actor, task.demand_id, task.demand.version, TRANSFER.action,
                                      lambda d, g, p=payload: p)
            CareTask.objects.filter(pk=task.pk).update(provider=target, claimed_by=None, claimed_at=clock.now())
            moved += 1
        else:
            engine.perform_transition(actor, task.demand_id, task.demand.version, RELEASE.action,
                                      lambda d, g: {"from_provider_id": provider.pk})
            CareTask.objects.filter(pk=task.pk).update(provider=None, claimed_by=None, claimed_at=None)
            released += 1
    return {"moved": moved, "released": released}


def set_provider_status(actor, provider: Unit, *, status: str, reason: str) -> dict[str, int]:
    """Order a provider to rectify, or stop it (its open tasks move to another provider)."""
    reason = engine.require_text(reason, "reason", _("理由"), 200)
    if status not in ProviderContract.Status.values:
        raise ValidationFailed.for_field("status", _("请选择有效的状态。"))
    grant_over(actor, APPROVERS, provider.region)
    with transaction.atomic():
        ProviderContract.objects.filter(provider=provider).exclude(
            status=ProviderContract.Status.STOPPED).update(status=status, status_reason=reason)
        if status == ProviderContract.Status.STOPPED:
            return move_tasks_of(actor, provider)
    return {"moved": 0, "released": 0}


def cancel_tasks_of_leaver(actor, elder: Elder, *, on: date, reason: str) -> int:
    """Cancel the open tasks of an elder who leaves the scheme from ``on`` (call inside the
    leaving transaction).  Cancelled: every unclaimed task (no provider took it on, and none may
    now) and every task for a day from ``on``, when the elder is no longer served.  A task a
    provider claimed for a day before ``on`` stays open: the visit may have been made while the
    elder was still on the scheme and be recorded late (records.check_visit accepts it), and the
    provider is paid for it."""
    open_tasks = CareTask.objects.filter(elder=elder, done=False, demand__state__in=OPEN_TASK_STATES).exclude(
        provider__isnull=False, planned_on__lt=on).select_related("demand", "service")
    note = (_("服务对象退出居家养老：%(reason)s") % {"reason": reason})[:200]
    cancelled = 0
    for task in open_tasks:
        engine.perform_transition(actor, task.demand_id, task.demand.version, CANCEL.action,
                                  lambda d, g: {"reason": note, "from_provider_id": d.handling_unit_id}, note)
        if task.provider_id:
            # The provider planned the visit: without a word its worker would still knock on the door.
            notify_users(staff_users_of_units([task.provider_id]), source="homecare.cancelled",
                         message="homecare.cancelled",
                         params={"name": elder.resident.name, "day": str(task.planned_on), "service": task.service.name,
                                 "note": note}, link="/care/worker/")
        cancelled += 1
    return cancelled


def flag_unclaimed() -> int:
    """The periodic job: tasks nobody claimed within MINSHENG_HOMECARE_CLAIM_HOURS are flagged to
    their community (an event on the task and a message to the community committee's staff)."""
    limit = clock.now() - timedelta(hours=settings.MINSHENG_HOMECARE_CLAIM_HOURS)
    tasks = CareTask.objects.filter(provider__isnull=True, flagged_at__isnull=True, demand__registered_at__lte=limit,
                                    demand__state__in=[S.REGISTERED, S.PENDING_DISPATCH]).select_related(
        "demand", "elder__community", "elder__resident", "service")
    flagged = 0
    for task in tasks:
        with transaction.atomic():
            engine.perform_transition(SYSTEM, task.demand_id, task.demand.version, FLAG.action,
                                      lambda d, g: {"hours": settings.MINSHENG_HOMECARE_CLAIM_HOURS})
            CareTask.objects.filter(pk=task.pk).update(flagged_at=clock.now())
            committees = Unit.objects.filter(region=task.elder.community, kind=Unit.Kind.COMMUNITY_COMMITTEE,
                                             memberships__role=Role.COMMUNITY_STAFF).values_list("pk", flat=True)
            told = [user for user in staff_users_of_units(committees) if may_see(user, task.demand)]
            notify_users(told, source="homecare.unclaimed", message="homecare.unclaimed",
                         params={"name": task.elder.resident.name, "service": task.service.name},
                         link=f"/work/demands/{task.demand_id}/")
        flagged += 1
    return flagged


# --- the engine's calling convention (actor, demand id, version) ---------------------------

def _task_of(demand_id) -> CareTask:
    task = CareTask.objects.filter(demand_id=demand_id).first() if isinstance(demand_id, int) else None
    if task is None:
        raise NotFound(_("服务任务不存在。"))
    return task


def claim_by_demand(actor, demand_id: int, version: int) -> Demand:
    return claim(actor, _task_of(demand_id).pk).demand


def transfer_by_demand(actor, demand_id: int, version: int, *, unit=None) -> Demand:
    """Move one task to another provider under contract for it."""
    task = _task_of(demand_id)
    target = unit if isinstance(unit, Unit) else Unit.objects.filter(
        code=unit, kind=Unit.Kind.CARE_PROVIDER).first() if unit else None
    if target is None or contract_reason(target, task.elder.community, task.service, task.planned_on):
        raise ValidationFailed.for_field("unit", _("请选择与该社区、该服务签有合同的服务商。"))
    with transaction.atomic():
        demand = engine.perform_transition(actor, demand_id, version, TRANSFER.action, lambda d, g: {
            "provider_id": target.pk, "from_provider_id": d.handling_unit_id, **_deadlines(task)})
        CareTask.objects.filter(pk=task.pk).update(provider=target, claimed_by=None, claimed_at=clock.now())
    return demand


def release_by_demand(actor, demand_id: int, version: int) -> Demand:
    task = _task_of(demand_id)
    with transaction.atomic():
        demand = engine.perform_transition(actor, demand_id, version, RELEASE.action,
                                           lambda d, g: {"from_provider_id": d.handling_unit_id})
        CareTask.objects.filter(pk=task.pk).update(provider=None, claimed_by=None, claimed_at=None)
    return demand


def cancel_by_demand(actor, demand_id: int, version: int, *, reason: str = "") -> Demand:
    """Cancel one task of an elder who is no longer on the scheme (the engine's convention)."""
    task = _task_of(demand_id)
    reason = engine.require_text(reason, "reason", _("理由"), 200)
    if task.elder.status == Elder.Status.ACTIVE:
        raise InvalidTransition(_("%(name)s 仍在服务中，服务任务不能取消。") % {"name": task.elder.resident.name})
    return engine.perform_transition(actor, demand_id, version, CANCEL.action,
                                     lambda d, g: {"reason": reason, "from_provider_id": d.handling_unit_id}, reason)


def flag_by_demand(actor, demand_id: int, version: int) -> Demand:
    _task_of(demand_id)
    return engine.perform_transition(actor, demand_id, version, FLAG.action,
                                     lambda d, g: {"hours": settings.MINSHENG_HOMECARE_CLAIM_HOURS})


# What a task waits for (the staff's queues): a provider's claim from the pool (the homecare pages,
# not a queue: no unit handles it yet), a transfer or a release by the street once escalated, and
# from dispatch on the provider's worker's visit record (records.RECORD).
NEXT_STEPS = {S.PENDING_DISPATCH: (CLAIM.action,), S.RETURNED: (CLAIM.action,),
              S.ESCALATED: (TRANSFER.action, RELEASE.action),
              S.DISPATCHED: ("record_care_visit",), S.IN_PROGRESS: ("record_care_visit",)}
ACTIONS = [(CLAIM, claim_by_demand, _project_claim), (TRANSFER, transfer_by_demand, _project_claim),
           (RELEASE, release_by_demand, _project_release), (FLAG, flag_by_demand, None),
           (CANCEL, cancel_by_demand, _project_cancel)]
