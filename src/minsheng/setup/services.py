"""The administration area's rules: what a territory's administrator may create and change.

Every function takes the acting account and its territory (``access.territory_paths``) and checks
each region, unit or parent it is given against it: a value outside the territory may be kept on a
row that already has it (a street office's parent is the district centre), never chosen.  Saves go
through the models' ``save``, so the audit log's receivers write each change before → after in the
same transaction (``audit.signals``)."""

import secrets
import string

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from minsheng.audit.signals import record_change
from minsheng.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import forget_grants

from .access import EVERYWHERE, inside

# The roles an administrator hands out in the workbench (a resident signs in by phone; a volunteer
# registers on the volunteers' pages).
ASSIGNABLE_ROLES = tuple(r for r in Role if r not in (Role.RESIDENT, Role.VOLUNTEER))
# Each centre kind sits at its own level of the region tree.
CENTRE_REGION = {Unit.Kind.CITY_CENTRE: Region.Kind.CITY, Unit.Kind.DISTRICT_CENTRE: Region.Kind.DISTRICT}
# One-time passwords: long enough to resist guessing for the hours before their first use, without
# the letters read alike (0/O, 1/l/I) since they are read out or copied by hand.
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
PASSWORD_LENGTH = 12


def in_territory(paths: list[str], region: Region | None) -> bool:
    return region is not None and inside(paths, region.path)


def whole_tree(paths: list[str]) -> bool:
    """Whether the territory is a whole tree (everything, or a root region): such an administrator
    also keeps what is set for everyone (the assessment rule)."""
    return EVERYWHERE in paths or any(p.count(".") == 1 for p in paths)


def _require_region(paths: list[str], region: Region | None, field: str, old: Region | None = None) -> None:
    """``region`` lies in the territory, or is the value the row already had."""
    if region is None:
        raise ValidationFailed.for_field(field, _("请选择所在区域。"))
    if old is not None and region.pk == old.pk:
        return
    if not in_territory(paths, region):
        raise OutOfScope(_("“%(name)s”不在你的管辖范围内。") % {"name": region.name},
                         field_errors={field: [_("“%(name)s”不在你的管辖范围内。") % {"name": region.name}]})


def _require_unit(paths: list[str], unit: Unit | None, field: str, old: Unit | None = None,
                  required: bool = True) -> None:
    if unit is None:
        if required:
            raise ValidationFailed.for_field(field, _("请选择单位。"))
        return
    if old is not None and unit.pk == old.pk:
        return
    if not in_territory(paths, unit.region):
        raise OutOfScope(_("“%(name)s”不在你的管辖范围内。") % {"name": unit.name},
                         field_errors={field: [_("“%(name)s”不在你的管辖范围内。") % {"name": unit.name}]})


def _full_clean(instance: Model, exclude: list[str] | None = None) -> None:
    """The model's own checks, as a service refusal naming the fields."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as exc:
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        general = errors.pop("__all__", [])
        first = (general or next(iter(errors.values()), [""]))[0]
        raise ValidationFailed(first, field_errors=errors) from None


def _old(instance: Model | None, field: str):
    """The value ``field`` has in the database (a form has already set the new one on the instance)."""
    if instance is None or instance.pk is None:
        return None
    stored = type(instance)._default_manager.select_related(field).filter(pk=instance.pk).first()
    return getattr(stored, field) if stored is not None else None


# --- units -----------------------------------------------------------------------------------

def save_unit(actor, paths: list[str], unit: Unit, data: dict) -> Unit:
    """Create, rename, move (within the territory) or deactivate a unit."""
    old_region, old_parent = _old(unit, "region"), _old(unit, "parent")
    _require_region(paths, data.get("region"), "region", old_region)
    _require_unit(paths, data.get("parent"), "parent", old_parent, required=False)
    kind = data.get("kind")
    region = data["region"]
    if kind in CENTRE_REGION and region.kind != CENTRE_REGION[kind]:
        raise ValidationFailed.for_field("kind", _("%(kind)s须设在%(level)s一级的区域。") % {
            "kind": Unit.Kind(kind).label, "level": Region.Kind(CENTRE_REGION[kind]).label})
    parent = data.get("parent")
    if unit.pk is not None and parent is not None and parent.path.startswith(unit.path):
        raise ValidationFailed.for_field("parent", _("不能把单位移到它自己或它的下级单位之下。"))
    if unit.pk is not None and not data.get("active", True) and Membership.objects.filter(
            user=actor, unit=unit, role=Role.ADMINISTRATOR, active=True).exists():
        raise ValidationFailed.for_field("active", _("不能停用你自己担任管理员的单位。"))
    for field in ("name", "kind", "code", "parent", "region", "phone", "active"):
        if field in data:
            setattr(unit, field, data[field])
    _full_clean(unit, exclude=["path", "depth"])
    with transaction.atomic():
        unit.save()
    return unit


# --- accounts and their posts --------------------------------------------------------------------

def one_time_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def manageable(paths: list[str], user) -> bool:
    """An account the administrator may change, deactivate or reset: not a superuser, and every
    post it holds lies in the territory (otherwise a street's administrator could take over an
    account that acts for the district)."""
    if user.is_superuser:
        return False
    posts = list(Membership.objects.filter(user=user).select_related("unit__region"))
    return bool(posts) and all(in_territory(paths, m.unit.region) for m in posts)


def _require_manageable(actor, paths: list[str], user) -> None:
    if not manageable(paths, user):
        raise OutOfScope(_("该账号在你的管辖范围之外还有岗位，只能由上级管理员修改。"))
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能在这里修改你自己的账号；修改密码请用“修改密码”页面。"))


def _check_post(paths: list[str], unit: Unit | None, role: str, region: Region | None,
                old_unit: Unit | None = None) -> None:
    _require_unit(paths, unit, "unit", old_unit)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationFailed.for_field("role", _("请选择一个工作人员角色。"))
    if region is not None and not region.path.startswith(unit.region.path):
        raise ValidationFailed.for_field("region", _("负责区域必须在单位所在区域之内。"))


def create_account(actor, paths: list[str], data: dict) -> tuple[object, str]:
    """A new staff account with its first post; returns the account and its one-time password,
    which is shown once and kept nowhere (only its hash)."""
    username = (data.get("username") or "").strip()
    if not username:
        raise ValidationFailed.for_field("username", _("请填写用户名。"))
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationFailed.for_field("username", _("用户名“%(name)s”已被使用。") % {"name": username})
    _check_post(paths, data.get("unit"), data.get("role"), data.get("region"))
    password = one_time_password()
    with transaction.atomic():
        user = user_model(username=username, first_name=(data.get("first_name") or "").strip()[:150])
        _full_clean(user, exclude=["password"])
        user.set_password(password)
        user.is_staff = False
        user.save()
        Membership.objects.create(user=user, unit=data["unit"], role=data["role"], region=data.get("region"))
    return user, password


def save_account(actor, paths: list[str], user, data: dict):
    """Rename or (de)activate an account; a deactivated account can no longer sign in."""
    _require_manageable(actor, paths, user)
    user.first_name = (data.get("first_name") or "").strip()[:150]
    user.is_active = bool(data.get("is_active"))
    with transaction.atomic():
        user.save(update_fields=["first_name", "is_active"])
    return user


def reset_password(actor, paths: list[str], user) -> str:
    """A new one-time password for ``user``, shown once to the administrator who hands it over;
    the old one stops working at once.  Nothing shows or keeps the old one."""
    _require_manageable(actor, paths, user)
    password = one_time_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
    return password


def save_post(actor, paths: list[str], post: Membership, data: dict) -> Membership:
    """Give an account a role in a unit of the territory, or change or end one."""
    old_unit = _old(post, "unit")
    _check_post(paths, data.get("unit"), data.get("role"), data.get("region"), old_unit)
    if post.pk is None and not manageable(paths, post.user) and Membership.objects.filter(user=post.user).exists():
        raise OutOfScope(_("该账号在你的管辖范围之外还有岗位，只能由上级管理员修改。"))
    for field in ("unit", "role", "region", "active"):
        if field in data:
            setattr(post, field, data[field])
    _full_clean(post, exclude=["user"])
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError:
        raise ValidationFailed.for_field("role", _("该账号在这个单位已经有这个角色。")) from None
    forget_grants(post.user)
    return post


# --- the other sections: a row and its fields, checked against the territory ----------------------

def save_fields(actor, paths: list[str], instance: Model, data: dict, *, regions: tuple[str, ...] = (),
                units: tuple[str, ...] = ()) -> Model:
    """Set ``data`` on ``instance`` (its many-to-many fields after the save) once each of its
    ``regions`` and ``units`` fields lies in the territory or keeps its value, then the model's
    checks, then save."""
    for field in regions:
        _require_region(paths, data.get(field), field, _old(instance, field))
    for field in units:
        _require_unit(paths, data.get(field), field, _old(instance, field))
    many = {f.name for f in instance._meta.many_to_many}
    for field, value in data.items():
        if field not in many:
            setattr(instance, field, value)
    _full_clean(instance, exclude=list(many))
    with transaction.atomic():
        instance.save()
        for field in many & set(data):
            getattr(instance, field).set(data[field])
    return instance


def save_station(actor, paths: list[str], station, data: dict):
    """A station is a unit of kind station (it takes demands in) and its side row (address, hours,
    services); a new one gets both, its unit placed under the community's committee."""
    from minsheng.stations.models import Station

    region = data.get("region")
    old_region = station.unit.region if station.pk else None
    _require_region(paths, region, "region", old_region)
    unit = station.unit if station.pk else Unit(kind=Unit.Kind.STATION)
    unit.name = (data.get("name") or "").strip()
    unit.region = region
    unit.active = data.get("active", True)
    if unit.pk is None:
        unit.parent = (Unit.objects.filter(region__in=region.ancestors(), active=True, kind__in=[
            Unit.Kind.COMMUNITY_COMMITTEE, Unit.Kind.STREET_OFFICE]).order_by("-depth").first())
        unit.code = _free_code(f"{region.code}-ST")
    _full_clean(unit, exclude=["path", "depth", "parent"])
    items = data.get("service_items")
    with transaction.atomic():
        unit.save()
        station.unit = unit
        for field in ("tier", "place_type", "address", "latitude", "longitude", "staggered", "extended",
                      "by_appointment", "home_visits"):
            if field in data:
                setattr(station, field, data[field])
        _full_clean(station, exclude=["service_items", "hours"] if not station.hours else ["service_items"])
        station.save()
        if items is not None:
            station.service_items.set(items)
    return Station.objects.get(pk=station.pk)


def _free_code(prefix: str) -> str:
    n = Unit.objects.filter(code__startswith=prefix).count() + 1
    while Unit.objects.filter(code=f"{prefix}{n}").exists():
        n += 1
    return f"{prefix}{n}"


def save_agent(actor, paths: list[str], agent, data: dict):
    """An agent is a resident of the register (found or registered by phone) serving a station."""
    from minsheng.people.services import find_or_register_resident

    station = data.get("station") or agent.station
    _require_region(paths, station.unit.region, "station", agent.station.unit.region if agent.pk else None)
    with transaction.atomic():
        if agent.pk is None:
            resident = find_or_register_resident(name=data.get("name", ""), phone=data.get("phone", ""),
                                                 region=station.unit.region)
            if hasattr(resident, "station_agent"):
                raise ValidationFailed.for_field("phone", _("该居民已是“%(station)s”的代办员。") % {
                    "station": resident.station_agent.station})
            agent.resident = resident
        agent.station = station
        for field in ("kind", "home_organisation", "home_organisation_email", "active"):
            if field in data:
                setattr(agent, field, data[field])
        _full_clean(agent, exclude=["skill_teams", "resident", "party_member", "user"])
        agent.save()
    return agent


def save_party_member(actor, paths: list[str], member, data: dict):
    """A party member is a resident of the register (found or registered by phone) in one of the
    territory's party organisations; the building and the community they report to (双报到) lie in
    the territory too."""
    from minsheng.people.services import find_or_register_resident

    organisation = data.get("organisation") or member.organisation
    if organisation is None:
        raise ValidationFailed.for_field("organisation", _("请选择所在党组织。"))
    _require_region(paths, organisation.region, "organisation",
                    member.organisation.region if member.pk and member.organisation_id else None)
    for field in ("reporting_community", "building"):
        if data.get(field) is not None:
            _require_region(paths, data[field], field, _old(member, field))
    with transaction.atomic():
        if member.pk is None:
            resident = find_or_register_resident(name=data.get("name", ""), phone=data.get("phone", ""),
                                                 region=data.get("building") or organisation.region)
            if hasattr(resident, "party_member"):
                raise ValidationFailed.for_field("phone", _("该居民已登记为党员（%(organisation)s）。") % {
                    "organisation": resident.party_member.organisation or _("在职党员")})
            member.resident = resident
        member.organisation = organisation
        for field in ("in_service", "workplace", "reporting_community", "central_household", "building",
                      "joined_on", "active"):
            if field in data:
                setattr(member, field, data[field])
        _full_clean(member, exclude=["resident", "user"])
        member.save()
    return member


def save_owner_unit(actor, paths: list[str], article, data: dict):
    """Hand a knowledge-base article to another unit of the territory to keep (its answers,
    review dates); the article's text stays with the knowledge pages."""
    owner = data.get("owner_unit")
    previous = _old(article, "owner_unit")
    _require_unit(paths, owner, "owner_unit", previous)
    old = {"owner_unit_id": previous.pk if previous is not None else None}
    with transaction.atomic():
        article.owner_unit = owner
        article.save(update_fields=["owner_unit"])
        record_change(article, _("修改"), old, {"owner_unit_id": article.owner_unit_id},
                      detail=f"owner_unit_id: {old['owner_unit_id']} → {article.owner_unit_id}")
    return article
