"""Estates (小区) and their "三驾马车", the residents' yearly evaluation of the property company,
households and the chiefs (网格长, 楼栋长, 单元长) — docs/estates.md.

Reads are scoped like every grid read (``selectors.region_q``); a chief's territory is their post's
region (``Chief``), which grants no demand scope: a chief sees the residents' list masked and sends
notices, nothing more."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident
from minsheng.people.services import find_or_register_resident

from .models import Chief, Estate, House, PropertyEvaluation
from .selectors import region_q

# The questionnaire (物业服务满意度测评): few questions, three answers each.
QUESTIONS: list[tuple[str, object]] = [
    ("attitude", gettext_lazy("服务态度与响应速度")),
    ("cleaning", gettext_lazy("环境卫生与绿化")),
    ("repairs", gettext_lazy("公共设施设备维修")),
    ("security", gettext_lazy("安全秩序与停车管理")),
    ("fees", gettext_lazy("收费与账目公开")),
]
ANSWERS: list[tuple[str, object]] = [
    ("satisfied", gettext_lazy("满意")),
    ("basic", gettext_lazy("基本满意")),
    ("dissatisfied", gettext_lazy("不满意")),
]
ANSWER_CODES = [code for code, _label in ANSWERS]


# --- places ---------------------------------------------------------------------------------------

def estates_visible_to(user) -> QuerySet[Estate]:
    """The estates in the user's territory (by their grid)."""
    return (Estate.objects.filter(region_q(user, "grid"))
            .select_related("grid", "region", "property_company", "party_branch"))


def resident_place(resident: Resident) -> Region | None:
    """Where a resident lives, as precisely as known: the household's unit or building, else the
    resident's region."""
    house = resident.house
    if house is not None:
        return house.entrance or house.building
    return resident.region


def estate_of(resident: Resident) -> Estate | None:
    """The estate (with a region node) the resident lives in, or None."""
    place = resident_place(resident)
    if place is None:
        return None
    ids = [int(p) for p in place.path.split(".") if p]
    return Estate.objects.filter(region_id__in=ids).select_related("region", "property_company").first()


def buildings_of(estate: Estate) -> QuerySet[Region]:
    if estate.region_id is None:
        return Region.objects.none()
    return Region.objects.filter(path__startswith=estate.region.path, kind=Region.Kind.BUILDING).order_by("path")


def places_outside_estates(grid: Region) -> list[Region]:
    """A grid and what of it stands in no estate (散居楼: old houses, a village — buildings directly
    under the grid — and their units): the places whose chiefs the grid's page appoints, as the
    estate's page does for its own."""
    buildings = list(Region.objects.filter(parent=grid, kind=Region.Kind.BUILDING).order_by("path"))
    entrances = Region.objects.filter(parent__in=buildings, kind=Region.Kind.ENTRANCE).select_related("parent")
    return [grid, *sorted([*buildings, *entrances], key=lambda r: r.path)]


def residents_in(region: Region) -> QuerySet[Resident]:
    """The residents of a region: registered to it or below, or living in a household of it."""
    path = region.path
    return Resident.objects.filter(Q(region__path__startswith=path) | Q(house__building__path__startswith=path)
                                   | Q(house__entrance__path__startswith=path)).distinct()


def building_of(resident: Resident) -> Region | None:
    """The building the resident lives in (their household's, else their region's), or None for a
    resident registered only to a grid or community."""
    place = resident_place(resident)
    if place is None:
        return None
    if place.kind == Region.Kind.ENTRANCE:
        return place.parent
    return place if place.kind == Region.Kind.BUILDING else None


def household_buildings(resident: Resident) -> QuerySet[Region]:
    """Where the resident's household may be: their building, or for a resident known only by grid
    the buildings of that grid."""
    building = building_of(resident)
    if building is not None:
        return Region.objects.filter(pk=building.pk)
    if resident.region_id is None:
        return Region.objects.none()
    return Region.objects.filter(path__startswith=resident.region.path, kind=Region.Kind.BUILDING).order_by("path")


def _record_household(actor, resident: Resident, old_house: House | None, old_region_id: int | None,
                      source: str) -> None:
    """The register's history for the resident: the household and the region before → after."""
    from .models import RegisterChange

    changes = {}
    if old_house != resident.house:
        changes["house"] = [str(old_house) if old_house else None, str(resident.house) if resident.house else None]
    if old_region_id != resident.region_id:
        changes["region_id"] = [old_region_id, resident.region_id]
    if changes:
        RegisterChange.objects.create(entity=RegisterChange.Entity.RESIDENT, record_id=resident.pk,
                                      changed_by=actor if getattr(actor, "pk", None) else None, source=source,
                                      changes=changes, at=clock.now())


def _require_household_keeper(actor, place: Region) -> None:
    if not any(place.path.startswith(p) for p in _territory(actor)):
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": place.name})


def link_household(actor, resident: Resident, house: House, *, source: str = "") -> Resident:
    """Put a resident in a household (户) of their building; the resident's region becomes the
    house's unit or building, so every regional read finds them where they live.  A resident known
    only by grid may join a household of a building of that grid."""
    place = house.entrance or house.building
    _require_household_keeper(actor, place)
    if not household_buildings(resident).filter(pk=house.building_id).exists():
        raise ValidationFailed.for_field("house", _("只能加入%(name)s所住楼栋的户。") % {"name": resident.name})
    if resident.house_id == house.pk:
        raise InvalidTransition(_("%(name)s 已在该户。") % {"name": resident.name})
    with transaction.atomic():
        old_house, old_region = resident.house, resident.region_id
        resident.house = house
        resident.region = place
        resident.save(update_fields=["house", "region"])
        _record_household(actor, resident, old_house, old_region, source or _("加入家庭户"))
    return resident


def start_household(actor, resident: Resident, *, building: Region, room: str,
                    entrance: Region | None = None) -> Resident:
    """A new household (a house of the building, by its number) with the resident in it; a number
    the building already has is refused (join that household instead)."""
    room = (room or "").strip()[:30]
    if not room:
        raise ValidationFailed.for_field("room", _("请填写户号（房号），如：301。"))
    if building is None or not household_buildings(resident).filter(pk=building.pk).exists():
        raise ValidationFailed.for_field("building", _("请选择%(name)s所住的楼栋。") % {"name": resident.name})
    if entrance is not None and entrance.parent_id != building.pk:
        raise ValidationFailed.for_field("entrance", _("该单元不在所选楼栋。"))
    _require_household_keeper(actor, entrance or building)
    with transaction.atomic():
        if House.objects.filter(building=building, room=room).exists():
            raise ValidationFailed.for_field("room", _("%(building)s已有%(room)s户，请在上方选择加入该户。") % {
                "building": building.name, "room": room})
        house = House.objects.create(building=building, entrance=entrance, room=room)
        return link_household(actor, resident, house, source=_("新建家庭户"))


def unlink_household(actor, resident: Resident) -> Resident:
    """Take a resident out of their household; they stay registered where the household was."""
    if resident.house_id is None:
        raise InvalidTransition(_("%(name)s 没有关联家庭户。") % {"name": resident.name})
    _require_household_keeper(actor, resident.house.entrance or resident.house.building)
    with transaction.atomic():
        old_house, old_region = resident.house, resident.region_id
        resident.house = None
        resident.save(update_fields=["house"])
        _record_household(actor, resident, old_house, old_region, _("移出家庭户"))
    return resident


def _territory(user, roles=None) -> list[str]:
    from .selectors import territory_paths

    return territory_paths(user, roles)


# --- evaluation -----------------------------------------------------------------------------------

def evaluate_property(user, *, answers: dict[str, str], comment: str = "") -> PropertyEvaluation:
    """A signed-in resident's evaluation of their estate's property company: once a year, every
    question answered with one of the three answers."""
    resident = Resident.objects.filter(user=user).select_related("house__building", "house__entrance",
                                                                 "region").first() if user else None
    if resident is None:
        raise PermissionDenied(_("请先以居民身份登录。"))
    estate = estate_of(resident)
    if estate is None:
        raise PermissionDenied(_("没有找到您所住的小区，请联系社区登记住址。"))
    if estate.property_company_id is None:
        raise ValidationFailed(_("%(estate)s尚未登记物业服务企业，暂不能评价。") % {"estate": estate.name})
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for code, _label in QUESTIONS:
        value = (answers or {}).get(code, "")
        if value not in ANSWER_CODES:
            errors[code] = [_("请选择满意、基本满意或不满意。")]
        else:
            clean[code] = value
    comment = (comment or "").strip()
    if len(comment) > 500:
        errors["comment"] = [_("意见建议不能超过 500 字。")]
    if errors:
        raise ValidationFailed(_("请回答每一个问题。"), field_errors=errors)
    now = clock.now()
    year = current_year()
    if PropertyEvaluation.objects.filter(estate=estate, resident=resident, year=year).exists():
        raise ValidationFailed(_("您今年已评价过%(estate)s的物业服务，明年再来。") % {"estate": estate.name})
    try:
        with transaction.atomic():
            return PropertyEvaluation.objects.create(
                estate=estate, property_company=estate.property_company, resident=resident, year=year,
                answers=clean, comment=comment, created_at=now)
    except IntegrityError:  # a second submission racing the first
        raise ValidationFailed(_("您今年已评价过%(estate)s的物业服务，明年再来。") % {"estate": estate.name}) from None


@dataclass
class QuestionTally:
    code: str
    label: str
    counts: dict[str, int]
    total: int
    rates: dict[str, float] = field(default_factory=dict)  # answer → 0..100

    @property
    def rows(self) -> list[tuple[str, int, float]]:
        return [(str(label), self.counts[code], self.rates[code]) for code, label in ANSWERS]


@dataclass
class Tally:
    year: int
    responses: int
    questions: list[QuestionTally]
    satisfaction: float | None  # (满意 + 基本满意) / all answers, 0..100; None without answers


def tally(estate: Estate, year: int) -> Tally:
    """The year's answers counted per question and answer, with their rates (0..100, one decimal)."""
    rows = list(PropertyEvaluation.objects.filter(estate=estate, year=year).values_list("answers", flat=True))
    questions = []
    pleased = answered = 0
    for code, label in QUESTIONS:
        counts = {a: 0 for a in ANSWER_CODES}
        for answers in rows:
            if answers.get(code) in counts:
                counts[answers[code]] += 1
        total = sum(counts.values())
        rates = {a: round(100 * n / total, 1) if total else 0.0 for a, n in counts.items()}
        questions.append(QuestionTally(code, str(label), counts, total, rates))
        pleased += counts["satisfied"] + counts["basic"]
        answered += total
    return Tally(year, len(rows), questions, round(100 * pleased / answered, 1) if answered else None)


def current_year() -> int:
    return clock.today().year


# --- chiefs ---------------------------------------------------------------------------------------

def chief_posts(user) -> QuerySet[Chief]:
    if not getattr(user, "is_authenticated", False):
        return Chief.objects.none()
    return Chief.objects.filter(user=user, active=True).select_related("region")


def is_chief(user) -> bool:
    return chief_posts(user).exists()


def chief_covers(user, region: Region) -> bool:
    """Whether one of the user's chief posts covers ``region`` (their grid, building or unit)."""
    return any(region.path.startswith(p.region.path) for p in chief_posts(user))


def chiefs_in(region: Region) -> QuerySet[Chief]:
    """The chiefs in office for a region and everything under it (an estate's 楼栋长 and 单元长)."""
    return (Chief.objects.filter(region__path__startswith=region.path, active=True)
            .select_related("region", "user").order_by("region__path", "kind"))


# Who appoints and ends chiefs: the community committee, the street office, administrators.
APPOINTERS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
KIND_FOR_REGION = {region_kind: kind for kind, region_kind in Chief.REGION_KIND.items()}


def may_appoint(actor, region: Region | None = None) -> bool:
    paths = _territory(actor, APPOINTERS)
    return bool(paths) if region is None else any(region.path.startswith(p) for p in paths)


def _require_appointer(actor, region: Region) -> None:
    if not _territory(actor, APPOINTERS):
        raise PermissionDenied(_("只有社区、街道的工作人员可以任免网格长、楼栋长、单元长。"))
    if not may_appoint(actor, region):
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def holder_name(chief: Chief) -> str:
    """The chief's name as residents know it: the resident behind the account, else the account's."""
    resident = Resident.objects.filter(user_id=chief.user_id).only("name").first()
    return resident.name if resident is not None else (chief.user.get_full_name() or chief.user.get_username())


def appoint_chief(actor, *, user, region: Region, kind: str, phone: str = "") -> Chief:
    """Name a 网格长, 楼栋长 or 单元长 for a region of the matching level in the actor's territory.
    One chief in office per place and kind: a second is refused with the holder's name (the region's
    row is locked, so that two appointments at once cannot both pass)."""
    if kind not in Chief.Kind.values:
        raise ValidationFailed.for_field("kind", _("请选择网格长、楼栋长或单元长。"))
    if region.kind != Chief.REGION_KIND[kind]:
        raise ValidationFailed.for_field("region", _("%(kind)s的负责区域必须是%(level)s。") % {
            "kind": Chief.Kind(kind).label, "level": Region.Kind(Chief.REGION_KIND[kind]).label})
    _require_appointer(actor, region)
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=region.pk).first()
        current = (Chief.objects.filter(region=region, kind=kind, active=True).exclude(user=user)
                   .select_related("user").first())
        if current is not None:
            raise InvalidTransition(_("“%(region)s”现任%(kind)s是%(name)s，请先免去其职务再任命。") % {
                "region": region.name, "kind": Chief.Kind(kind).label, "name": holder_name(current)},
                field_errors={"region": [_("现任%(kind)s：%(name)s。") % {
                    "kind": Chief.Kind(kind).label, "name": holder_name(current)}]})
        chief = Chief.objects.filter(user=user, region=region, active=True).first() or Chief(user=user, region=region)
        chief.kind, chief.phone, chief.since = kind, phone, chief.since or clock.today()
        chief.save()
    return chief


def appoint_resident_as_chief(actor, *, region: Region, name: str, phone: str) -> Chief:
    """Appoint the resident with this phone (registered if new) as the chief of ``region`` (the kind
    follows the region's level).  The resident's account is the one a resident signs in with by
    phone and text-message code (``people.signin.account_for_phone``, made here if they have none),
    and a chief's home is /chief/ (``web.homes``) — as when the admin names an account."""
    from minsheng.people.signin import account_for_phone

    kind = KIND_FOR_REGION.get(region.kind)
    if kind is None:
        raise ValidationFailed.for_field("region", _("请选择网格、楼栋或单元。"))
    _require_appointer(actor, region)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.for_field("name", _("请填写姓名。"))
    with transaction.atomic():
        resident = find_or_register_resident(name=name[:50], phone=phone, region=region)
        if resident.name != name[:50]:
            raise ValidationFailed.for_field("name", _("该手机号登记的居民是“%(name)s”，请核对姓名或手机号。") % {
                "name": resident.name})
        user = resident.user or account_for_phone(resident.phone, name=resident.name)
        return appoint_chief(actor, user=user, region=region, kind=kind, phone=resident.phone)


def end_chief(actor, chief_id: int) -> Chief:
    """End a chief's term: the post is kept, no longer in office (its history stays readable)."""
    with transaction.atomic():
        chief = Chief.objects.select_for_update().select_related("region", "user").filter(pk=chief_id).first()
        if chief is None:
            raise NotFound(_("职务记录不存在。"))
        _require_appointer(actor, chief.region)
        if not chief.active:
            raise InvalidTransition(_("%(name)s 已不在任。") % {"name": holder_name(chief)})
        chief.active = False
        chief.save()
    return chief
