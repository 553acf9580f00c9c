"""The register of eligible elders: apply → assess → approve (or refuse), periodic review in and
out (能进能出), grade changes and quota exceptions.  Nothing is deleted; every step is an ElderStep."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.demands.services import require_text
from minsheng.demands.workflow import Channel
from minsheng.people.models import Resident
from minsheng.people.services import find_or_register_resident

from .access import APPROVERS, STAFF, grant_over
from .models import Elder, ElderStep, Grade, GradePeriod, QuotaException
from .quota import month_start
from .tasks import cancel_tasks_of_leaver

S = Elder.Status



def _choice(value: str, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationFailed.for_field(field, _("请选择有效的%(label)s。") % {"label": label})
    return value


def _step(elder: Elder, actor, action: str, note: str = "", grade: str = "") -> None:
    ElderStep.objects.create(elder=elder, action=action, grade=grade, note=note[:300],
                             actor=actor if getattr(actor, "is_authenticated", False) else None, at=clock.now())


def _lock(elder_id: int) -> Elder:
    try:
        return Elder.objects.select_for_update().select_related("resident", "community").get(pk=elder_id)
    except (Elder.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("服务对象不存在。")) from None


def apply(actor, *, name: str, phone: str, community, birth_year: int, support: str, condition: str,
          self_care: str, health: str = "", family: str = "", channel: str = Channel.STATION,
          id_number: str = "", address: str = "", region=None) -> Elder:
    """An application taken at the community, by phone or from any demand channel."""
    grant_over(actor, STAFF, community)
    name = require_text(name, "name", _("姓名"), 50)
    _choice(support, Elder.Support, "support", _("救助类别"))
    _choice(condition, Elder.Condition, "condition", _("困难情形"))
    _choice(self_care, Elder.SelfCare, "self_care", _("自理能力"))
    _choice(channel, Channel, "channel", _("申请渠道"))
    this_year = clock.today().year
    try:
        birth_year = int(birth_year)
    except (TypeError, ValueError):
        birth_year = 0
    if not (1900 <= birth_year <= this_year - settings.MINSHENG_HOMECARE_MIN_AGE):
        raise ValidationFailed.for_field("birth_year", _("申请人须年满 %(age)d 周岁。")
                                         % {"age": settings.MINSHENG_HOMECARE_MIN_AGE})
    with transaction.atomic():
        resident = find_or_register_resident(name=name, phone=phone, id_number=id_number, address=address,
                                             region=region or community, tag_codes=[support])
        existing = Elder.objects.select_for_update().filter(resident=resident).first()
        if existing is not None and existing.status not in (S.REFUSED, S.LEFT):
            raise InvalidTransition(_("%(name)s 已在册（%(status)s），不能重复申请。")
                                    % {"name": resident.name, "status": existing.get_status_display()})
        fields = {"community": community, "birth_year": birth_year, "support": support, "condition": condition,
                  "health": (health or "")[:200], "self_care": self_care, "family": (family or "")[:200],
                  "channel": channel, "status": S.APPLIED, "grade": "", "proposed_grade": "",
                  "applied_at": clock.now(), "left_on": None, "left_reason": "", "joined_on": None}
        if existing is not None:  # re-applying after leaving: the same register row, its history kept
            for k, v in fields.items():
                setattr(existing, k, v)
            existing.save()
            elder = existing
        else:
            elder = Elder.objects.create(resident=resident, **fields)
        _step(elder, actor, "apply", _("渠道：%(channel)s") % {"channel": elder.get_channel_display()})
    return elder


def assess(actor, elder_id: int, *, grade: str, note: str = "") -> Elder:
    """The assessment proposes a grade (甲/乙/丙)."""
    _choice(grade, Grade, "grade", _("等级"))
    with transaction.atomic():
        elder = _lock(elder_id)
        grant_over(actor, STAFF, elder.community)
        if elder.status not in (S.APPLIED, S.ASSESSED):
            raise InvalidTransition(_("只有已申请的对象可以评估。"))
        elder.status, elder.proposed_grade = S.ASSESSED, grade
        elder.save(update_fields=["status", "proposed_grade"])
        _step(elder, actor, "assess", note, grade)
    return elder


def approve(actor, elder_id: int, *, on: date | None = None, note: str = "") -> Elder:
    """The street office approves the assessed grade; service starts on ``on`` (today)."""
    with transaction.atomic():
        elder = _lock(elder_id)
        grant_over(actor, APPROVERS, elder.community)
        if elder.status != S.ASSESSED:
            raise InvalidTransition(_("只有已评估的对象可以审批。"))
        on = on or clock.today()
        elder.status, elder.grade, elder.joined_on = S.ACTIVE, elder.proposed_grade, on
        elder.next_review_on = on + timedelta(days=settings.MINSHENG_HOMECARE_REVIEW_DAYS)
        elder.save(update_fields=["status", "grade", "joined_on", "next_review_on"])
        GradePeriod.objects.create(elder=elder, grade=elder.grade, start=on)
        _step(elder, actor, "approve", note, elder.grade)
    return elder


def refuse(actor, elder_id: int, *, reason: str) -> Elder:
    reason = require_text(reason, "reason", _("理由"), 200)
    with transaction.atomic():
        elder = _lock(elder_id)
        grant_over(actor, APPROVERS, elder.community)
        if elder.status not in (S.APPLIED, S.ASSESSED):
            raise InvalidTransition(_("只有待审批的申请可以不予通过。"))
        elder.status, elder.left_reason = S.REFUSED, reason
        elder.save(update_fields=["status", "left_reason"])
        _step(elder, actor, "refuse", reason)
    return elder


def _require_active(elder: Elder) -> None:
    if elder.status != S.ACTIVE:
        raise InvalidTransition(_("%(name)s 当前不在服务中。") % {"name": elder.resident.name})


def _cover_existing(elder: Elder, actor, since: date, reason: str) -> None:
    """A lower grade or a departure must not leave hours already booked or recorded past the quota
    (docs/homecare.md): the difference becomes an exception, approved by whoever made the change,
    with the reason recorded."""
    from .models import CareTask, ServiceRecord
    from .quota import quota, used_hours

    first = month_start(since)
    months = set(ServiceRecord.objects.filter(elder=elder, month__gte=first).values_list("month", flat=True))
    months |= {month_start(d) for d in CareTask.objects.filter(elder=elder, planned_on__gte=first, done=False
                                                               ).values_list("planned_on", flat=True)}
    for month in sorted(months):
        over = used_hours(elder.pk, month) - quota(elder.pk, month)
        if over > 0:
            user = actor if getattr(actor, "is_authenticated", False) else None
            why = (_("调整前已预约或已记录的服务：%(reason)s") % {"reason": reason})[:200]
            QuotaException.objects.create(elder=elder, month=month, extra_hours=over, requested_by=user,
                                          approved_by=user, approved_at=clock.now(), reason=why)


def change_grade(actor, elder_id: int, *, grade: str, on: date, reason: str) -> Elder:
    """From ``on`` the elder holds ``grade``; the month's quota is pro-rated by day (quota.py)."""
    _choice(grade, Grade, "grade", _("等级"))
    reason = require_text(reason, "reason", _("理由"), 200)
    with transaction.atomic():
        elder = _lock(elder_id)
        grant_over(actor, APPROVERS, elder.community)
        _require_active(elder)
        current = elder.periods.filter(end__isnull=True).get()
        if on <= current.start:
            raise ValidationFailed.for_field(
                "on", _("调整日期须晚于当前等级的起始日期 %(day)s。") % {"day": current.start})
        if grade == current.grade:
            raise ValidationFailed.for_field("grade", _("新等级与当前等级相同。"))
        current.end = on
        current.save(update_fields=["end"])
        GradePeriod.objects.create(elder=elder, grade=grade, start=on)
        elder.grade = grade
        elder.save(update_fields=["grade"])
        _cover_existing(elder, actor, on, reason)
        _step(elder, actor, "change_grade", f"{on}: {reason}", grade)
    return elder


def leave(actor, elder_id: int, *, on: date, reason: str, false_information: bool = False) -> Elder:
    """The elder leaves the scheme from ``on`` (no longer qualifies, or gave false information);
    the register row and all history stay; open care tasks are cancelled on the engine
    (tasks.cancel_tasks_of_leaver says which)."""
    reason = require_text(reason, "reason", _("退出原因"), 200)
    if false_information:
        reason = _("提供虚假信息：%(reason)s") % {"reason": reason}
    with transaction.atomic():
        elder = _lock(elder_id)
        grant_over(actor, APPROVERS, elder.community)
        _require_active(elder)
        current = elder.periods.filter(end__isnull=True).get()
        if on <= current.start:
            on = current.start + timedelta(days=1)
        current.end = on
        current.save(update_fields=["end"])
        elder.status, elder.left_on, elder.left_reason, elder.next_review_on = S.LEFT, on, reason, None
        elder.save(update_fields=["status", "left_on", "left_reason", "next_review_on"])
        # Cancelled first, so that only what may still be recorded counts against the quota below.
        cancel_tasks_of_leaver(actor, elder, on=on, reason=reason)
        _cover_existing(elder, actor, on, reason)
        _step(elder, actor, "leave", reason)
    return elder


def review(actor, elder_id: int, *, still_eligible: bool, note: str, grade: str = "",
           on: date | None = None, false_information: bool = False) -> Elder:
    """The periodic review: the elder stays (optionally with another grade) or leaves."""
    on = on or clock.today()
    note = require_text(note, "note", _("复核意见"), 200)
    if not still_eligible:
        return leave(actor, elder_id, on=on, reason=note, false_information=false_information)
    with transaction.atomic():
        elder = _lock(elder_id)
        grant_over(actor, STAFF, elder.community)
        _require_active(elder)
        if grade and grade != elder.grade:
            change_grade(actor, elder_id, grade=grade, on=on, reason=note)
            elder.refresh_from_db()
        elder.next_review_on = on + timedelta(days=settings.MINSHENG_HOMECARE_REVIEW_DAYS)
        elder.save(update_fields=["next_review_on"])
        _step(elder, actor, "review", note, elder.grade)
    return elder


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        hours = Decimal(0)
    if not (Decimal(0) < hours <= Decimal(200)):
        raise ValidationFailed.for_field("extra_hours", _("增加时长须在 0 到 200 小时之间。"))
    return hours


def request_exception(actor, elder_id: int, *, month: date, extra_hours, reason: str) -> QuotaException:
    hours = _hours(extra_hours)
    reason = require_text(reason, "reason", _("理由"), 200)
    elder = Elder.objects.select_related("community").filter(pk=elder_id).first()
    if elder is None:
        raise NotFound(_("服务对象不存在。"))
    grant_over(actor, STAFF, elder.community)
    return QuotaException.objects.create(elder=elder, month=month_start(month), extra_hours=hours, reason=reason,
                                         requested_by=actor)


def approve_exception(actor, exception_id: int) -> QuotaException:
    with transaction.atomic():
        exc = QuotaException.objects.select_for_update().select_related("elder__community").filter(
            pk=exception_id).first()
        if exc is None:
            raise NotFound(_("额度例外申请不存在。"))
        grant_over(actor, APPROVERS, exc.elder.community)
        if exc.approved_at is not None:
            raise InvalidTransition(_("该额度例外已批准。"))
        exc.approved_by, exc.approved_at = actor, clock.now()
        exc.save(update_fields=["approved_by", "approved_at"])
    return exc


def due_for_review(on: date | None = None):
    return Elder.objects.filter(status=S.ACTIVE, next_review_on__lte=on or clock.today())


def resident_of(elder: Elder) -> Resident:
    return elder.resident
