"""Service records: the worker records a visit on a phone; impossible records are refused with the
reason (docs/homecare.md, "Refusals").  Recording the visit resolves the task on the engine."""

import io
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.core.images import clean_photos
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Kind, State, _t

from .access import WORKERS
from .contracts import contract_reason
from .models import CareService, CareTask, Elder, RecordPhoto, ServiceRecord, Statement
from .quota import check_quota, month_start

# Labels of the transition table are lazy: they are read in each request's language (gettext here
# would fix them in whichever language was active at import).
RECORD = _t("record_care_visit", gettext_lazy("记录服务"), [State.DISPATCHED, State.IN_PROGRESS], State.RESOLVED,
            WORKERS, scope="handling", public=True, kinds={Kind.CARE_TASK})
CORRECT_FIELDS = ("started_at", "ended_at")
LIVE = (ServiceRecord.Status.SUBMITTED, ServiceRecord.Status.QUERIED, ServiceRecord.Status.APPROVED)


def _project_record(demand: Demand, event) -> None:
    demand.result = event.payload["result"]
    demand.resolved_at = event.created_at


def hours_between(start: datetime, end: datetime) -> Decimal:
    seconds = Decimal((end - start).total_seconds())
    return (seconds / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_visit(*, worker, provider, elder: Elder, service: CareService, start: datetime, end: datetime,
                record_id: int | None = None) -> Decimal:
    """The visit's hours, or a refusal saying why the record is impossible (elder locked by the caller)."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed.for_field("started_at", _("请填写完整的开始和结束时间。"))
    if end <= start:
        raise ValidationFailed.for_field("ended_at", _("结束时间必须晚于开始时间。"))
    if timezone.localdate(start) != timezone.localdate(end):
        raise ValidationFailed.for_field("ended_at", _("一次上门服务不能跨天：开始 %(start)s，结束 %(end)s。") % {
            "start": f"{timezone.localtime(start):%m-%d %H:%M}", "end": f"{timezone.localtime(end):%m-%d %H:%M}"})
    if end > clock.now():
        raise ValidationFailed.for_field("ended_at", _("不能记录尚未结束的服务。"))
    day = timezone.localdate(start)
    if elder.status not in (Elder.Status.ACTIVE, Elder.Status.LEFT) or not elder.periods.filter(
            start__lte=day).exclude(end__lte=day).exists():
        raise ValidationFailed.for_field("started_at", _("%(day)s %(name)s 不在服务期内。") % {
            "day": day, "name": elder.resident.name})
    reason = contract_reason(provider, elder.community, service, day)
    if reason:
        raise ValidationFailed.for_field("started_at", _("超出服务合同：%(reason)s") % {"reason": reason})
    overlap = ServiceRecord.objects.filter(worker=worker, started_at__lt=end, ended_at__gt=start,
                                           status__in=LIVE).exclude(pk=record_id).select_related("elder__resident")
    clash = overlap.first()
    if clash is not None:
        raise ValidationFailed.for_field("started_at", _(
            "与你的另一条服务记录时间重叠（%(name)s %(start)s–%(end)s），同一人不能同时在两处服务。") % {
            "name": clash.elder.resident.name, "start": f"{timezone.localtime(clash.started_at):%H:%M}",
            "end": f"{timezone.localtime(clash.ended_at):%H:%M}"})
    month = month_start(day)
    if Statement.objects.filter(provider=provider, month=month).exists():
        raise ValidationFailed.for_field("started_at", _("%(month)s 已结算，不能再记录该月的服务。") % {
            "month": f"{month:%Y-%m}"})
    return hours_between(start, end)


SIGNATURE_MAX_BYTES = 200 * 1024
SIGNATURE_MAX_SIDE = 2000
# A phone's clock may run a little ahead: a check-out up to this far in the future is taken as now.
DEVICE_CLOCK_SLACK = timedelta(minutes=5)


def clean_signature(uploaded, field: str = "signature", blank_message: str | None = None) -> ContentFile | None:
    """The elder's or family member's signature from the phone's pad: a PNG of at most 200 KB and
    2000 px a side with some ink on it, re-encoded (nothing but the pixels is kept); None when
    there is none.  Mediation agreements take their parties' signatures through it too
    (``blank_message`` names who should sign)."""
    if not uploaded:
        return None
    if uploaded.size > SIGNATURE_MAX_BYTES:
        raise ValidationFailed.for_field(field, _("签名图片不能超过 %(kb)d KB。") % {"kb": SIGNATURE_MAX_BYTES // 1024})
    try:
        image = Image.open(uploaded, formats=["PNG"])
        if max(image.size) > SIGNATURE_MAX_SIDE:
            raise ValidationFailed.for_field(field, _("签名图片过大。"))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed.for_field(field, _("签名须为 PNG 图片。")) from exc
    with image:
        clean = image.convert("RGBA")
    if clean.getchannel("A").getbbox() is None or clean.convert("L").getextrema() == (255, 255):
        raise ValidationFailed.for_field(field, blank_message or _("签名是空白的，请老人或家属签名。"))
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name="signature.png")


def _position(place, field: str) -> tuple[Decimal | None, Decimal | None]:
    if not place or place[0] in (None, "") or place[1] in (None, ""):
        return None, None
    try:
        lat, lng = Decimal(str(place[0])).quantize(Decimal("0.000001")), Decimal(str(place[1])).quantize(
            Decimal("0.000001"))
    except InvalidOperation:
        raise ValidationFailed.for_field(field, _("位置格式不正确。")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed.for_field(field, _("位置超出范围。"))
    return lat, lng


def record_visit(worker, demand_id: int, version: int, *, started_at: datetime | None = None,
                 ended_at: datetime | None = None, confirmed_by: str = "", services_done=(),
                 photos=(), signature=None, check_in=None, check_out=None, device_times: bool = False
                 ) -> ServiceRecord:
    """The worker of the provider handling the task records the visit; the task is resolved.
    From the field app the times are the phone's at check-in and check-out (``device_times``: a
    check-out a few minutes ahead of the server's clock is taken as now), with the phone's
    positions (``check_in``/``check_out``: (lat, lng)) and the signature drawn on its screen."""
    task = CareTask.objects.select_related("service").filter(demand_id=demand_id).first() \
        if isinstance(demand_id, int) else None
    if task is None:
        raise NotFound(_("服务任务不存在。"))
    if started_at is None or ended_at is None:
        raise ValidationFailed.for_field("started_at", _("请填写完整的开始和结束时间。"))
    if device_times and clock.now() < ended_at <= clock.now() + DEVICE_CLOCK_SLACK:
        ended_at = clock.now()
    confirmed_by = engine.require_text(confirmed_by, "confirmed_by", _("确认人（老人或家属）"), 50)
    photos = clean_photos(photos)
    signature = clean_signature(signature)
    (in_lat, in_lng), (out_lat, out_lng) = _position(check_in, "check_in"), _position(check_out, "check_out")
    codes = sorted(set(services_done) | {task.service.code})
    if CareService.objects.filter(code__in=codes).count() != len(codes):
        raise ValidationFailed.for_field("services_done", _("请选择有效的服务项目。"))
    created: dict[str, ServiceRecord] = {}

    def build(demand: Demand, grant) -> dict:
        elder = Elder.objects.select_for_update().select_related("resident", "community").get(pk=task.elder_id)
        provider = demand.handling_unit
        locked = CareTask.objects.select_for_update().get(pk=task.pk)
        if locked.done:
            raise InvalidTransition(_("该任务已有服务记录。"))
        hours = check_visit(worker=worker, provider=provider, elder=elder, service=task.service, start=started_at,
                            end=ended_at)
        month = month_start(timezone.localdate(started_at))
        check_quota(elder, month, hours, except_task=task.pk)
        record = ServiceRecord.objects.create(
            task=task, elder=elder, provider=provider, service=task.service, services_done=" ".join(codes),
            worker=worker, started_at=started_at, ended_at=ended_at, month=month, hours=hours,
            confirmed_by=confirmed_by, created_at=clock.now(), check_in_latitude=in_lat, check_in_longitude=in_lng,
            check_out_latitude=out_lat, check_out_longitude=out_lng)
        if signature is not None:
            record.signature.save(signature.name, signature, save=False)
            record.save(update_fields=["signature"])
        for photo in photos:
            RecordPhoto.objects.create(record=record, file=photo)
        CareTask.objects.filter(pk=task.pk).update(done=True)
        created["record"] = record
        result = _("已上门服务 %(hours)s 小时（%(confirmed)s 确认）") % {"hours": hours, "confirmed": confirmed_by}
        return {"record_id": record.pk, "hours": str(hours), "result": result}

    engine.perform_transition(worker, task.demand_id, version, RECORD.action, build)
    return created["record"]


def correct_record(worker, record_id: int, *, started_at: datetime, ended_at: datetime) -> ServiceRecord:
    """The worker corrects the times of a record the audit queried; it goes back to review."""
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            raise NotFound(_("服务记录不存在。"))
        if record.worker_id != getattr(worker, "pk", None):
            raise InvalidTransition(_("只能补正自己的服务记录。"))
        if record.status != ServiceRecord.Status.QUERIED:
            raise InvalidTransition(_("只有存疑的记录可以补正。"))
        elder = Elder.objects.select_for_update().select_related("resident", "community").get(pk=record.elder_id)
        hours = check_visit(worker=worker, provider=record.provider, elder=elder, service=record.service,
                            start=started_at, end=ended_at, record_id=record.pk)
        month = month_start(timezone.localdate(started_at))
        check_quota(elder, month, hours, except_record=record.pk)
        record.started_at, record.ended_at, record.hours, record.month = started_at, ended_at, hours, month
        record.status = ServiceRecord.Status.SUBMITTED
        record.save(update_fields=["started_at", "ended_at", "hours", "month", "status"])
    return record


ACTIONS = [(RECORD, record_visit, _project_record)]
