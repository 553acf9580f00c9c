"""Grade policies and monthly quotas (docs/homecare.md, "The quota rule").

A month's quota for an elder is the sum, over the days of the month on which the elder held a
grade, of that grade's monthly hours (from the policy valid on that day) divided by the number of
days in the month, rounded to a hundredth of an hour; approved exceptions for the month add their
hours.  So a grade change on the 16th of a 30-day month gives 15/30 of the old grade's hours plus
15/30 of the new one's.  Booked hours (open tasks) and recorded hours (records not rejected) of the
month together may never exceed it.
"""

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from minsheng.core.errors import ValidationFailed

from .models import CareTask, GradePeriod, GradePolicy, QuotaException, ServiceRecord

HUNDREDTH = Decimal("0.01")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_days(month: date) -> list[date]:
    n = calendar.monthrange(month.year, month.month)[1]
    return [month + timedelta(days=i) for i in range(n)]


def policy_on(grade: str, day: date) -> GradePolicy:
    policy = GradePolicy.objects.filter(grade=grade, valid_from__lte=day).order_by("-valid_from").first()
    if policy is None:
        raise ValidationFailed.for_field("grade", _("%(day)s 没有有效的等级政策，请先设置。") % {"day": day})
    return policy


def _policies(grades) -> dict[str, list[GradePolicy]]:
    out: dict[str, list[GradePolicy]] = {}
    for p in GradePolicy.objects.filter(grade__in=grades).order_by("valid_from"):
        out.setdefault(p.grade, []).append(p)
    return out


def base_quota(elder_id: int, month: date) -> Decimal:
    """The grade hours of the month, pro-rated by day over grade periods and dated policies."""
    days = month_days(month)
    end = days[-1] + timedelta(days=1)
    periods = list(GradePeriod.objects.filter(elder_id=elder_id, start__lt=end)
                   .filter(Q(end__isnull=True) | Q(end__gt=month)))
    if not periods:
        return Decimal("0.00")
    policies = _policies({p.grade for p in periods})
    total = Decimal(0)
    for day in days:
        period = next((p for p in periods if p.start <= day and (p.end is None or day < p.end)), None)
        if period is None:
            continue
        valid = [p for p in policies.get(period.grade, []) if p.valid_from <= day]
        if valid:
            total += valid[-1].monthly_hours / len(days)
    return total.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def approved_extra(elder_id: int, month: date) -> Decimal:
    extra = QuotaException.objects.filter(elder_id=elder_id, month=month, approved_at__isnull=False
                                          ).aggregate(s=Sum("extra_hours"))["s"]
    return extra or Decimal("0.00")


def quota(elder_id: int, month: date) -> Decimal:
    return base_quota(elder_id, month) + approved_extra(elder_id, month)


def used_hours(elder_id: int, month: date, *, except_record: int | None = None,
               except_task: int | None = None) -> Decimal:
    """Hours booked (open tasks without a record yet) and recorded (records not rejected)."""
    records = ServiceRecord.objects.filter(elder_id=elder_id, month=month).exclude(
        status=ServiceRecord.Status.REJECTED)
    if except_record:
        records = records.exclude(pk=except_record)
    tasks = CareTask.objects.filter(elder_id=elder_id, planned_on__gte=month,
                                    planned_on__lt=month_days(month)[-1] + timedelta(days=1),
                                    done=False, demand__state__in=_OPEN_TASK_STATES)
    if except_task:
        tasks = tasks.exclude(pk=except_task)
    return ((records.aggregate(s=Sum("hours"))["s"] or Decimal(0))
            + (tasks.aggregate(s=Sum("planned_hours"))["s"] or Decimal(0)))


def check_quota(elder, month: date, hours: Decimal, **excluding) -> None:
    """Refuse ``hours`` more for ``elder`` in ``month`` past the quota (call with the elder locked)."""
    limit = quota(elder.pk, month)
    used = used_hours(elder.pk, month, **excluding)
    if used + hours > limit:
        raise ValidationFailed.for_field("hours", _(
            "%(name)s %(month)s 的服务时长额度为 %(limit)s 小时，已预约和已记录 %(used)s 小时，"
            "再加 %(hours)s 小时将超出额度；超出须先经批准的额度例外。")
            % {"name": elder.resident.name, "month": f"{month:%Y-%m}", "limit": limit, "used": used,
               "hours": hours})


_OPEN_TASK_STATES = ["registered", "pending_dispatch", "dispatched", "in_progress", "returned", "escalated",
                     "suspended"]
