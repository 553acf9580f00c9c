"""Registering volunteers, teams and activities; signing up and confirming attendance.

Confirming an activity's attendance credits each attendee's service hours (and points) through
the ledger, in the same transaction."""

import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import forget_grants, grants_with_roles
from minsheng.people.models import Resident

from .models import Activity, ServiceCategory, SignUp, Team, Volunteer

# Who keeps the registry and organises activities in a region.
ORGANISER_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})


def check_organiser(actor, region: Region) -> None:
    """The actor keeps the volunteers of ``region`` (a community or street worker, an administrator)."""
    grants = grants_with_roles(actor, ORGANISER_ROLES)
    if not grants:
        raise PermissionDenied(_("你的角色不能管理志愿服务。"))
    if not any(g.region_path is not None and g.covers_region(region) for g in grants):
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def _contains(outer: Region, inner: Region) -> bool:
    return inner.path.startswith(outer.path)


def _check_teams(teams, region: Region) -> list[Team]:
    """A volunteer joins teams of their community or of the levels above it (the street's)."""
    teams = list(teams)
    for team in teams:
        if not _contains(team.region, region):
            raise ValidationFailed.for_field("teams", _("“%(team)s”不是%(region)s或其上级区域的队伍。") % {
                "team": team.name, "region": region.name})
    return teams


def _categories(values) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in ServiceCategory.values]
    if unknown:
        raise ValidationFailed.for_field("categories", _("未知的服务类别“%(value)s”。") % {"value": unknown[0]})
    if not values:
        raise ValidationFailed.for_field("categories", _("请至少选择一个服务类别。"))
    return values


def _new_card_number() -> str:
    return "AX" + "".join(secrets.choice("0123456789") for _i in range(10))


def _community_unit(region: Region) -> Unit | None:
    """The community committee (or the street office) whose region holds ``region``."""
    ancestors = [p for p in Region.objects.filter(pk__in=_ancestor_ids(region))]
    for kind in ("community_committee", "street_office"):
        unit = Unit.objects.filter(kind=kind, region__in=ancestors, active=True).order_by("-region__path").first()
        if unit:
            return unit
    return None


def _ancestor_ids(region: Region) -> list[int]:
    ids, node = [], region
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def _give_volunteer_role(resident: Resident, region: Region) -> None:
    """A volunteer with an account claims wishes in their community: a volunteer's role there."""
    unit = _community_unit(region)
    if resident.user_id and unit is not None:
        Membership.objects.get_or_create(user_id=resident.user_id, unit=unit, role=Role.VOLUNTEER)
        forget_grants(resident.user)


def register_volunteer(actor, *, resident: Resident, region: Region, categories, skills: str = "",
                       availability: str = "", teams=()) -> Volunteer:
    """Put a resident on the registry of ``region`` (a community), with a member card."""
    if actor is not None:
        check_organiser(actor, region)
    categories = _categories(categories)
    teams = _check_teams(teams, region)
    if Volunteer.objects.filter(resident=resident).exists():
        raise ValidationFailed.for_field("resident", _("%(name)s 已是注册志愿者。") % {"name": resident.name})
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    volunteer = Volunteer.objects.create(
                        resident=resident, region=region, categories=categories, skills=(skills or "")[:200],
                        availability=(availability or "")[:100], card_number=_new_card_number(),
                        joined_on=clock.today())
                break
            except IntegrityError:  # a card number drawn twice: draw again
                continue
        else:  # pragma: no cover - 10 random digits five times over
            raise ValidationFailed(_("无法生成爱心卡号，请重试。"))
        volunteer.teams.set(teams)
        _give_volunteer_role(resident, region)
    return volunteer


def volunteer_for_party_member(member) -> Volunteer:
    """Party members (in-service ones at the community they report to, 双报到) are volunteers too:
    their volunteer record, made on first need."""
    existing = Volunteer.objects.filter(resident_id=member.resident_id).first()
    if existing is not None:
        return existing
    region = member.reporting_community if member.in_service else None
    if region is None and member.organisation_id:
        region = member.organisation.region
    if region is None:
        region = member.resident.region
    if region is None:
        raise ValidationFailed(_("党员 %(name)s 没有所在社区，无法登记为志愿者。") % {"name": member.resident.name})
    return register_volunteer(None, resident=member.resident, region=region, categories=[ServiceCategory.GENERAL])


def create_team(actor, *, kind: str, name: str, region: Region, category: str = "", parent: Team | None = None,
                leader: Volunteer | None = None) -> Team:
    check_organiser(actor, region)
    if kind not in Team.Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的队伍类型。"))
    if kind == Team.Kind.CATEGORY and category not in ServiceCategory.values:
        raise ValidationFailed.for_field("category", _("服务分队须选择服务类别。"))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.for_field("name", _("请填写队伍名称。"))
    if parent is not None and not _contains(parent.region, region):
        # 1+8+N is a tree over the regions: a team hangs under one of its own region or above.
        raise ValidationFailed.for_field("parent", _("上级队伍须属于本区域或上级区域。"))
    return Team.objects.create(kind=kind, name=name[:100], region=region, category=category or "", parent=parent,
                               leader=leader)


def create_activity(actor, *, title: str, category: str, region: Region, starts_at: datetime, ends_at: datetime,
                    capacity: int, hours, team: Team | None = None, place: str = "",
                    description: str = "", check=check_organiser) -> Activity:
    """``check(actor, region)`` refuses who may not organise there: the registry's keepers by
    default; a co-building unit's activities pass their own rule (cobuild.services)."""
    check(actor, region)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed.for_field("title", _("请填写活动名称。"))
    if category not in ServiceCategory.values:
        raise ValidationFailed.for_field("category", _("请选择服务类别。"))
    if not (isinstance(starts_at, datetime) and isinstance(ends_at, datetime)) or ends_at <= starts_at:
        raise ValidationFailed.for_field("ends_at", _("结束时间必须晚于开始时间。"))
    if not isinstance(capacity, int) or capacity < 1:
        raise ValidationFailed.for_field("capacity", _("名额必须是正整数。"))
    hours = positive_hours(hours)
    if team is not None and not (_contains(team.region, region) or _contains(region, team.region)):
        raise ValidationFailed.for_field("team", _("组织队伍须属于活动所在区域或其上级、下级区域。"))
    return Activity.objects.create(title=title[:100], description=description, category=category, team=team,
                                   region=region, place=place[:200], starts_at=starts_at, ends_at=ends_at,
                                   capacity=capacity, hours=hours, organiser=actor, created_at=clock.now())


def positive_hours(value, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        hours = None
    if hours is None or not hours.is_finite() or hours <= 0 or hours > 24:
        raise ValidationFailed.for_field(field, _("服务时长须在0到24小时之间。"))
    return hours


def _lock_activity(activity_id: int) -> Activity:
    try:
        return Activity.objects.select_for_update().get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("活动不存在。")) from None


def sign_up(volunteer: Volunteer, activity_id: int) -> SignUp:
    """A volunteer takes one of the activity's places; the activity row is locked so that the last
    place goes to one volunteer only."""
    with transaction.atomic():
        activity = _lock_activity(activity_id)
        if activity.state != Activity.State.OPEN or activity.starts_at <= clock.now():
            raise InvalidTransition(_("活动“%(title)s”已停止报名。") % {"title": activity.title})
        # The same reach as the list a volunteer picks from: activities of their own street.
        street = volunteer.region.parent or volunteer.region
        if not activity.region.path.startswith(street.path):
            raise OutOfScope(_("只能报名本街道的志愿活动。"))
        if SignUp.objects.filter(activity=activity, volunteer=volunteer).exists():
            raise InvalidTransition(_("你已报名该活动。"))
        if activity.signups.count() >= activity.capacity:
            raise InvalidTransition(_("活动“%(title)s”名额已满。") % {"title": activity.title})
        return SignUp.objects.create(activity=activity, volunteer=volunteer, signed_up_at=clock.now())


def confirm_attendance(actor, activity_id: int, attended_ids, check=None) -> Activity:
    """The organiser confirms who came: each attendee is credited the activity's hours (and the
    points they earn) in the ledger; the others are marked absent.  ``check(actor, activity)``
    replaces the registry keepers' rule for a co-building unit's activity (cobuild.services)."""
    from minsheng.ledger import services as ledger

    try:
        attended = {int(i) for i in attended_ids}
    except (TypeError, ValueError):
        raise ValidationFailed.for_field("attended", _("到场名单有误，请刷新后重试。")) from None
    with transaction.atomic():
        activity = _lock_activity(activity_id)
        if check is None:
            check_organiser(actor, activity.region)
        else:
            check(actor, activity)
        if activity.state != Activity.State.OPEN:
            raise InvalidTransition(_("活动“%(title)s”的时长已确认。") % {"title": activity.title})
        if activity.ends_at > clock.now():
            raise InvalidTransition(_("活动结束后才能确认服务时长。"))
        signups = list(activity.signups.select_related("volunteer__resident"))
        unknown = attended - {s.volunteer_id for s in signups}
        if unknown:
            raise ValidationFailed.for_field("attended", _("只能确认已报名的志愿者。"))
        for signup in signups:
            came = signup.volunteer_id in attended
            SignUp.objects.filter(pk=signup.pk).update(attended=came)
            if came:
                ledger.credit_service(signup.volunteer, activity.hours, actor=actor,
                                      kind="activity_hours", activity=activity,
                                      reference=f"activity:{activity.pk}:{signup.volunteer_id}",
                                      memo=_("参加活动：%(title)s") % {"title": activity.title})
        activity.state = Activity.State.CONFIRMED
        activity.save(update_fields=["state"])
    return activity


def record_beneficiaries(actor, activity_id: int, resident_ids, people_served) -> Activity:
    """Who an activity served: the residents named (受益居民, of the activity's area) and the count
    of people served (服务人次), which is at least the residents named (a lecture's audience is
    counted, not named).  Recorded once the activity has begun; recording again replaces it."""
    try:
        ids = {int(i) for i in resident_ids}
    except (TypeError, ValueError):
        raise ValidationFailed.for_field("beneficiaries", _("受益居民名单有误，请刷新后重试。")) from None
    try:
        served = int(str(people_served).strip())
    except (TypeError, ValueError):
        raise ValidationFailed.for_field("people_served", _("服务人次须为整数。")) from None
    if served < 0:
        raise ValidationFailed.for_field("people_served", _("服务人次不能为负数。"))
    if served < len(ids):
        raise ValidationFailed.for_field("people_served", _(
            "服务人次（%(served)d）不能少于受益居民人数（%(named)d）。") % {"served": served, "named": len(ids)})
    with transaction.atomic():
        activity = _lock_activity(activity_id)
        check_organiser(actor, activity.region)
        if activity.state == Activity.State.CANCELLED:
            raise InvalidTransition(_("活动“%(title)s”已取消。") % {"title": activity.title})
        if activity.starts_at > clock.now():
            raise InvalidTransition(_("活动开始后才能登记受益居民和服务人次。"))
        residents = list(Resident.objects.filter(pk__in=ids, region__path__startswith=activity.region.path))
        if len(residents) != len(ids):
            raise ValidationFailed.for_field("beneficiaries", _("受益居民须是活动所在区域的居民。"))
        activity.beneficiaries.set(residents)
        activity.people_served = served
        activity.save(update_fields=["people_served"])
    return activity
