"""Periodic sweeps run by the worker: yellow and red notices to the handling unit and its
superior (once per deadline), automatic escalation one level up after a configured time
overdue, a notice when a supervision order's written reply or a summoned department's report
is overdue, and for revisits
(revisits.py) the automatic rating link and the automatic closing.

Each sweep is one query for the demands that need something now (the ones already dealt
with are excluded in the database through DeadlineNotice), each on an index: red and
escalation on (state, handle_due), yellow on DeadlineWatch.yellow_at, which the transitions keep
and the yellow notice clears.  Python works only on the new cases.  Running two
sweeps at once is harmless: the unique notice row lets only one of them act.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import State
from minsheng.notifications.services import notify_users
from minsheng.organisation.scope import SYSTEM, may_see

from . import revisits
from .models import DeadlineNotice, DeadlineWatch, SummonedUnit, SupervisionOrder
from .notices import demand_link, notify_units, users_told_about

logger = logging.getLogger("minsheng.supervision")
# Under a running deadline (a suspended demand's clock stands still: blue, no notices).
RUNNING = [State.DISPATCHED, State.IN_PROGRESS]
Kind = DeadlineNotice.Kind


def _noticed(kind: str) -> Exists:
    return Exists(DeadlineNotice.objects.filter(demand=OuterRef("pk"), kind=kind, deadline=OuterRef("handle_due")))


def _settle_watches(now: datetime) -> None:
    """Take out of the yellow range the deadlines already told (by a concurrent sweep, or before
    the watch existed) and those already overdue (red, not yellow, is what they get)."""
    told = DeadlineNotice.objects.filter(demand=OuterRef("demand_id"), kind=Kind.YELLOW,
                                         deadline=OuterRef("handle_due"))
    DeadlineWatch.objects.filter(yellow_at__lte=now).filter(Q(handle_due__lte=now) | Exists(told)).update(
        yellow_at=None)


def yellow_due(now: datetime) -> QuerySet[Demand]:
    """Running demands with less than MINSHENG_YELLOW_SHARE of their time left, not yet told:
    a range on the DeadlineWatch.yellow_at index (the watch exists only while the deadline runs).
    Selected from the watch table, so that no planner walks the demands instead."""
    told = DeadlineNotice.objects.filter(demand=OuterRef("demand_id"), kind=Kind.YELLOW,
                                         deadline=OuterRef("handle_due"))
    turned = (DeadlineWatch.objects.filter(yellow_at__lte=now, handle_due__gt=now).filter(~Exists(told))
              .values("demand_id"))
    return Demand.objects.filter(pk__in=turned)


def red_due(now: datetime) -> QuerySet[Demand]:
    return Demand.objects.filter(state__in=RUNNING, handle_due__lte=now).filter(~_noticed(Kind.RED))


def escalation_due(now: datetime) -> QuerySet[Demand]:
    hours = settings.MINSHENG_ESCALATE_AFTER_HOURS
    if hours <= 0:
        return Demand.objects.none()
    return (Demand.objects.filter(state__in=RUNNING, handle_due__lte=now - timedelta(hours=hours))
            .filter(~_noticed(Kind.ESCALATION)))


def _claim(demand: Demand, kind: str, now: datetime, note: str = "") -> bool:
    """Write the notice row; False when another sweep wrote it first."""
    try:
        with transaction.atomic():
            DeadlineNotice.objects.create(demand=demand, kind=kind, deadline=demand.handle_due,
                                          unit_id=demand.handling_unit_id, note=note, created_at=now)
    except IntegrityError:
        return False
    return True


def _units_to_tell(demand: Demand) -> list[int]:
    unit = demand.handling_unit
    return [unit.pk, unit.parent_id] if unit else []


def _notice(demand: Demand, kind: str, now: datetime) -> bool:
    with transaction.atomic():
        if kind == Kind.YELLOW:  # told (now, or by a concurrent sweep): out of the yellow range
            DeadlineWatch.objects.filter(demand=demand, handle_due=demand.handle_due).update(yellow_at=None)
        if not _claim(demand, kind, now):
            return False
        values = {"number": demand.number, "title": demand.title,
                  "due": f"{timezone.localtime(demand.handle_due):%Y-%m-%d %H:%M}"}
        message = "demand.yellow" if kind == Kind.YELLOW else "demand.red"
        notify_units(demand, _units_to_tell(demand), message, values, f"{kind}:{demand.pk}")
    return True


def _escalate(demand: Demand, now: datetime) -> bool:
    hours = settings.MINSHENG_ESCALATE_AFTER_HOURS
    reason = _("超期 %(hours)s 小时未办结，系统自动上报。") % {"hours": f"{hours:g}"}
    with transaction.atomic():
        if not _claim(demand, Kind.ESCALATION, now):
            return False
        try:
            with transaction.atomic():
                escalated = services.escalate_demand(SYSTEM, demand.pk, demand.version, reason=reason)
        except MinshengError as exc:
            # At the top of the tree, or changed meanwhile: record why, do not try again for this deadline.
            DeadlineNotice.objects.filter(demand=demand, kind=Kind.ESCALATION, deadline=demand.handle_due).update(
                note=exc.message[:255])
            return False
    logger.info("demand %s escalated to unit %s", escalated.number, escalated.handling_unit_id)
    return True


def _each(candidates: QuerySet[Demand], chunk: int = 500, order: str = "handle_due"):
    # The ids first: SQLite gives no isolation between a cursor being read and writes on the
    # same connection, and the sweep writes notices while it goes.
    ids = list(candidates.order_by(order).values_list("pk", flat=True))
    for i in range(0, len(ids), chunk):
        yield from Demand.objects.filter(pk__in=ids[i:i + chunk]).select_related("handling_unit").order_by(order)


def _close(demand: Demand) -> bool:
    try:
        revisits.auto_close(demand)
    except MinshengError as exc:  # changed meanwhile (reopened, closed by hand): nothing to do
        logger.info("demand %s not closed automatically: %s", demand.number, exc.message)
        return False
    return True


def _send_link(demand: Demand) -> bool:
    try:
        revisits.send_revisit_link(SYSTEM, demand.pk, demand.version)
    except MinshengError as exc:  # revisited or tried meanwhile
        logger.info("no revisit link for demand %s: %s", demand.number, exc.message)
        return False
    return True


def notify_overdue_replies(now: datetime) -> int:
    """Tell the supervised unit's superior and the one who ordered it, once, that a written
    reply to a supervision order is overdue."""
    sent = 0
    due = SupervisionOrder.objects.filter(replied_at__isnull=True, overdue_notice_at__isnull=True,
                                          reply_due__lt=now).select_related("demand", "unit")
    for order in due.order_by("reply_due")[:1000]:
        with transaction.atomic():
            # The update is the claim: a concurrent sweep finds the order already noticed.
            if not SupervisionOrder.objects.filter(pk=order.pk, overdue_notice_at__isnull=True).update(
                    overdue_notice_at=now):
                continue
            demand = order.demand
            values = {"number": demand.number, "unit": order.unit.name,
                      "due": f"{timezone.localtime(order.reply_due):%Y-%m-%d %H:%M}"}
            recipients = users_told_about(demand, [order.unit.parent_id])
            if order.ordered_by_id and order.ordered_by not in recipients and may_see(order.ordered_by, demand):
                recipients.append(order.ordered_by)
            notify_users(recipients, message="supervision.reply_overdue", params=values, link=demand_link(demand),
                         source=f"supervision-overdue:{order.pk}")
            sent += 1
    return sent


def notify_overdue_reports(now: datetime) -> int:
    """Tell a summoned department that has not reported in by its limit, and the unit that
    summoned it, once."""
    sent = 0
    due = SummonedUnit.objects.filter(reported_at__isnull=True, overdue_notice_at__isnull=True,
                                      report_due__lt=now).select_related("demand", "unit", "summons")
    for row in due.order_by("report_due")[:1000]:
        with transaction.atomic():
            if not SummonedUnit.objects.filter(pk=row.pk, overdue_notice_at__isnull=True).update(
                    overdue_notice_at=now):
                continue
            values = {"number": row.demand.number, "unit": row.unit.name,
                      "due": f"{timezone.localtime(row.report_due):%Y-%m-%d %H:%M}"}
            notify_units(row.demand, [row.unit_id, row.summons.unit_id], "summons.report_overdue", values,
                         f"summons-overdue:{row.pk}")
            sent += 1
    return sent


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    escalated: int = 0
    closed: int = 0
    replies_overdue: int = 0
    reports_overdue: int = 0
    revisit_links: int = 0


def run_sweeps(now: datetime | None = None) -> SweepResult:
    """One pass of every deadline sweep (the worker calls this every MINSHENG_SWEEP_SECONDS)."""
    now = now or clock.now()
    result = SweepResult()
    for demand in _each(escalation_due(now)):
        result.escalated += _escalate(demand, now)
    for demand in _each(red_due(now)):
        result.red += _notice(demand, Kind.RED, now)
    _settle_watches(now)
    for demand in _each(yellow_due(now), order="pk"):
        if demand.state in RUNNING:
            result.yellow += _notice(demand, Kind.YELLOW, now)
    result.replies_overdue = notify_overdue_replies(now)
    result.reports_overdue = notify_overdue_reports(now)
    for demand in _each(revisits.auto_link_due(now), order="resolved_at"):
        result.revisit_links += _send_link(demand)
    for demand in _each(revisits.auto_close_due(now), order="resolved_at"):
        result.closed += _close(demand)
    if any(vars(result).values()):
        logger.info("sweep: %s", result)
    return result
