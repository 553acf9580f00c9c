"""Co-building rules: registering member units and what they pledge, booking shared resources
(conflicts refused, approval by the unit's contact or the community's staff), joint activities on
the volunteers' activities, and in-service party members' 双报到.

Who may do what:
- the register is kept by community and street staff (and administrators) over their territory;
- a member unit acts through its contact's account or the members of its unit in the tree (a
  department's handlers): it keeps its own resources and services, approves bookings of them and
  organises activities in the communities it serves;
- a resident books for their own community; an in-service party member may report in themself."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_for, grants_with_roles
from minsheng.party.models import PartyMember
from minsheng.people.models import Resident
from minsheng.people.validation import normalise_phone
from minsheng.volunteers import services as volunteers
from minsheng.volunteers.models import Activity, ServiceCategory

from .models import Alliance, Booking, DualReport, JointActivity, MemberUnit, Offer, Resource

# Who keeps the register of a territory.
KEEPER_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
MAX_BOOKING = timedelta(days=7)


# --- who acts ------------------------------------------------------------------------------

def keeps(actor, region: Region) -> bool:
    """Whether ``actor`` keeps the co-building register over ``region``."""
    return any(g.region_path is not None and region.path.startswith(g.region_path)
               for g in grants_with_roles(actor, KEEPER_ROLES))


def check_keeper(actor, region: Region) -> None:
    grants = grants_with_roles(actor, KEEPER_ROLES)
    if not grants:
        raise PermissionDenied(_("只有社区、街道工作人员可以管理共建单位。"))
    if not keeps(actor, region):
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def acts_for(actor, member: MemberUnit) -> bool:
    """Whether ``actor`` speaks for the member unit: its contact's account, or a member of its
    unit in the organisation tree (a department's handler)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if member.contact_user_id is not None and member.contact_user_id == actor.pk:
        return True
    if member.unit_id is None:
        return False
    return any(g.unit_id == member.unit_id for g in grants_for(actor))


def may_manage(actor, member: MemberUnit) -> bool:
    """The unit itself, or the staff who keep one of the communities it serves."""
    return acts_for(actor, member) or any(keeps(actor, c) for c in member.communities.all())


def check_manage(actor, member: MemberUnit) -> None:
    if not may_manage(actor, member):
        raise PermissionDenied(_("只有%(member)s的联系人或所在社区、街道工作人员可以操作。") % {"member": member.name})


def _agreement_current(member: MemberUnit, on: date, field: str = "") -> None:
    if not member.active:
        raise InvalidTransition(_("%(member)s已退出共建。") % {"member": member.name})
    if not (member.agreement_start <= on <= member.agreement_end):
        message = _("%(member)s的共建协议有效期为%(start)s至%(end)s，%(day)s不在其中。") % {
            "member": member.name, "start": member.agreement_start.isoformat(),
            "end": member.agreement_end.isoformat(), "day": on.isoformat()}
        raise ValidationFailed.for_field(field, message) if field else InvalidTransition(message)


def _text(value, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed.for_field(field, message)
    return value[:limit]


# --- the register --------------------------------------------------------------------------

def _member_fields(*, name: str, kind: str, contact_name: str, agreement_start, agreement_end) -> tuple[str, str]:
    """The checks registration and editing share: a name, a kind, a contact, an agreement in order."""
    name = _text(name, "name", _("请填写单位名称。"), 100)
    if kind not in MemberUnit.Kind.values:
        raise ValidationFailed.for_field("kind", _("请选择单位类型。"))
    contact_name = _text(contact_name, "contact_name", _("请填写联系人。"), 50)
    if not isinstance(agreement_start, date) or not isinstance(agreement_end, date):
        raise ValidationFailed.for_field("agreement_end", _("请填写共建协议的起止日期。"))
    if agreement_end < agreement_start:
        raise ValidationFailed.for_field("agreement_end", _("协议截止日不能早于起始日。"))
    return name, contact_name


def _phone(contact_phone: str) -> str:
    try:
        return normalise_phone(contact_phone)
    except ValidationFailed as exc:
        raise ValidationFailed.for_field("contact_phone", exc.message) from None


def _agreement_not_over(agreement_end: date) -> None:
    if agreement_end < clock.today():
        raise ValidationFailed.for_field("agreement_end", _("协议已于%(end)s到期，请填写续签后的期限。") % {
            "end": agreement_end.isoformat()})


def _check_community(actor, alliance: Alliance, community: Region) -> None:
    if community.kind != Region.Kind.COMMUNITY or not community.path.startswith(alliance.region.path):
        raise ValidationFailed.for_field("communities", _("“%(name)s”不是%(alliance)s所在区域的社区。") % {
            "name": community.name, "alliance": alliance.name})
    check_keeper(actor, community)


def _name_free(alliance: Alliance, name: str, exclude: int | None = None) -> None:
    if MemberUnit.objects.filter(alliance=alliance, name=name).exclude(pk=exclude).exists():
        raise ValidationFailed.for_field("name", _("%(name)s已是%(alliance)s的成员单位。") % {
            "name": name, "alliance": alliance.name})


def register_member(actor, *, alliance: Alliance, name: str, kind: str, communities: Iterable[Region],
                    contact_name: str, contact_phone: str, agreement_start: date, agreement_end: date,
                    unit=None, contact_user=None, party_organisation: str = "", email: str = "") -> MemberUnit:
    """Sign a unit up to an alliance, for the communities it serves, for an agreement's period: by
    the staff who keep each of those communities (a street's worker for all of its own)."""
    if not grants_with_roles(actor, KEEPER_ROLES):
        raise PermissionDenied(_("只有社区、街道工作人员可以管理共建单位。"))
    name, contact_name = _member_fields(name=name, kind=kind, contact_name=contact_name,
                                        agreement_start=agreement_start, agreement_end=agreement_end)
    phone = _phone(contact_phone)
    _agreement_not_over(agreement_end)
    communities = list(dict.fromkeys(communities or []))
    if not communities:
        raise ValidationFailed.for_field("communities", _("请至少选择一个共建社区。"))
    for community in communities:
        _check_community(actor, alliance, community)
    _name_free(alliance, name)
    with transaction.atomic():
        member = MemberUnit.objects.create(
            alliance=alliance, name=name, kind=kind, unit=unit, contact_user=contact_user,
            contact_name=contact_name, contact_phone=phone, party_organisation=(party_organisation or "")[:100],
            email=email or "", agreement_start=agreement_start, agreement_end=agreement_end,
            registered_at=clock.now(), registered_by=actor if getattr(actor, "pk", None) else None)
        member.communities.set(communities)
    return member


def may_edit_member(actor, member: MemberUnit) -> bool:
    """The register's entry is the staff's: those who keep one of the communities it serves (the
    unit itself keeps its resources and services, not its registration)."""
    return any(keeps(actor, c) for c in member.communities.all())


def update_member(actor, member: MemberUnit, *, name: str, kind: str, communities: Iterable[Region],
                  contact_name: str, agreement_start: date, agreement_end: date, contact_phone: str = "",
                  party_organisation: str = "", email: str = "", active: bool = True) -> MemberUnit:
    """Change a member unit's particulars, by the staff who keep one of its communities, under the
    registration's checks.  A community outside the actor's territory is neither added nor taken off
    (its own staff decide it); an empty phone keeps the number (the form never shows it whole).  An
    agreement may stay past its end only if its dates are not touched: a new end must not be over."""
    if not grants_with_roles(actor, KEEPER_ROLES):
        raise PermissionDenied(_("只有社区、街道工作人员可以修改共建单位信息。"))
    if not may_edit_member(actor, member):
        raise OutOfScope(_("%(member)s服务的社区都不在你的管辖范围内。") % {"member": member.name})
    name, contact_name = _member_fields(name=name, kind=kind, contact_name=contact_name,
                                        agreement_start=agreement_start, agreement_end=agreement_end)
    phone = _phone(contact_phone) if (contact_phone or "").strip() else member.contact_phone
    if agreement_end != member.agreement_end:
        _agreement_not_over(agreement_end)
    wanted = list(dict.fromkeys(communities or []))
    if not wanted:
        raise ValidationFailed.for_field("communities", _("请至少选择一个共建社区。"))
    current = list(member.communities.all())
    for community in set(wanted) ^ set(current):
        _check_community(actor, member.alliance, community)
    _name_free(member.alliance, name, exclude=member.pk)
    with transaction.atomic():
        member = MemberUnit.objects.select_for_update().get(pk=member.pk)
        member.name, member.kind, member.contact_name, member.contact_phone = name, kind, contact_name, phone
        member.party_organisation, member.email = (party_organisation or "").strip()[:100], email or ""
        member.agreement_start, member.agreement_end, member.active = agreement_start, agreement_end, bool(active)
        member.save()
        if set(wanted) != set(current):
            member.communities.set(wanted)
    return member


def _resource_fields(*, kind: str, name: str, quantity) -> str:
    if kind not in Resource.Kind.values:
        raise ValidationFailed.for_field("kind", _("请选择资源类型。"))
    name = _text(name, "name", _("请填写资源名称。"), 100)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 100000:
        raise ValidationFailed.for_field("quantity", _("数量必须是1到100000之间的整数。"))
    return name


def add_resource(actor, member: MemberUnit, *, kind: str, name: str, quantity: int = 1, measure: str = "",
                 availability: str = "", description: str = "", bookable: bool = True) -> Resource:
    check_manage(actor, member)
    name = _resource_fields(kind=kind, name=name, quantity=quantity)
    return Resource.objects.create(member=member, kind=kind, name=name, quantity=quantity,
                                   measure=(measure or "").strip()[:10] or _("个"), availability=availability[:100],
                                   description=description or "", bookable=bookable)


def _most_booked(resource: Resource) -> tuple[int, Booking | None]:
    """The most of ``resource`` taken at one moment by pending or approved bookings still to end,
    and the booking at whose start that is (the peak of overlapping intervals lies at a start)."""
    rows = list(Booking.objects.filter(resource=resource, state__in=[Booking.State.PENDING, Booking.State.APPROVED],
                                       ends_at__gt=clock.now()).order_by("starts_at"))
    best, at = 0, None
    for row in rows:
        taken = sum(b.quantity for b in rows if b.starts_at <= row.starts_at < b.ends_at)
        if taken > best:
            best, at = taken, row
    return best, at


def update_resource(actor, resource: Resource, *, kind: str, name: str, quantity: int, measure: str = "",
                    availability: str = "", description: str = "", bookable: bool = True,
                    active: bool = True) -> Resource:
    """Change a shared resource, by its unit or the staff of a community it serves.  What is booked
    stays honoured: the quantity never drops below what pending and approved bookings take at one
    time, and a resource with such bookings to come is not 停用 (不可预约 only stops new ones)."""
    check_manage(actor, resource.member)
    name = _resource_fields(kind=kind, name=name, quantity=quantity)
    with transaction.atomic():
        resource = Resource.objects.select_for_update().select_related("member").get(pk=resource.pk)
        taken, peak = _most_booked(resource)
        if quantity < taken:
            raise ValidationFailed.for_field("quantity", _(
                "%(slot)s已预约%(n)d%(measure)s，数量不能少于%(n)d。") % {
                "slot": _slot_text(peak), "n": taken, "measure": resource.measure})
        if not active and taken:
            pending = Booking.objects.filter(resource=resource, ends_at__gt=clock.now(), state__in=[
                Booking.State.PENDING, Booking.State.APPROVED]).count()
            raise ValidationFailed.for_field("active", _(
                "还有%(n)d项待审批或已批准的预约未到期，请先处理这些预约再停用；只停止新的预约请取消“可预约”。") % {
                "n": pending})
        resource.kind, resource.name, resource.quantity = kind, name, quantity
        resource.measure = (measure or "").strip()[:10] or _("个")
        resource.availability, resource.description = (availability or "")[:100], description or ""
        resource.bookable, resource.active = bool(bookable), bool(active)
        resource.save()
    return resource


def _offer_fields(*, category: str, name: str) -> str:
    if category not in ServiceCategory.values:
        raise ValidationFailed.for_field("category", _("请选择服务类别。"))
    return _text(name, "name", _("请填写服务项目。"), 100)


def add_offer(actor, member: MemberUnit, *, category: str, name: str, schedule: str = "",
              description: str = "") -> Offer:
    check_manage(actor, member)
    name = _offer_fields(category=category, name=name)
    return Offer.objects.create(member=member, category=category, name=name, schedule=(schedule or "")[:100],
                                description=description or "")


def update_offer(actor, offer: Offer, *, category: str, name: str, schedule: str = "", description: str = "",
                 active: bool = True) -> Offer:
    """Change a pledged service, by its unit or the staff of a community it serves."""
    check_manage(actor, offer.member)
    name = _offer_fields(category=category, name=name)
    offer.category, offer.name, offer.schedule = category, name, (schedule or "")[:100]
    offer.description, offer.active = description or "", bool(active)
    offer.save()
    return offer


# --- bookings ------------------------------------------------------------------------------

def _resident_of(actor) -> Resident | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return Resident.objects.select_related("region").filter(user=actor).first()


def may_book_for(actor, community: Region) -> bool:
    """Staff book for the communities they keep, a resident for their own."""
    if keeps(actor, community):
        return True
    resident = _resident_of(actor)
    return resident is not None and resident.region is not None and resident.region.path.startswith(community.path)


def _slot_text(booking: Booking) -> str:
    start, end = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if start.date() == end.date() \
        else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def _check_room(resource: Resource, starts_at: datetime, ends_at: datetime, quantity: int,
                states: Iterable[str], exclude: int | None = None) -> None:
    """Refuse when the overlapping bookings in ``states`` leave fewer than ``quantity`` free."""
    overlapping = Booking.objects.filter(resource=resource, state__in=list(states), starts_at__lt=ends_at,
                                         ends_at__gt=starts_at).exclude(pk=exclude).order_by("starts_at")
    taken = overlapping.aggregate(n=Sum("quantity"))["n"] or 0
    if taken + quantity > resource.quantity:
        slots = _("、").join(_slot_text(b) for b in overlapping[:3])
        raise InvalidTransition(_("“%(resource)s”在这个时段已被预约（%(slots)s），请换一个时间。") % {
            "resource": resource.name, "slots": slots}, field_errors={"starts_at": [
                _("该时段已被预约：%(slots)s") % {"slots": slots}]})


def book(actor, resource: Resource, *, community: Region, starts_at: datetime, ends_at: datetime,
         purpose: str, quantity: int = 1) -> Booking:
    """Book a shared resource for a community; it waits for the unit's or the community's approval.
    The resource row is locked, so that two overlapping bookings cannot both pass the check."""
    if not (isinstance(starts_at, datetime) and isinstance(ends_at, datetime)):
        raise ValidationFailed.for_field("starts_at", _("请填写开始和结束时间。"))
    if ends_at <= starts_at:
        raise ValidationFailed.for_field("ends_at", _("结束时间必须晚于开始时间。"))
    if ends_at - starts_at > MAX_BOOKING:
        raise ValidationFailed.for_field("ends_at", _("一次预约最长7天。"))
    if starts_at <= clock.now():
        raise ValidationFailed.for_field("starts_at", _("开始时间已过，请预约以后的时间。"))
    purpose = _text(purpose, "purpose", _("请填写用途。"), 200)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationFailed.for_field("quantity", _("数量必须是正整数。"))
    if not may_book_for(actor, community):
        raise OutOfScope(_("只能为本人所在社区或你管辖的社区预约。"))
    with transaction.atomic():
        try:
            resource = Resource.objects.select_for_update().select_related("member__alliance").get(pk=resource.pk)
        except Resource.DoesNotExist:
            raise NotFound(_("资源不存在。")) from None
        member = resource.member
        if not (resource.active and resource.bookable):
            raise InvalidTransition(_("“%(resource)s”暂不开放预约。") % {"resource": resource.name})
        if not member.communities.filter(pk=community.pk).exists():
            raise OutOfScope(_("%(member)s未与%(community)s共建，不能为该社区预约。") % {
                "member": member.name, "community": community.name})
        _agreement_current(member, timezone.localdate(starts_at), "starts_at")
        if quantity > resource.quantity:
            raise ValidationFailed.for_field("quantity", _("“%(resource)s”共有%(n)d%(measure)s。") % {
                "resource": resource.name, "n": resource.quantity, "measure": resource.measure})
        _check_room(resource, starts_at, ends_at, quantity, (Booking.State.PENDING, Booking.State.APPROVED))
        return Booking.objects.create(resource=resource, community=community, starts_at=starts_at, ends_at=ends_at,
                                      quantity=quantity, purpose=purpose, booked_by=actor, created_at=clock.now())


# The bookings' transitions: action → (states it may start from, state it leads to).
BOOKING_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({Booking.State.PENDING}), Booking.State.APPROVED),
    "reject": (frozenset({Booking.State.PENDING}), Booking.State.REJECTED),
    "cancel": (frozenset({Booking.State.PENDING, Booking.State.APPROVED}), Booking.State.CANCELLED),
    "use": (frozenset({Booking.State.APPROVED}), Booking.State.USED),
}


def may_decide(actor, booking: Booking) -> bool:
    """The member unit's contact, or the staff who keep the booking's community."""
    return acts_for(actor, booking.resource.member) or keeps(actor, booking.community)


def available_booking_actions(actor, booking: Booking) -> list[str]:
    """What ``actor`` may do to the booking now (what its page offers)."""
    actions = []
    for action, (sources, _target) in BOOKING_TRANSITIONS.items():
        if booking.state not in sources:
            continue
        if action == "cancel":
            allowed = booking.booked_by_id == getattr(actor, "pk", None) or may_decide(actor, booking)
        elif action == "use":
            allowed = may_decide(actor, booking) and booking.starts_at <= clock.now()
        else:
            allowed = may_decide(actor, booking)
        if allowed:
            actions.append(action)
    return actions


def decide(actor, booking_id: int, action: str, note: str = "") -> Booking:
    """Take one of BOOKING_TRANSITIONS on a booking; refusals say why."""
    if action not in BOOKING_TRANSITIONS:
        raise ValidationFailed(_("未知的操作。"))
    sources, target = BOOKING_TRANSITIONS[action]
    with transaction.atomic():
        booking = (Booking.objects.select_for_update().select_related("resource__member__alliance", "community")
                   .filter(pk=booking_id).first())
        if booking is None:
            raise NotFound(_("预约不存在。"))
        if booking.state not in sources:
            raise InvalidTransition(_("预约已是“%(state)s”，不能再%(action)s。") % {
                "state": booking.get_state_display(), "action": ACTION_LABELS[action]})
        if action not in available_booking_actions(actor, booking):
            if action == "use" and may_decide(actor, booking):
                raise InvalidTransition(_("预约的时间还没到，不能登记为已使用。"))
            if action == "cancel":
                raise PermissionDenied(_("只有预约人、共建单位联系人或社区工作人员可以取消预约。"))
            raise PermissionDenied(_("只有%(member)s的联系人或%(community)s的工作人员可以审批这项预约。") % {
                "member": booking.resource.member.name, "community": booking.community.name})
        note = (note or "").strip()
        if action == "reject" and not note:
            raise ValidationFailed.for_field("note", _("不批准时请写明原因。"))
        if action == "approve":
            Resource.objects.select_for_update().filter(pk=booking.resource_id).first()
            _check_room(booking.resource, booking.starts_at, booking.ends_at, booking.quantity,
                        (Booking.State.APPROVED,), exclude=booking.pk)
        booking.state = target
        if action in ("approve", "reject"):
            booking.decided_by, booking.decided_at = actor, clock.now()
        if note:
            booking.note = note[:200]
        booking.save(update_fields=["state", "decided_by", "decided_at", "note"])
    return booking


ACTION_LABELS = {"approve": gettext_lazy("批准"), "reject": gettext_lazy("不批准"), "cancel": gettext_lazy("取消"),
                 "use": gettext_lazy("登记使用")}


# --- joint activities ----------------------------------------------------------------------

def _check_joint(actor, activity: Activity) -> None:
    joint = JointActivity.objects.select_related("member__alliance").filter(activity=activity).first()
    if joint is None:
        volunteers.check_organiser(actor, activity.region)
        return
    if not (acts_for(actor, joint.member) or keeps(actor, activity.region)):
        raise PermissionDenied(_("只有%(member)s的联系人或社区工作人员可以确认该活动的时长。") % {
            "member": joint.member.name})


def create_joint_activity(actor, member: MemberUnit, *, title: str, category: str, community: Region,
                          starts_at: datetime, ends_at: datetime, capacity: int, hours, place: str = "",
                          description: str = "") -> Activity:
    """An activity a member unit organises in a community it serves — a volunteers' activity (the
    same sign-ups, the same hours in the ledger) with the unit recorded as its organiser."""
    if not acts_for(actor, member) and not keeps(actor, community):
        raise PermissionDenied(_("只有%(member)s的联系人或该社区工作人员可以以其名义组织活动。") % {
            "member": member.name})
    if not member.communities.filter(pk=community.pk).exists():
        raise OutOfScope(_("%(member)s未与%(community)s共建，不能在那里组织活动。") % {
            "member": member.name, "community": community.name})
    if isinstance(starts_at, datetime):
        _agreement_current(member, timezone.localdate(starts_at), "starts_at")

    def allowed(_actor, _region):  # checked above: the unit for the communities it serves
        return None

    with transaction.atomic():
        activity = volunteers.create_activity(
            actor, title=title, category=category, region=community, starts_at=starts_at, ends_at=ends_at,
            capacity=capacity, hours=hours, place=place, description=description, check=allowed)
        JointActivity.objects.create(activity=activity, member=member)
    return activity


def confirm_joint_attendance(actor, activity_id: int, attended_ids) -> Activity:
    """The organising unit (or the community's staff) confirms who came; hours go to the ledger."""
    return volunteers.confirm_attendance(actor, activity_id, attended_ids, check=_check_joint)


# --- 双报到 ---------------------------------------------------------------------------------

def report_in(actor, member: PartyMember, *, community: Region, home_member: MemberUnit | None = None,
              home_organisation: str = "") -> DualReport:
    """An in-service party member reports to their home community, naming their own organisation
    (a member unit, or by name), to which the monthly list of their hours goes."""
    if community.kind != Region.Kind.COMMUNITY:
        raise ValidationFailed.for_field("community", _("请选择报到的社区。"))
    own = member.user_id is not None and member.user_id == getattr(actor, "pk", None)
    if not own and not keeps(actor, community):
        raise PermissionDenied(_("只有本人或%(community)s的工作人员可以登记报到。") % {"community": community.name})
    if home_member is not None:
        home_organisation = home_organisation or home_member.party_organisation or home_member.name
    home_organisation = _text(home_organisation, "home_organisation", _("请填写所在单位党组织。"), 100)
    existing = DualReport.objects.filter(member=member).select_related("community").first()
    if existing is not None and existing.active:
        raise ValidationFailed.for_field("member", _("%(name)s已于%(day)s到%(community)s报到。") % {
            "name": member.resident.name, "day": existing.reported_on.isoformat(),
            "community": existing.community.name})
    with transaction.atomic():
        member.in_service = True
        member.reporting_community = community
        member.workplace = (home_member.name if home_member else home_organisation)[:100]
        member.save(update_fields=["in_service", "reporting_community", "workplace"])
        volunteers.volunteer_for_party_member(member)
        today = clock.today()
        if existing is not None:  # reporting again after leaving: the same row, active again
            existing.community, existing.home_member, existing.home_organisation = community, home_member, \
                home_organisation
            existing.reported_on, existing.active = today, True
            existing.save()
            return existing
        try:
            return DualReport.objects.create(member=member, community=community, home_member=home_member,
                                             home_organisation=home_organisation, reported_on=today)
        except IntegrityError:  # pragma: no cover - two reports at once
            raise ValidationFailed.for_field("member", _("该党员已报到。")) from None


def month_label(first: date) -> str:
    return date_format(first, "Y年n月")
