"""Meals taken at the counter (card, QR or the elder's phone), meals booked on an elder's behalf
(by phone or in the message group; delivered ones become a delivery task, ``deliveries.py``),
corrections (a meal recorded in error is voided with its reason, never deleted) and food-safety
checks with photos.  Each meal is priced and split by the policy valid on its day (``pricing``)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.core.images import clean_photos
from minsheng.demands.services import require_text
from minsheng.people.services import PhoneSearch, log_phone_search
from minsheng.people.validation import normalise_phone

from .access import COUNTER, INSPECTORS, grant_over
from .models import Canteen, Diner, Meal, MealTime, SafetyCheck, SafetyPhoto, Sitting
from .pricing import policy_on


def month_start(day: date) -> date:
    return day.replace(day=1)



def find_diner(actor, canteen: Canteen, code: str) -> Diner:
    """The diner a counter reads: a card number (typed or from the card's QR code) or the elder's
    phone number.  Only diners of the canteen's street are found (a counter serves its area), and
    a lookup by phone is written to the access log like every phone search."""
    grant_over(actor, COUNTER, canteen.region)
    code = (code or "").strip()
    if not code:
        raise ValidationFailed.for_field("code", _("请刷卡、扫码或输入老人的电话号码。"))
    diners = Diner.objects.select_related("resident", "canteen__region")
    diner = diners.filter(card_number=code).first()
    search = None
    if diner is None and code.isdigit() and len(code) >= 11:
        phone = normalise_phone(code)
        search = PhoneSearch(phone=phone)
        diner = diners.filter(resident__phone=phone).first()
    street = canteen.region.parent or canteen.region
    if diner is not None and not diner.canteen.region.path.startswith(street.path):
        diner = None  # another area's card reads as unknown
    if search is not None:
        log_phone_search(actor, search, [diner.resident] if diner else [], _("助餐窗口按电话取餐"))
    if diner is None:
        raise NotFound(_("没有找到这张助餐卡或这个电话号码登记的助餐对象。"))
    if not diner.active:
        raise InvalidTransition(_("%(name)s 的助餐资格已停止。") % {"name": diner.resident.name})
    return diner


def _check_open(canteen: Canteen, day: date, sitting: str) -> None:
    if sitting not in Sitting.values:
        raise ValidationFailed.for_field("sitting", _("请选择餐次。"))
    if not canteen.opens_on(day):
        raise InvalidTransition(_("%(canteen)s %(day)s 不营业。") % {"canteen": canteen.name, "day": day})
    if not MealTime.objects.filter(canteen=canteen, sitting=sitting).exists():
        raise InvalidTransition(_("%(canteen)s 不供应%(sitting)s。") % {
            "canteen": canteen.name, "sitting": Sitting(sitting).label})


def _new_meal(actor, canteen: Canteen, diner: Diner, day: date, sitting: str, *, way: str, status: str,
              channel: str) -> Meal:
    policy = policy_on(canteen, diner.tier, day)
    now = clock.now()
    try:
        with transaction.atomic():
            return Meal.objects.create(
                canteen=canteen, diner=diner, day=day, month=month_start(day), sitting=sitting, way=way,
                channel=channel, status=status, tier=diner.tier, policy=policy, price=policy.price,
                government=policy.government, collective=policy.collective, elder=policy.elder,
                recorded_by=actor, recorded_at=now, served_at=now if status == Meal.Status.SERVED else None)
    except IntegrityError:  # the unique constraint: one meal per diner and sitting
        raise InvalidTransition(_("%(name)s %(day)s 的%(sitting)s已登记，不能重复。") % {
            "name": diner.resident.name, "day": day, "sitting": Sitting(sitting).label}) from None


def take_meal(actor, canteen: Canteen, *, code: str, sitting: str, day: date | None = None) -> Meal:
    """A meal taken at the counter: the card (or phone) is read, the meal priced by the diner's
    tier on the day.  A meal booked for the counter is marked served instead of recorded twice."""
    day = day or clock.today()
    diner = find_diner(actor, canteen, code)
    _check_open(canteen, day, sitting)
    if day > clock.today():
        raise ValidationFailed.for_field("day", _("不能登记未来日期的用餐。"))
    with transaction.atomic():
        booked = Meal.objects.select_for_update().filter(diner=diner, day=day, sitting=sitting,
                                                         status=Meal.Status.BOOKED).first()
        if booked is not None:
            if booked.way == Meal.Way.DELIVERY:
                raise InvalidTransition(_("%(name)s 的这餐已预订送餐上门。") % {"name": diner.resident.name})
            if booked.canteen_id != canteen.pk:
                raise InvalidTransition(_("%(name)s 的这餐预订在 %(canteen)s。") % {
                    "name": diner.resident.name, "canteen": booked.canteen.name})
            booked.status, booked.served_at = Meal.Status.SERVED, clock.now()
            booked.save(update_fields=["status", "served_at"])
            return booked
        return _new_meal(actor, canteen, diner, day, sitting, way=Meal.Way.COUNTER, status=Meal.Status.SERVED,
                         channel=Meal.Channel.COUNTER)


def book_meal(actor, diner_id: int, *, day: date, sitting: str, channel: str, deliver: bool = False) -> Meal:
    """Staff book a meal on the elder's behalf (by phone or from the message group); a delivered
    meal becomes a delivery task for the canteen's volunteers."""
    diner = Diner.objects.select_related("resident", "canteen__region").filter(pk=diner_id).first()
    if diner is None:
        raise NotFound(_("助餐对象不存在。"))
    canteen = diner.canteen
    grant_over(actor, COUNTER, canteen.region)
    if channel not in (Meal.Channel.PHONE, Meal.Channel.GROUP, Meal.Channel.COUNTER):
        raise ValidationFailed.for_field("channel", _("请选择预订渠道。"))
    if not diner.active:
        raise InvalidTransition(_("%(name)s 的助餐资格已停止。") % {"name": diner.resident.name})
    if day < clock.today():
        raise ValidationFailed.for_field("day", _("不能预订过去日期的用餐。"))
    _check_open(canteen, day, sitting)
    with transaction.atomic():
        meal = _new_meal(actor, canteen, diner, day, sitting, way=Meal.Way.DELIVERY if deliver else Meal.Way.BOOKED,
                         status=Meal.Status.BOOKED, channel=channel)
        if deliver:
            from .deliveries import register_delivery

            register_delivery(actor, meal)
    return meal


def void_meal(actor, meal_id: int, *, reason: str) -> Meal:
    """A correction: a meal recorded in error is voided with its reason (it stays on record, left
    out of counts and statements).  A meal already on an issued statement cannot be voided."""
    reason = require_text(reason, "reason", _("作废原因"), 200)
    with transaction.atomic():
        meal = Meal.objects.select_for_update().select_related("canteen__region").filter(pk=meal_id).first()
        if meal is None:
            raise NotFound(_("用餐记录不存在。"))
        grant_over(actor, COUNTER, meal.canteen.region)
        if meal.statement_id is not None:
            raise InvalidTransition(_("该用餐记录已结算，不能作废。"))
        if meal.status == Meal.Status.VOID:
            raise InvalidTransition(_("该用餐记录已作废。"))
        if hasattr(meal, "delivery") and meal.delivery.delivered_at is None:
            from .deliveries import cancel_for_void

            cancel_for_void(actor, meal.delivery, reason)
        meal.status, meal.void_reason = Meal.Status.VOID, reason
        meal.save(update_fields=["status", "void_reason"])
    return meal


def record_safety_check(actor, canteen: Canteen, *, on: date, passed: bool, note: str, photos=()) -> SafetyCheck:
    """A food-safety check (kitchen, storage, retained samples, health certificates), with photos."""
    grant_over(actor, INSPECTORS, canteen.region)
    note = require_text(note, "note", _("检查情况"), 500)
    if on > clock.today():
        raise ValidationFailed.for_field("on", _("检查日期不能晚于今天。"))
    photos = clean_photos(photos)
    if not photos:
        raise ValidationFailed.for_field("photos", _("请上传至少一张检查照片。"))
    with transaction.atomic():
        check = SafetyCheck.objects.create(canteen=canteen, on=on, passed=bool(passed), note=note, checked_by=actor,
                                           recorded_at=clock.now())
        for photo in photos:
            SafetyPhoto.objects.create(safety_check=check, file=photo)
    return check
