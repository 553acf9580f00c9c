"""Demo estates (docs/estates.md): the first community's estates become places of the region tree
with their property company, owners' committee and party branch; units and households in their
first buildings; a 楼栋长 and a 单元长 with logins; this year's and last year's evaluations; a notice
to the elders living alone of a building, read by some, with a reply turned into a demand.

Runs before the history (seed_demo's part "estates"), so that the history's property demands in these
estates are dispatched to their company and the demand the reply becomes is one of the district's
total."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Q

from minsheng.catalogue.models import Category, DispatchRule
from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident, VulnerableTag
from minsheng.people.services import find_or_register_resident
from minsheng.people.signin import account_for_phone

from . import estates
from .models import Chief, Estate, House, PropertyEvaluation

ESTATES_SEEDED = 3
COMMITTEES = [Estate.Committee.OWNERS, Estate.Committee.MANAGEMENT, Estate.Committee.OWNERS]
CHAIRS = ["赵淑华", "钱永刚", "孙丽"]
ENTRANCES = ("1单元", "2单元")


def _estate_of_grid(city, grid: Region, index: int, company: Unit) -> Estate:
    """The grid's compound as an estate region, its buildings moved under it."""
    estate = Estate.objects.filter(grid=grid).first()
    name = estate.name if estate else f"{grid.name}小区"
    node, _created = Region.objects.get_or_create(code=f"{grid.code}-E", defaults={
        "kind": Region.Kind.ESTATE, "name": name, "parent": grid, "latitude": estate.latitude if estate else None,
        "longitude": estate.longitude if estate else None})
    for building in city.buildings[grid.pk]:
        if building.parent_id != node.pk:
            building.parent = node
            building.save()  # moves its path (and anything under it) below the estate
    from minsheng.party.models import PartyOrganisation

    branch = PartyOrganisation.objects.filter(level=PartyOrganisation.Level.ESTATE, region=grid).first()
    if branch is None:
        community_org = PartyOrganisation.objects.filter(level=PartyOrganisation.Level.COMMUNITY,
                                                         region=grid.parent).first()
        if community_org is not None:
            branch = PartyOrganisation.objects.create(level=PartyOrganisation.Level.ESTATE, name=f"{name}党支部",
                                                      region=node, parent=community_org)
    defaults = {"grid": grid, "region": node, "property_company": company, "committee": COMMITTEES[index],
                "committee_chair": CHAIRS[index], "committee_phone": f"0413-5{index + 1}23456{index}",
                "committee_term_ends": (clock.today().replace(month=12, day=31)
                                        + timedelta(days=365 * 2)),
                "party_branch": branch}
    estate, _created = Estate.objects.update_or_create(name=name, defaults=defaults)
    return estate


def _units_and_households(estate: Estate, people: list[Resident], rng: random.Random, first: bool) -> list[Resident]:
    """Units (单元) in the estate's first two buildings, their houses put in them, and residents of
    the grid linked to households there."""
    buildings = list(estates.buildings_of(estate)[:2])
    for building in buildings:
        for name in ENTRANCES:
            entrance, _created = Region.objects.get_or_create(code=f"{building.code}-{name[0]}", defaults={
                "kind": Region.Kind.ENTRANCE, "name": name, "parent": building})
            House.objects.filter(building=building, room__startswith=name).update(entrance=entrance)
    houses = list(House.objects.filter(building__in=buildings).select_related("entrance", "building")
                  .order_by("building__path", "room"))
    if not houses:
        return []
    grid_people = [p for p in people if p.region_id == estate.grid_id and p.house_id is None]
    rng.shuffle(grid_people)
    linked = []
    for resident in grid_people[: min(len(grid_people), 40)]:
        house = rng.choice(houses)
        resident.house, resident.region = house, house.entrance or house.building
        linked.append(resident)
    if first:  # the demo resident (王奎) lives in the first building's first unit
        wang = Resident.objects.filter(user__username="resident").first()
        if wang is not None:
            linked.append(wang)
            wang.house = houses[0]
            wang.region = houses[0].entrance or houses[0].building
    Resident.objects.bulk_update(linked, ["house", "region"])
    return linked


def _chiefs(estate: Estate, password: str) -> list[Chief]:
    buildings = list(estates.buildings_of(estate)[:1])
    if not buildings:
        return []
    entrance = Region.objects.filter(parent=buildings[0], kind=Region.Kind.ENTRANCE).order_by("name").first()
    rows = [("chief", Chief.Kind.BUILDING, buildings[0], "李桂英"),
            ("unitchief", Chief.Kind.ENTRANCE, entrance, "周建华")]
    chiefs = []
    for username, kind, region, name in rows:
        if region is None:
            continue
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            user.password = make_password(password)
            user.save(update_fields=["password"])
        phone = "139041302" + ("11" if kind == Chief.Kind.BUILDING else "12")
        chief, _created = Chief.objects.get_or_create(user=user, region=region, active=True, defaults={
            "kind": kind, "phone": phone, "since": clock.today() - timedelta(days=400)})
        # A 楼栋长 is a resident of the building: the login is theirs (我的诉求 lists what they filed)
        # and holds the resident's role, as an appointment from the register gives it (许个微心愿).
        resident = find_or_register_resident(name=name, phone=phone, region=region)
        if resident.user_id is None and resident.name == name:
            Resident.objects.filter(pk=resident.pk).update(user=user)
            resident.user_id = user.pk
        if resident.user_id == user.pk:
            account_for_phone(phone, name=name)
        chiefs.append(chief)
    return chiefs


def _scattered_chief(city, grids_with_estates: list[Region], staff) -> Chief | None:
    """A 楼栋长 of a building outside any estate (散居楼, directly under the community's next grid),
    appointed through the grid's page's service: shown there, under 网格长、楼栋长、单元长."""
    community = city.community_of(city.grids[0])
    loose = next((g for g in city.grids if g.path.startswith(community.path) and g not in grids_with_estates), None)
    building = Region.objects.filter(parent=loose, kind=Region.Kind.BUILDING).order_by("path").first() \
        if loose is not None else None
    if building is None:
        return None
    existing = Chief.objects.filter(region=building, active=True).first()
    if existing is not None:
        return existing
    return estates.appoint_resident_as_chief(staff, region=building, name="何秀珍", phone="13904130213")


def _evaluations(estate: Estate, rng: random.Random, now: datetime) -> int:
    residents = list(estates.residents_in(estate.region))
    year = estates.current_year()
    weights = {0: (6, 3, 1), 1: (3, 4, 3), 2: (5, 3, 2)}[rng.randrange(3)]  # each estate its own temper
    rows = []
    for resident in residents:
        for y in (year - 1, year):
            if rng.random() < 0.6:
                answers = {code: rng.choices(estates.ANSWER_CODES, weights)[0] for code, _l in estates.QUESTIONS}
                at = now if y == year else now.replace(year=y, month=11, day=15)
                rows.append(PropertyEvaluation(estate=estate, property_company=estate.property_company,
                                               resident=resident, year=y, answers=answers, created_at=at))
    PropertyEvaluation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _notice(estate: Estate, staff, rng: random.Random) -> str:
    """A notice to the elders living alone of the first building, read by some, and a reply filed."""
    from minsheng.notifications import notices

    building = estates.buildings_of(estate).first()
    alone = VulnerableTag.objects.filter(code="elderly_alone").first()
    if building is None or alone is None:
        return "no notice"
    in_building = list(estates.residents_in(building))
    for resident in rng.sample(in_building, min(4, len(in_building))):
        resident.tags.add(alone)
    wang = Resident.objects.filter(user__username="resident").first()
    if wang is not None:
        wang.tags.add(alone)  # 王奎 is one of them: the resident login reads the notice
    try:
        notice = notices.send_notice(
            staff, region=building, tag=alone, title="寒潮来临，请注意防寒保暖",
            body=("受寒潮影响，本周气温将降至零下15度。请独居的老人家关好门窗、注意用火用电安全；"
                  "取暖、买菜、就医有困难的，请直接回复本通知或拨打社区电话，社区和楼栋长会上门帮忙。"),
            by_sms=True, by_letter=True)
    except MinshengError:  # no resident in the building yet (the residents' part runs later)
        return "no notice"

    readers = [r for r in notice.recipients.select_related("resident") if r.resident != wang]
    now = clock.now()
    for row in readers[: len(readers) // 2]:
        row.read_at = now - timedelta(minutes=rng.randrange(10, 600))
        row.save(update_fields=["read_at"])
    if wang is not None and wang.user_id and notice.recipients.filter(resident=wang).exists():
        answer = notices.reply(wang.user, notice.pk, "我家暖气片不热，屋里只有12度，能帮忙找人看看吗？")
        notices.reply_to_demand(staff, answer.pk)
    return f"notice to {notice.recipients.count()} elders"


def seed_estates(city, people: list[Resident], *, seed: int, now: datetime, password: str) -> str:
    """The first community's first estates with everything this part shows (see the module)."""
    rng = random.Random(seed + 32)
    community = city.community_of(city.grids[0])
    grids = [g for g in city.grids if g.path.startswith(community.path)][:ESTATES_SEEDED]
    companies = list(Unit.objects.filter(kind=Unit.Kind.PROPERTY_COMPANY).order_by("code"))
    if not companies:
        return "estates: no property company"
    made = []
    for index, grid in enumerate(grids):
        company = companies[index % len(companies)]
        made.append(_estate_of_grid(city, grid, index, company))
    for grid in grids:  # the in-memory copies the later parts read carry the new paths
        for building in city.buildings[grid.pk]:
            building.refresh_from_db()
    # 物业管理 in this community: the estate's company, else the committee as before.
    prop = Category.objects.filter(code="construction.property").first()
    if prop is not None:
        for rule in DispatchRule.objects.filter(Q(region=community) | Q(region__isnull=True), category=prop):
            rule.to_estate_property = True
            rule.save(update_fields=["to_estate_property"])  # save, so every process's catalogue copy renews
    linked = sum(len(_units_and_households(e, people, rng, first=i == 0)) for i, e in enumerate(made))
    chiefs = _chiefs(made[0], password)
    evaluations = sum(_evaluations(e, rng, now) for e in made)
    staff = get_user_model().objects.filter(username="community").first() or city.actors[
        (f"{community.code}-CC", Role.COMMUNITY_STAFF)]
    with clock.frozen_at(now):
        notice = _notice(made[0], staff, rng)
        scattered = _scattered_chief(city, grids, staff)
    if scattered is not None:
        chiefs.append(scattered)
    return (f"estates: {len(made)} estates, {linked} residents in households, {len(chiefs)} chiefs, "
            f"{evaluations} evaluations, {notice}; logins chief (楼栋长) and unitchief (单元长): /chief/")
