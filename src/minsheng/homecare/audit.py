"""The audit of service records: review with photos, a random share revisited by phone (seeded,
recorded draw), approve / query / reject with a reason, and the yearly provider evaluation."""

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.demands.services import require_text
from minsheng.organisation.models import Unit

from .access import AUDITORS, grant_over
from .models import Elder, Evaluation, ProviderCheck, RevisitDraw, ServiceRecord
from .quota import check_quota, policy_on

R = ServiceRecord.Status
DECISIONS = ("approve", "query", "reject")


def _record(record_id: int) -> ServiceRecord:
    record = ServiceRecord.objects.select_for_update().select_related("elder__community", "elder__resident").filter(
        pk=record_id).first()
    if record is None:
        raise NotFound(_("服务记录不存在。"))
    return record


def review(actor, record_id: int, *, decision: str, reason: str = "") -> ServiceRecord:
    """Approve (priced at the policy of the visit's day), query or reject (both with a reason)."""
    if decision not in DECISIONS:
        raise ValidationFailed.for_field("decision", _("请选择审核结论。"))
    if decision != "approve":
        reason = require_text(reason, "reason", _("理由"), 200)
    with transaction.atomic():
        record = _record(record_id)
        grant_over(actor, AUDITORS, record.elder.community)
        if record.statement_id is not None:
            raise InvalidTransition(_("该记录已结算，不能再审核。"))
        # A queried record waits for the provider's correction; the auditor may still reject it.
        if not (record.status == R.SUBMITTED or (record.status == R.QUERIED and decision == "reject")):
            raise InvalidTransition(_("该记录当前为“%(status)s”，不能审核。") % {"status": record.get_status_display()})
        if decision == "approve":
            elder = Elder.objects.select_for_update().select_related("resident").get(pk=record.elder_id)
            # Hours were checked when recorded; a quota lowered since (a grade change) is checked again.
            check_quota(elder, record.month, record.hours, except_record=record.pk)
            price = policy_on(_grade_on(record), timezone.localdate(record.started_at)).hourly_price
            record.hourly_price = price
            record.amount = (record.hours * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            record.status = R.APPROVED
        else:
            record.status = R.QUERIED if decision == "query" else R.REJECTED
        record.review_reason, record.reviewed_by, record.reviewed_at = reason, actor, clock.now()
        record.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "hourly_price", "amount"])
    return record


def _grade_on(record: ServiceRecord) -> str:
    day = timezone.localdate(record.started_at)
    period = record.elder.periods.filter(start__lte=day).order_by("-start").first()
    return period.grade if period else record.elder.grade


def draw_revisits(actor, month: date, *, share: float | None = None, seed: int | None = None,
                  region=None) -> RevisitDraw:
    """Pick a random share of the month's records (in the auditor's scope) for a phone revisit.
    The seed is recorded, so the same draw can be replayed and checked."""
    share = Decimal(str(settings.MINSHENG_HOMECARE_REVISIT_SHARE if share is None else share))
    if not (Decimal(0) < share <= Decimal(1)):
        raise ValidationFailed.for_field("share", _("抽查比例须在 0 到 1 之间。"))
    seed = random.SystemRandom().randrange(2**31) if seed is None else int(seed)
    from .selectors import records_for

    with transaction.atomic():
        ids = sorted(records_for(actor).filter(month=month, revisit_selected=False)
                     .exclude(status=R.REJECTED).values_list("pk", flat=True))
        picked = random.Random(seed).sample(ids, k=round(len(ids) * float(share))) if ids else []
        ServiceRecord.objects.filter(pk__in=picked).update(revisit_selected=True)
        return RevisitDraw.objects.create(month=month, share=share, seed=seed, drawn=len(picked), by=actor,
                                          at=clock.now())


def record_revisit(actor, record_id: int, *, answer: str, satisfied: bool) -> ServiceRecord:
    answer = require_text(answer, "answer", _("回访情况"), 200)
    with transaction.atomic():
        record = _record(record_id)
        grant_over(actor, AUDITORS, record.elder.community)
        record.revisit_selected, record.revisit_answer, record.revisit_satisfied = True, answer, bool(satisfied)
        record.save(update_fields=["revisit_selected", "revisit_answer", "revisit_satisfied"])
    return record


def record_check(actor, provider: Unit, *, kind: str, good: bool, on: date, note: str = "",
                 elder: Elder | None = None) -> ProviderCheck:
    if kind not in ProviderCheck.Kind.values:
        raise ValidationFailed.for_field("kind", _("请选择检查类型。"))
    grant_over(actor, AUDITORS, provider.region)
    return ProviderCheck.objects.create(provider=provider, kind=kind, good=good, on=on, note=note[:200], elder=elder)


def evaluate(actor, provider: Unit, year: int) -> Evaluation:
    """The yearly score out of 100 (docs/homecare.md, "Evaluation"): audit 40 · revisits 20 ·
    random home visits 20 · complaints 20 (2 points off per complaint)."""
    grant_over(actor, AUDITORS, provider.region)
    records = ServiceRecord.objects.filter(provider=provider, month__year=year)
    counts = records.aggregate(approved=Count("pk", filter=Q(status=R.APPROVED)),
                               rejected=Count("pk", filter=Q(status=R.REJECTED)),
                               answered=Count("pk", filter=Q(revisit_satisfied__isnull=False)),
                               satisfied=Count("pk", filter=Q(revisit_satisfied=True)))
    checks = ProviderCheck.objects.filter(provider=provider, on__year=year)
    visits = checks.filter(kind=ProviderCheck.Kind.HOME_VISIT)
    complaints = checks.filter(kind=ProviderCheck.Kind.COMPLAINT).count()

    def share(good: int, total: int) -> Decimal:
        return Decimal(good) / Decimal(total) if total else Decimal(1)

    parts = {
        "audit": share(counts["approved"], counts["approved"] + counts["rejected"]) * 40,
        "revisits": share(counts["satisfied"], counts["answered"]) * 20,
        "home_visits": share(visits.filter(good=True).count(), visits.count()) * 20,
        "complaints": Decimal(max(0, 20 - 2 * complaints)),
    }
    parts = {k: v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for k, v in parts.items()}
    score = sum(parts.values())
    evaluation, _created = Evaluation.objects.update_or_create(
        provider=provider, year=year,
        defaults={"score": score, "parts": {**{k: str(v) for k, v in parts.items()}, **counts,
                                            "complaint_count": complaints}, "at": clock.now()})
    return evaluation
