"""Recording aid: givers, campaigns, donations received and gifts given, with their checks —
positive quantities and amounts (Decimal, two decimals, never float), dates not in the future,
the recipient in the giver's, the campaign's and the actor's territory, and a campaign never
giving more than it received (``stock.check_balance``, under a lock on the campaign's row).
A row recorded in error is voided with its reason; a correction voids it and records its
replacement in one transaction."""

from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from stdnum.cn import ric

from minsheng.care.models import CareVisit
from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.core.images import clean_photo
from minsheng.demands.services import require_text
from minsheng.ledger.models import Supermarket
from minsheng.organisation.models import Region, Unit
from minsheng.party.models import PartyOrganisation
from minsheng.people.models import Resident
from minsheng.people.validation import normalise_phone
from minsheng.volunteers.models import Activity

from . import stock
from .access import ORGANISERS, RECORDERS, grant_over
from .models import CENT, Campaign, Donation, Gift, Giver, Kind, Status

MONEY_ITEM = "慰问金"
MONEY_UNIT = "元"
MAX_AMOUNT = Decimal("9999999999.99")
# Tags of residents who are minors: aid to them is sensitive whatever their ID number says.
MINOR_TAGS = frozenset({"left_behind_child"})



def positive_decimal(value, field: str, label: str) -> Decimal:
    """``value`` as a Decimal with two decimals, refused unless it is a number above zero."""
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationFailed.for_field(field, _("请填写%(label)s（数字）。") % {"label": label})
    if number <= 0:
        raise ValidationFailed.for_field(field, _("%(label)s必须大于零。") % {"label": label})
    if number > MAX_AMOUNT or number != number.quantize(CENT):
        raise ValidationFailed.for_field(field, _("%(label)s最多两位小数。") % {"label": label})
    return number.quantize(CENT)


def _past_date(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationFailed.for_field(field, _("请填写%(label)s。") % {"label": label})
    if value > clock.today():
        raise ValidationFailed.for_field(field, _("%(label)s不能晚于今天。") % {"label": label})
    return value


def _goods_or_money(kind: str, item: str, unit: str, quantity, value) -> tuple[str, str, Decimal, Decimal | None]:
    """Money: the amount is both quantity and value (item 慰问金, unit 元); goods: item, unit and a
    positive quantity; the value may be left to the caller (None)."""
    if kind == Kind.MONEY:
        amount = positive_decimal(value if value not in (None, "") else quantity, "value", _("金额"))
        return (item or "").strip()[:50] or MONEY_ITEM, MONEY_UNIT, amount, amount
    if kind != Kind.GOODS:
        raise ValidationFailed.for_field("kind", _("请选择物资或现金。"))
    item = require_text(item, "item", _("物品"), 50)
    unit = require_text(unit, "unit", _("单位"), 10)
    quantity = positive_decimal(quantity, "quantity", _("数量"))
    value = positive_decimal(value, "value", _("价值")) if value not in (None, "") else None
    return item, unit, quantity, value


def register_giver(actor, *, kind: str, name: str, region: Region, unit: Unit | None = None,
                   party_organisation: PartyOrganisation | None = None, contact_name: str = "",
                   contact_phone: str = "") -> Giver:
    """A giver of the actor's territory: a unit or party organisation (picked), a company or a
    named donor (free text, with a contact whose phone is kept and shown masked)."""
    grant_over(actor, ORGANISERS, region)
    if kind not in Giver.Kind.values:
        raise ValidationFailed.for_field("kind", _("请选择慰问/捐赠方类型。"))
    if kind == Giver.Kind.UNIT and unit is None:
        raise ValidationFailed.for_field("unit", _("请选择单位。"))
    if kind == Giver.Kind.PARTY and party_organisation is None:
        raise ValidationFailed.for_field("party_organisation", _("请选择党组织。"))
    name = (name or "").strip() or str(unit or party_organisation or "")
    name = require_text(name, "name", _("名称"), 100)
    phone = normalise_phone(contact_phone) if (contact_phone or "").strip() else ""
    if kind in (Giver.Kind.COMPANY, Giver.Kind.PERSON) and not phone:
        raise ValidationFailed.for_field("contact_phone", _("企业和个人捐赠方须留联系电话。"))
    try:
        with transaction.atomic():
            return Giver.objects.create(
                kind=kind, name=name, unit=unit if kind == Giver.Kind.UNIT else None,
                party_organisation=party_organisation if kind == Giver.Kind.PARTY else None, region=region,
                contact_name=(contact_name or "").strip()[:50], contact_phone=phone, created_at=clock.now())
    except IntegrityError:
        raise ValidationFailed.for_field("name", _("“%(name)s”已登记。") % {"name": name}) from None


def create_campaign(actor, *, name: str, region: Region, starts_on: date, budget, ends_on: date | None = None,
                    description: str = "") -> Campaign:
    grant_over(actor, ORGANISERS, region)
    name = require_text(name, "name", _("名称"), 100)
    if not isinstance(starts_on, date):
        raise ValidationFailed.for_field("starts_on", _("请填写开始日期。"))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed.for_field("ends_on", _("结束日期不能早于开始日期。"))
    budget = Decimal("0.00") if budget in (None, "", 0) else positive_decimal(budget, "budget", _("预算"))
    return Campaign.objects.create(name=name, region=region, starts_on=starts_on, ends_on=ends_on, budget=budget,
                                   description=(description or "").strip()[:500], created_by=actor,
                                   created_at=clock.now())


def _lock_campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("region").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("慰问活动不存在。"))
    return campaign


def record_donation(actor, *, donor: Giver, received_on: date, kind: str, item: str = "", unit: str = "",
                    quantity=None, value=None, campaign: Campaign | None = None,
                    supermarket: Supermarket | None = None, note: str = "") -> Donation:
    """Goods or money received into a campaign (what its gifts are given out of) or into a love
    supermarket's stock."""
    if (campaign is None) == (supermarket is None):
        raise ValidationFailed.for_field("campaign", _("请选择接收捐赠的慰问活动或爱心超市（二选一）。"))
    region = campaign.region if campaign is not None else supermarket.region
    grant_over(actor, ORGANISERS, region)
    received_on = _past_date(received_on, "received_on", _("接收日期"))
    item, unit, quantity, value = _goods_or_money(kind, item, unit, quantity, value)
    if value is None:
        raise ValidationFailed.for_field("value", _("请填写捐赠物资的价值（元）。"))
    with transaction.atomic():
        if campaign is not None:
            campaign = _lock_campaign(campaign.pk)
        return Donation.objects.create(campaign=campaign, supermarket=supermarket, donor=donor, region=region,
                                       received_on=received_on, kind=kind, item=item, unit=unit, quantity=quantity,
                                       value=value, note=(note or "").strip()[:200], recorded_by=actor,
                                       recorded_at=clock.now())


def void_donation(actor, donation_id: int, *, reason: str) -> Donation:
    """A donation recorded in error is voided — refused when its campaign has already given it out."""
    reason = require_text(reason, "reason", _("作废原因"), 200)
    with transaction.atomic():
        donation = Donation.objects.select_related("region").filter(pk=donation_id).first()
        if donation is None:
            raise NotFound(_("捐赠记录不存在。"))
        grant_over(actor, ORGANISERS, donation.region)
        campaign = _lock_campaign(donation.campaign_id) if donation.campaign_id else None
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        if donation.status == Status.VOID:
            raise InvalidTransition(_("该捐赠记录已作废。"))
        donation.status, donation.void_reason = Status.VOID, reason
        donation.save(update_fields=["status", "void_reason"])
        if campaign is not None:
            stock.check_balance(campaign)
    return donation


def is_minor(resident: Resident, on: date) -> bool:
    """Under 18 on ``on`` by the ID number's birth date, or tagged as a child (留守儿童, 困境儿童)."""
    if resident.id_number:
        try:
            born = ric.get_birth_date(resident.id_number)
        except Exception:
            born = None
        if born is not None and (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) < 18:
            return True
    if resident.tags.filter(code__in=MINOR_TAGS).exists():
        return True
    care = getattr(resident, "care", None) if hasattr(resident, "care") else None
    return care is not None and care.category == "child"


def record_gift(actor, *, giver: Giver, recipient: Resident, given_on: date, kind: str, item: str = "",
                unit: str = "", quantity=None, value=None, campaign: Campaign | None = None,
                care_visit: CareVisit | None = None, activity: Activity | None = None, photo=None,
                health_related: bool = False, note: str = "", replaces: Gift | None = None) -> Gift:
    """Aid given to one resident.  Goods given out of a campaign are valued at the average value
    of what the campaign received of that item when no value is typed."""
    if recipient.region_id is None:
        raise ValidationFailed.for_field("recipient", _("%(name)s 没有登记所在区域，请先补全居民信息。") % {
            "name": recipient.name})
    region = recipient.region
    grant_over(actor, RECORDERS, region)
    if not giver.active:
        raise InvalidTransition(_("“%(giver)s”已停用。") % {"giver": giver.name})
    if not region.path.startswith(giver.region.path):
        raise ValidationFailed.for_field("recipient", _("%(name)s 不在“%(giver)s”的慰问范围（%(area)s）内。") % {
            "name": recipient.name, "giver": giver.name, "area": giver.region.name})
    given_on = _past_date(given_on, "given_on", _("慰问日期"))
    item, unit, quantity, value = _goods_or_money(kind, item, unit, quantity, value)
    if care_visit is not None and care_visit.person.resident_id != recipient.pk:
        raise ValidationFailed.for_field("care_visit", _("所选走访不是对该居民的走访。"))
    if activity is not None and not region.path.startswith(activity.region.path):
        raise ValidationFailed.for_field("activity", _("该居民不在活动“%(title)s”所在区域内。") % {
            "title": activity.title})
    cleaned_photo = clean_photo(photo, "photo") if photo else None
    with transaction.atomic():
        if campaign is not None:
            campaign = _lock_campaign(campaign.pk)
            if not region.path.startswith(campaign.region.path):
                raise ValidationFailed.for_field("recipient", _("%(name)s 不在“%(campaign)s”的范围内。") % {
                    "name": recipient.name, "campaign": campaign.name})
            if given_on < campaign.starts_on or (campaign.ends_on and given_on > campaign.ends_on):
                raise ValidationFailed.for_field("given_on", _("慰问日期不在“%(campaign)s”的起止日期内。") % {
                    "campaign": campaign.name})
            if value is None:
                per_unit = stock.unit_value(campaign, item, unit)
                if per_unit is None:
                    raise ValidationFailed.for_field("item", _(
                        "“%(campaign)s”没有接收过“%(item)s（%(unit)s）”，请先登记接收的捐赠。") % {
                        "campaign": campaign.name, "item": item, "unit": unit})
                value = (quantity * per_unit).quantize(CENT, rounding=ROUND_DOWN)
                if value <= 0:
                    raise ValidationFailed.for_field("value", _("请填写价值（元）。"))
        elif value is None:
            raise ValidationFailed.for_field("value", _("请填写价值（元）。"))
        gift = Gift.objects.create(
            campaign=campaign, giver=giver, recipient=recipient, region=region, given_on=given_on, kind=kind,
            item=item, unit=unit, quantity=quantity, value=value, care_visit=care_visit, activity=activity,
            photo=cleaned_photo or "", health_related=bool(health_related),
            sensitive=bool(health_related) or is_minor(recipient, given_on), note=(note or "").strip()[:200],
            replaces=replaces, recorded_by=actor, recorded_at=clock.now())
        if campaign is not None:
            stock.check_balance(campaign)
    return gift


def _lock_gift(actor, gift_id: int) -> Gift:
    gift = Gift.objects.select_related("region", "campaign").filter(pk=gift_id).first()
    if gift is None:
        raise NotFound(_("慰问记录不存在。"))
    grant_over(actor, RECORDERS, gift.region)
    if gift.campaign_id:
        _lock_campaign(gift.campaign_id)
    # Only the gift's own row is locked (PostgreSQL refuses FOR UPDATE on the nullable side of the
    # campaign's outer join).
    gift = Gift.objects.select_for_update(of=("self",)).select_related(
        "giver__region", "recipient__region", "campaign").get(pk=gift.pk)
    if gift.status == Status.VOID:
        raise InvalidTransition(_("该慰问记录已作废。"))
    return gift


def void_gift(actor, gift_id: int, *, reason: str) -> Gift:
    """A gift recorded in error is voided with its reason: it stays on record, out of every total."""
    reason = require_text(reason, "reason", _("作废原因"), 200)
    with transaction.atomic():
        gift = _lock_gift(actor, gift_id)
        gift.status, gift.void_reason = Status.VOID, reason
        gift.save(update_fields=["status", "void_reason"])
    return gift


def correct_gift(actor, gift_id: int, *, reason: str, **changes) -> Gift:
    """A correction: the gift is voided and its corrected copy recorded in the same transaction
    (``changes`` are record_gift's arguments; what is not changed is carried over)."""
    reason = require_text(reason, "reason", _("更正原因"), 200)
    with transaction.atomic():
        old = _lock_gift(actor, gift_id)
        old.status, old.void_reason = Status.VOID, reason
        old.save(update_fields=["status", "void_reason"])
        fields = {"giver": old.giver, "recipient": old.recipient, "given_on": old.given_on, "kind": old.kind,
                  "item": old.item, "unit": old.unit, "quantity": old.quantity, "value": old.value,
                  "campaign": old.campaign, "care_visit": old.care_visit, "activity": old.activity,
                  "health_related": old.health_related, "note": old.note}
        if changes.keys() & {"kind", "item", "unit", "quantity"} and "value" not in changes and old.campaign_id:
            fields["value"] = None  # goods changed: valued again at the campaign's average, like a new gift
        fields.update(changes)
        return record_gift(actor, replaces=old, **fields)
