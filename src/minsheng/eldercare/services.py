"""The rules of elder service places: registering an elder at a place, walk-in health checks held
to their ranges, revealing an elder's values (every reveal logged in the people app's access log),
a care follow-up for an out-of-range reading through the care register (``care.services``: its
visit schedule by risk, not a workflow of our own), rooms of a 幸福院 (capacity enforced), the
volunteers' weekly rota (sign-up to capacity, attendance credited in the ledger once) and day-care
check-in and check-out."""

import re
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from minsheng.care import services as care_services
from minsheng.care.models import CarePerson
from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.ledger import services as ledger
from minsheng.ledger.models import Transfer
from minsheng.organisation.models import Membership, Region
from minsheng.organisation.scope import grants_with_roles
from minsheng.people.models import PersonalDataAccess
from minsheng.people.services import find_or_register_resident
from minsheng.volunteers.models import Volunteer

from . import ranges
from .access import CARERS, HEALTH, OPERATORS, may, require
from .models import DayCareVisit, Elder, Facility, HealthCheck, Room, Service, Shift, ShiftSignup, Stay

HEALTH_FIELDS = "health_checks"
MAX_NOTES = 1000



def _facility(facility_id: int) -> Facility:
    facility = Facility.objects.select_related("region").filter(pk=facility_id).first()
    if facility is None:
        raise NotFound(_("养老服务场所不存在。"))
    return facility


def _elder(elder_id, *, facility: Facility | None = None) -> Elder:
    try:
        elder = Elder.objects.select_related("facility__region", "resident").filter(pk=int(elder_id)).first()
    except (TypeError, ValueError):
        elder = None
    if elder is None or (facility is not None and elder.facility_id != facility.pk):
        raise ValidationFailed.for_field("elder", _("请选择在本场所登记的老人。"))
    return elder


# --- elders -------------------------------------------------------------------------------------

def register_elder(actor, facility: Facility, *, name: str, phone: str, address: str = "") -> Elder:
    """Register an elder at a place by name and phone (one resident per phone, as everywhere)."""
    require(actor, OPERATORS, facility)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.for_field("name", _("请填写老人姓名。"))
    with transaction.atomic():
        resident = find_or_register_resident(name=name[:50], phone=phone, address=(address or "").strip()[:255],
                                             region=facility.region)
        elder, created = Elder.objects.get_or_create(facility=facility, resident=resident,
                                                     defaults={"enrolled_on": clock.today()})
        if not created:
            if elder.active:
                raise InvalidTransition(_("%(name)s 已在本场所登记。") % {"name": resident.name})
            elder.active = True
            elder.save(update_fields=["active"])
    return elder


# --- health checks ------------------------------------------------------------------------------

def _number(value, measure: str):
    if value in (None, ""):
        return None
    label = ranges.LABELS[measure]
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationFailed.for_field(measure, _("%(label)s请填写数字。") % {"label": label})
    bounds = ranges.LIMITS[measure]
    if not bounds.holds(number):
        message = _("%(label)s应在 %(low)s–%(high)s %(unit)s 之间，请核对后重新填写。")
        raise ValidationFailed.for_field(measure, message % {
            "label": label, "low": bounds.low, "high": bounds.high, "unit": ranges.UNITS[measure]})
    if measure in ("blood_sugar", "weight"):
        return number.quantize(Decimal("0.1"))
    if number != number.to_integral_value():
        raise ValidationFailed.for_field(measure, _("%(label)s请填写整数。") % {"label": label})
    return int(number)


def record_check(actor, facility: Facility, *, elder_id, systolic=None, diastolic=None, blood_sugar=None,
                 fasting: bool = False, heart_rate=None, weight=None, notes: str = "",
                 measured_at: datetime | None = None) -> HealthCheck:
    """A walk-in visit's measurements into the elder's health record.  Each value is held to what a
    device can give (refused with the range otherwise); blood pressure takes both numbers; a visit
    records at least one measurement or a consultation note."""
    require(actor, OPERATORS, facility)
    elder = _elder(elder_id, facility=facility)
    values = {m: _number(v, m) for m, v in (("systolic", systolic), ("diastolic", diastolic),
                                            ("blood_sugar", blood_sugar), ("heart_rate", heart_rate),
                                            ("weight", weight))}
    if (values["systolic"] is None) != (values["diastolic"] is None):
        missing = "diastolic" if values["diastolic"] is None else "systolic"
        raise ValidationFailed.for_field(missing, _("血压请同时填写收缩压和舒张压。"))
    if values["systolic"] is not None and values["diastolic"] >= values["systolic"]:
        raise ValidationFailed.for_field("diastolic", _("舒张压应低于收缩压，请核对是否填反。"))
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationFailed.for_field("notes", _("咨询记录不能超过%(n)d个字。") % {"n": MAX_NOTES})
    if all(v is None for v in values.values()) and not notes:
        raise ValidationFailed(_("请至少填写一项测量值或咨询记录。"))
    now = clock.now()
    measured_at = measured_at or now
    if measured_at > now + timedelta(minutes=5):
        raise ValidationFailed.for_field("measured_at", _("测量时间不能晚于现在。"))
    if values["blood_sugar"] is None:
        fasting = False
    return HealthCheck.objects.create(
        elder=elder, measured_at=measured_at, fasting=bool(fasting), notes=notes, recorded_by=actor,
        out_of_range=bool(ranges.abnormal(values, fasting=bool(fasting))), **values)


def may_see_values(viewer, elder: Elder) -> bool:
    """Those who run the elder's place or follow the elder up may reveal the values."""
    return may(viewer, HEALTH, elder.facility)


def reveal_values(viewer, elder: Elder, *, purpose: str) -> None:
    """Grant one view of an elder's measured values: refused without the need, else logged (one
    row in the access log per view, mirrored into the audit log)."""
    if not may_see_values(viewer, elder):
        raise PermissionDenied(_("你的角色无权查看老人的健康检测数值。"))
    PersonalDataAccess.objects.create(viewer=viewer, resident=elder.resident, fields=HEALTH_FIELDS,
                                      purpose=str(purpose)[:200])


def log_abnormal_filter(viewer, residents) -> None:
    """Listing only the elders with an out-of-range reading tells their state: logged per elder."""
    for resident in {r.pk: r for r in residents}.values():
        PersonalDataAccess.objects.create(viewer=viewer, resident=resident, fields=HEALTH_FIELDS,
                                          purpose=_("按检测异常筛选老人"))


def raise_follow_up(actor, check_id: int) -> CarePerson:
    """Hand an out-of-range reading to the care register: an elder already on it is put at high
    risk (the next visit falls due within the high-risk interval); one not yet on it is registered
    at high risk with the reading as the plan's reason and the actor as responsible person."""
    with transaction.atomic():
        check = (HealthCheck.objects.select_for_update(of=("self",))
                 .select_related("elder__facility__region", "elder__resident").filter(pk=check_id).first())
        if check is None:
            raise NotFound(_("健康检测记录不存在。"))
        require(actor, CARERS, check.elder.facility, as_staff=False)
        if not check.out_of_range:
            raise InvalidTransition(_("这次检测的数值在正常范围内，无需转关爱走访。"))
        if check.follow_up_id is not None:
            raise InvalidTransition(_("这次检测已转关爱走访。"))
        resident = check.elder.resident
        person = CarePerson.objects.filter(resident=resident).first()
        if person is not None:
            person = care_services.change_risk(actor, person.pk, CarePerson.Risk.HIGH)
        else:
            facility = check.elder.facility
            try:
                person = care_services.register_person(
                    actor, resident, category=CarePerson.Category.OTHER, risk=CarePerson.Risk.HIGH,
                    plan=_("%(facility)s %(day)s 健康检测异常，请上门复测、了解用药和就医情况。") % {
                        "facility": facility.name, "day": timezone.localdate(check.measured_at)},
                    responsible=actor, responsible_phone=facility.phone or resident.phone,
                    region=resident.region or facility.region)
            except OutOfScope:
                raise OutOfScope(_("该老人的住址不在你的走访范围内，请联系所在社区。")) from None
        check.follow_up, check.follow_up_at = person, clock.now()
        check.save(update_fields=["follow_up", "follow_up_at"])
    return person


# --- rooms of a 幸福院 --------------------------------------------------------------------------

def move_in(actor, facility: Facility, *, elder_id, room_id, on: date | None = None, note: str = "") -> Stay:
    """An elder moves into a room; a room holds as many as its beds (the room's row is locked so
    that the last bed goes to one elder only), an elder lives in one room at a time."""
    require(actor, OPERATORS, facility)
    if facility.kind != Facility.Kind.HAPPINESS_HOME:
        raise InvalidTransition(_("只有幸福院登记入住。"))
    on = on or clock.today()
    if on > clock.today():
        raise ValidationFailed.for_field("on", _("入住日期不能晚于今天。"))
    elder = _elder(elder_id, facility=facility)
    with transaction.atomic():
        room = Room.objects.select_for_update().filter(pk=room_id, facility=facility).first()
        if room is None:
            raise ValidationFailed.for_field("room", _("请选择本院的房间。"))
        if not room.active:
            raise ValidationFailed.for_field("room", _("%(room)s 已停用，请选择其他房间。") % {"room": room.name})
        if Stay.objects.filter(elder__resident=elder.resident, moved_out__isnull=True).exists():
            raise InvalidTransition(_("%(name)s 已入住，请先办理退住。") % {"name": elder.resident.name})
        taken = room.stays.filter(moved_out__isnull=True).count()
        if taken >= room.beds:
            raise ValidationFailed.for_field("room", _("%(room)s 已住满（%(beds)d 个床位），请选择其他房间。") % {
                "room": room.name, "beds": room.beds})
        try:
            with transaction.atomic():
                return Stay.objects.create(room=room, elder=elder, moved_in=on, note=(note or "").strip()[:200])
        except IntegrityError:
            raise InvalidTransition(_("%(name)s 已入住，请先办理退住。") % {"name": elder.resident.name}) from None


def move_out(actor, stay_id: int, *, on: date | None = None, note: str = "") -> Stay:
    on = on or clock.today()
    with transaction.atomic():
        stay = Stay.objects.select_for_update(of=("self",)).select_related("room__facility__region").filter(
            pk=stay_id).first()
        if stay is None:
            raise NotFound(_("入住记录不存在。"))
        require(actor, OPERATORS, stay.room.facility)
        if stay.moved_out is not None:
            raise InvalidTransition(_("已办理退住。"))
        if on < stay.moved_in or on > clock.today():
            raise ValidationFailed.for_field("on", _("退住日期应在入住日期和今天之间。"))
        stay.moved_out = on
        if note:
            stay.note = note.strip()[:200]
        stay.save(update_fields=["moved_out", "note"])
    return stay


# --- the volunteers' rota -----------------------------------------------------------------------

def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        hours = None
    if hours is None or not hours.is_finite() or hours <= 0 or hours > 12:
        raise ValidationFailed.for_field("hours", _("服务时长应在 0–12 小时之间。"))
    return hours


def add_shifts(actor, facility: Facility, *, first_day: date, starts: time, ends: time, duty: str, capacity,
               hours, weeks: int = 1) -> list[Shift]:
    """A weekly shift: the same day of the week and hours for ``weeks`` weeks from ``first_day``."""
    require(actor, OPERATORS, facility)
    duty = (duty or "").strip()[:100]
    if not duty:
        raise ValidationFailed.for_field("duty", _("请填写服务内容。"))
    if ends <= starts:
        raise ValidationFailed.for_field("ends", _("结束时间应晚于开始时间。"))
    if first_day < clock.today():
        raise ValidationFailed.for_field("first_day", _("不能为过去的日期排班。"))
    try:
        capacity, weeks = int(capacity), int(weeks)
    except (TypeError, ValueError):
        raise ValidationFailed.for_field("capacity", _("请填写人数。")) from None
    if not 1 <= capacity <= 50:
        raise ValidationFailed.for_field("capacity", _("需要人数应在 1–50 之间。"))
    if not 1 <= weeks <= 12:
        raise ValidationFailed.for_field("weeks", _("一次最多排 12 周。"))
    hours = _hours(hours)
    shifts = []
    with transaction.atomic():
        for n in range(weeks):
            day = first_day + timedelta(weeks=n)
            if Shift.objects.filter(facility=facility, day=day, starts=starts, duty=duty).exists():
                raise InvalidTransition(_("%(day)s %(starts)s 的“%(duty)s”已排班。") % {
                    "day": day, "starts": f"{starts:%H:%M}", "duty": duty})
            shifts.append(Shift.objects.create(facility=facility, day=day, starts=starts, ends=ends, duty=duty,
                                               capacity=capacity, hours=hours, created_by=actor))
    return shifts


def _volunteer_of(user) -> Volunteer:
    volunteer = Volunteer.objects.select_related("region", "resident").filter(resident__user=user, active=True).first()
    if volunteer is None:
        raise PermissionDenied(_("请先到社区登记为志愿者，再报名排班。"))
    return volunteer


def starts_at(shift: Shift) -> datetime:
    return timezone.make_aware(datetime.combine(shift.day, shift.starts))


def sign_up(user, shift_id: int) -> ShiftSignup:
    """A volunteer takes a place on a shift of their own street; the shift's row is locked so that
    the last place goes to one volunteer only."""
    volunteer = _volunteer_of(user)
    with transaction.atomic():
        shift = Shift.objects.select_for_update(of=("self",)).select_related("facility__region").filter(
            pk=shift_id).first()
        if shift is None:
            raise NotFound(_("班次不存在。"))
        street = volunteer.region.parent or volunteer.region
        if not shift.facility.region.path.startswith(street.path):
            raise OutOfScope(_("只能报名本街道的排班。"))
        if starts_at(shift) <= clock.now():
            raise InvalidTransition(_("这个班次已开始，不能再报名。"))
        if shift.signups.filter(volunteer=volunteer).exists():
            raise InvalidTransition(_("你已报名这个班次。"))
        if shift.signups.count() >= shift.capacity:
            raise InvalidTransition(_("这个班次已满（%(n)d 人），请选择其他班次。") % {"n": shift.capacity})
        return ShiftSignup.objects.create(shift=shift, volunteer=volunteer, signed_up_at=clock.now())


def cancel_signup(user, signup_id: int) -> None:
    """A volunteer withdraws from a shift that has not started."""
    volunteer = _volunteer_of(user)
    with transaction.atomic():
        signup = ShiftSignup.objects.select_for_update(of=("self",)).select_related("shift").filter(
            pk=signup_id, volunteer=volunteer).first()
        if signup is None:
            raise NotFound(_("报名记录不存在。"))
        if starts_at(signup.shift) <= clock.now():
            raise InvalidTransition(_("班次已开始，不能取消；如未能到岗请联系场所。"))
        signup.delete()


def record_attendance(actor, signup_id: int, *, attended: bool) -> ShiftSignup:
    """Staff record whether the volunteer came.  Came: the shift's hours (and the points they earn)
    are credited in the ledger once, under the reference of this sign-up; not came: a no-show.
    Once recorded the answer stands (hours credited are corrected in the ledger, not here)."""
    with transaction.atomic():
        signup = (ShiftSignup.objects.select_for_update(of=("self",))
                  .select_related("shift__facility__region", "volunteer__resident").filter(pk=signup_id).first())
        if signup is None:
            raise NotFound(_("报名记录不存在。"))
        shift = signup.shift
        require(actor, OPERATORS, shift.facility)
        if starts_at(shift) > clock.now():
            raise InvalidTransition(_("班次开始后才能确认到岗。"))
        if signup.attendance != ShiftSignup.Attendance.PENDING:
            raise InvalidTransition(_("%(name)s 的到岗情况已确认（%(state)s）。") % {
                "name": signup.volunteer.resident.name, "state": signup.get_attendance_display()})
        signup.attendance = ShiftSignup.Attendance.ATTENDED if attended else ShiftSignup.Attendance.NO_SHOW
        signup.recorded_by, signup.recorded_at = actor, clock.now()
        signup.save(update_fields=["attendance", "recorded_by", "recorded_at"])
        if attended:
            ledger.credit_service(signup.volunteer, shift.hours, kind=Transfer.Kind.ROTA_HOURS, actor=actor,
                                  reference=f"eldercare-shift:{signup.pk}",
                                  memo=_("%(facility)s %(day)s 轮班：%(duty)s") % {
                                      "facility": shift.facility.name, "day": shift.day, "duty": shift.duty})
    return signup


# --- day care -----------------------------------------------------------------------------------

def check_in(actor, facility: Facility, *, elder_id) -> DayCareVisit:
    require(actor, OPERATORS, facility)
    if facility.kind != Facility.Kind.DAY_CARE:
        raise InvalidTransition(_("只有日间照料中心登记签到。"))
    elder = _elder(elder_id, facility=facility)
    if not elder.active:
        raise InvalidTransition(_("%(name)s 已不在册。") % {"name": elder.resident.name})
    day = clock.today()
    with transaction.atomic():
        Facility.objects.select_for_update().filter(pk=facility.pk).first()  # turns for the places
        if DayCareVisit.objects.filter(elder=elder, day=day).exists():
            raise InvalidTransition(_("%(name)s 今天已签到。") % {"name": elder.resident.name})
        present = DayCareVisit.objects.filter(elder__facility=facility, day=day, checked_out_at__isnull=True).count()
        if facility.capacity and present >= facility.capacity:
            raise InvalidTransition(_("今日在园人数已达 %(n)d 人的容纳上限。") % {"n": facility.capacity})
        return DayCareVisit.objects.create(elder=elder, day=day, checked_in_at=clock.now(), recorded_by=actor)


def check_out(actor, visit_id: int) -> DayCareVisit:
    with transaction.atomic():
        visit = DayCareVisit.objects.select_for_update(of=("self",)).select_related(
            "elder__facility__region", "elder__resident").filter(pk=visit_id).first()
        if visit is None:
            raise NotFound(_("签到记录不存在。"))
        require(actor, OPERATORS, visit.elder.facility)
        if visit.checked_out_at is not None:
            raise InvalidTransition(_("%(name)s 已签退。") % {"name": visit.elder.resident.name})
        visit.checked_out_at = clock.now()
        visit.save(update_fields=["checked_out_at"])
    return visit


# --- setting up places and rooms (the workbench's forms; the admin did this before) --------------

MAX_CAPACITY = 500
MAX_BEDS = 20


def territory_paths(actor) -> list[str]:
    """The region paths where ``actor`` sets up places: the territories of the roles that run them
    (community and street staff, administrators) — never a place's own staff."""
    return [g.region_path for g in grants_with_roles(actor, OPERATORS) if g.region_path is not None]


def may_set_up(actor, facility: Facility | None = None) -> bool:
    paths = territory_paths(actor)
    if facility is None:
        return bool(paths)
    return any(facility.region.path.startswith(p) for p in paths)


def _require_set_up(actor, facility: Facility | None) -> None:
    if not territory_paths(actor):
        raise PermissionDenied(_("只有社区、街道的工作人员可以设置养老服务场所。"))
    if facility is not None and not may_set_up(actor, facility):
        raise OutOfScope(_("“%(facility)s”不在你的管辖范围内。") % {"facility": facility.name})


def place_regions(actor):
    """The communities and villages in the actor's territory where a place may be set up."""
    q = Q(pk__in=[])
    for p in territory_paths(actor):
        q |= Q(path__startswith=p)
    return Region.objects.filter(q, kind=Region.Kind.COMMUNITY).order_by("path")


def _staff_accounts(actor, text: str) -> list:
    """The accounts named (by username, separated by commas, 、 or spaces): each must exist, be
    active, be no superuser and hold no post outside the actor's territory — listing an account as
    a place's staff lets it read the elders' health values there."""
    names = [n for n in re.split(r"[\s,，、;；]+", text or "") if n]
    paths = territory_paths(actor)
    accounts, unknown, outside = [], [], []
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    for name in dict.fromkeys(names):
        user = users.get(name)
        if user is None or not user.is_active:
            unknown.append(name)
            continue
        posts = Membership.objects.filter(user=user, active=True).select_related("unit__region")
        if user.is_superuser or any(not any(m.unit.region.path.startswith(p) for p in paths) for m in posts):
            outside.append(name)
            continue
        accounts.append(user)
    if unknown:
        raise ValidationFailed.for_field("staff", _("没有这些账号（或已停用）：%(names)s。") % {
            "names": "、".join(unknown)})
    if outside:
        raise OutOfScope(_("这些账号在你的管辖范围之外有岗位，不能列为场所工作人员：%(names)s。") % {
            "names": "、".join(outside)}, field_errors={"staff": [_("这些账号在你的管辖范围之外有岗位：%(names)s。") % {
                "names": "、".join(outside)}]})
    return accounts


def _new_code(region: Region, kind: str) -> str:
    stem = slugify(f"{region.code}-{kind}")[:30] or kind
    for n in range(1, 1000):
        code = f"{stem}-{n}"
        if not Facility.objects.filter(code=code).exists():
            return code
    return f"{stem}-{secrets.token_hex(4)}"


def save_facility(actor, facility: Facility | None, *, name: str, kind: str, region: Region | None,
                  opening_hours: str, address: str = "", phone: str = "", services: list[str] = (),
                  capacity: int | None = 0, staff: str = "", active: bool = True) -> Facility:
    """Create (``facility`` None) or change a place in the actor's territory.  A 幸福院's capacity is
    its rooms' beds (set with the rooms); a place with elders living in its rooms stays a 幸福院.
    Saved through the model, so the configuration history records each field before → after, and
    the staff list (a relation) the same way."""
    _require_set_up(actor, facility)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.for_field("name", _("请填写场所名称。"))
    if kind not in Facility.Kind.values:
        raise ValidationFailed.for_field("kind", _("请选择场所类型。"))
    if region is None or region.kind != Region.Kind.COMMUNITY:
        raise ValidationFailed.for_field("region", _("请选择场所所在的社区/村。"))
    if not any(region.path.startswith(p) for p in territory_paths(actor)) and (
            facility is None or facility.region_id != region.pk):
        message = _("“%(name)s”不在你的管辖范围内。") % {"name": region.name}
        raise OutOfScope(message, field_errors={"region": [message]})
    if not (opening_hours or "").strip():
        raise ValidationFailed.for_field("opening_hours", _("请填写开放时间，如：周一至周五 8:30–17:00。"))
    unknown = [s for s in services if s not in Service.values]
    if unknown:
        raise ValidationFailed.for_field("services", _("没有这个服务项目：%(s)s。") % {"s": "、".join(unknown)})
    if phone:
        phone = phone.strip()
        if not re.fullmatch(r"[0-9+\-() ]{5,20}", phone):
            raise ValidationFailed.for_field("phone", _("联系电话只能包含数字、空格和 + - ( )。"))
    people = _staff_accounts(actor, staff)
    with transaction.atomic():
        if facility is not None:
            facility = Facility.objects.select_for_update().get(pk=facility.pk)
            if facility.kind == Facility.Kind.HAPPINESS_HOME and kind != facility.kind:
                lodged = Stay.objects.filter(room__facility=facility, moved_out__isnull=True).count()
                if lodged:
                    message = _("还有 %(n)d 位老人住在这里的房间，不能改为其他类型。") % {"n": lodged}
                    raise ValidationFailed.for_field("kind", message)
            if facility.active and not active:
                reasons = open_work(facility)
                if reasons:
                    raise ValidationFailed.for_field("active", "".join(reasons))
        else:
            facility = Facility(code=_new_code(region, kind))
        if kind == Facility.Kind.HAPPINESS_HOME:
            capacity = _beds_in_use(facility) if facility.pk else 0
        elif capacity is None or not 0 <= int(capacity) <= MAX_CAPACITY:
            raise ValidationFailed.for_field("capacity", _("容纳人数应在 0–%(n)d 之间。") % {"n": MAX_CAPACITY})
        facility.name, facility.kind, facility.region = name[:100], kind, region
        facility.address, facility.phone = (address or "").strip()[:255], phone or ""
        facility.opening_hours, facility.services = opening_hours.strip()[:100], list(services)
        facility.capacity, facility.active = int(capacity), bool(active)
        facility.save()
        facility.staff.set(people)  # the history records the relation's change (audit.signals)
    return facility


def save_room(actor, facility: Facility, room: Room | None, *, name: str, beds) -> Room:
    """Add or change a room of a 幸福院.  A room never has fewer beds than elders living in it (the
    row is locked so that a move-in cannot slip between the count and the save); the place's
    capacity follows its rooms' beds."""
    _require_set_up(actor, facility)
    if facility.kind != Facility.Kind.HAPPINESS_HOME:
        raise InvalidTransition(_("只有幸福院设置房间和床位。"))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.for_field("name", _("请填写房间名称，如：1号房。"))
    try:
        beds = int(beds)
    except (TypeError, ValueError):
        raise ValidationFailed.for_field("beds", _("床位请填写整数。")) from None
    if not 1 <= beds <= MAX_BEDS:
        raise ValidationFailed.for_field("beds", _("床位应在 1–%(n)d 之间。") % {"n": MAX_BEDS})
    with transaction.atomic():
        if room is not None:
            room = Room.objects.select_for_update().filter(pk=room.pk, facility=facility).first()
            if room is None:
                raise NotFound(_("房间不存在。"))
            living = room.stays.filter(moved_out__isnull=True).count()
            if beds < living:
                raise ValidationFailed.for_field("beds", _(
                    "%(room)s 现有 %(n)d 位老人入住，床位不能少于 %(n)d。") % {"room": room.name, "n": living})
        else:
            room = Room(facility=facility)
        if Room.objects.filter(facility=facility, name=name[:40]).exclude(pk=room.pk).exists():
            raise ValidationFailed.for_field("name", _("本院已有“%(name)s”。") % {"name": name[:40]})
        room.name, room.beds = name[:40], beds
        room.save()
        _recount_beds(facility)
    return room


def _beds_in_use(facility: Facility) -> int:
    return sum(facility.rooms.filter(active=True).values_list("beds", flat=True))


def _recount_beds(facility: Facility) -> None:
    """A 幸福院's capacity is the beds of its rooms in use (the place's row locked)."""
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    facility.capacity = _beds_in_use(facility)
    facility.save(update_fields=["capacity"])


def _room_in_use(room: Room) -> None:
    living = room.stays.filter(moved_out__isnull=True).count()
    if living:
        raise InvalidTransition(_("%(room)s 现有 %(n)d 位老人入住，请先办理退住，再删除或停用。") % {
            "room": room.name, "n": living})


def remove_room(actor, facility: Facility, room_id: int) -> str:
    """Remove a room of a 幸福院 nobody lives in: deleted if nobody ever did, else closed (停用) —
    its stays are the record of who lived where and stay with it.  Returns "deleted" or "closed";
    the place's capacity follows its rooms in use."""
    _require_set_up(actor, facility)
    with transaction.atomic():
        room = Room.objects.select_for_update().filter(pk=room_id, facility=facility).first()
        if room is None:
            raise NotFound(_("房间不存在。"))
        _room_in_use(room)
        if room.stays.exists():
            if not room.active:
                raise InvalidTransition(_("%(room)s 已停用。") % {"room": room.name})
            room.active = False
            room.save()
            outcome = "closed"
        else:
            room.delete()
            outcome = "deleted"
        _recount_beds(facility)
    return outcome


def reopen_room(actor, facility: Facility, room_id: int) -> Room:
    """Put a closed room back in use (its beds count again)."""
    _require_set_up(actor, facility)
    with transaction.atomic():
        room = Room.objects.select_for_update().filter(pk=room_id, facility=facility).first()
        if room is None:
            raise NotFound(_("房间不存在。"))
        if room.active:
            raise InvalidTransition(_("%(room)s 在用。") % {"room": room.name})
        room.active = True
        room.save()
        _recount_beds(facility)
    return room


def open_work(facility: Facility) -> list[str]:
    """What keeps a place from closing, each as its reason: elders living in its rooms, volunteers
    signed up for its shifts to come, elders in its day care not yet gone home."""
    reasons = []
    lodged = Stay.objects.filter(room__facility=facility, moved_out__isnull=True).count()
    if lodged:
        reasons.append(_("还有 %(n)d 位老人住在本院的房间，请先办理退住。") % {"n": lodged})
    signed = ShiftSignup.objects.filter(shift__facility=facility, shift__day__gte=clock.today(),
                                        attendance=ShiftSignup.Attendance.PENDING).count()
    if signed:
        reasons.append(_("今后的班次还有 %(n)d 人次志愿者报名，请通知他们取消报名后再操作。") % {"n": signed})
    present = DayCareVisit.objects.filter(elder__facility=facility, day=clock.today(),
                                          checked_out_at__isnull=True).count()
    if present:
        reasons.append(_("今天还有 %(n)d 位老人在日间照料，尚未签离。") % {"n": present})
    return reasons


def kept_records(facility: Facility) -> list[str]:
    """What a place's deletion would lose, each named with its count: the elders registered there
    (their health checks, day-care days and stays hang from them) and the shifts volunteers signed
    up for (their hours are in the ledger)."""
    records = []
    elders = facility.elders.count()
    if elders:
        records.append(_("%(n)d 位登记老人及其健康检测、入住和签到记录") % {"n": elders})
    shifts = Shift.objects.filter(facility=facility, signups__isnull=False).distinct().count()
    if shifts:
        records.append(_("%(n)d 个有志愿者报名的班次") % {"n": shifts})
    return records


def remove_facility(actor, facility: Facility) -> str:
    """Remove a place: refused while work is open there (``open_work``); deleted when nothing
    recorded points at it (its empty rooms and unstaffed shifts go with it), else closed (停用:
    off the lists and the rota, its records kept and readable).  Returns "deleted" or "closed"."""
    _require_set_up(actor, facility)
    with transaction.atomic():
        facility = Facility.objects.select_for_update().select_related("region").get(pk=facility.pk)
        reasons = open_work(facility)
        if reasons:
            raise InvalidTransition(_("“%(name)s”不能删除或停用：%(reasons)s") % {
                "name": facility.name, "reasons": "".join(reasons)})
        if kept_records(facility) or Stay.objects.filter(room__facility=facility).exists():
            if not facility.active:
                raise InvalidTransition(_("“%(name)s”已停用。") % {"name": facility.name})
            facility.active = False
            facility.save()
            return "closed"
        facility.delete()
    return "deleted"
