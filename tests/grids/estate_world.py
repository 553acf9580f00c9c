"""An estate under the shared world's first grid: 玫瑰园 (a region of kind "estate") with building
1号楼 and its two units, three households, its property company, committee and party branch."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.core import clock
from minsheng.grids.models import Chief, Estate, House
from minsheng.organisation.models import Region, Unit
from minsheng.party.models import PartyOrganisation
from minsheng.people.models import Resident, VulnerableTag


@dataclass
class EstateWorld:
    estate: Estate
    building: Region
    entrances: list[Region]
    houses: list[House]
    company: Unit
    residents: list[Resident]


def build_estate(world) -> EstateWorld:
    grid = world.regions["g1"]
    node = Region.objects.create(kind=Region.Kind.ESTATE, name="玫瑰园", code="e1", parent=grid)
    building = Region.objects.create(kind=Region.Kind.BUILDING, name="玫瑰园1号楼", code="e1-b1", parent=node)
    entrances = [Region.objects.create(kind=Region.Kind.ENTRANCE, name=f"{n}单元", code=f"e1-b1-u{n}", parent=building)
                 for n in (1, 2)]
    company = Unit.objects.create(kind=Unit.Kind.PROPERTY_COMPANY, name="玫瑰园物业公司", code="pm1", region=node,
                                  phone="024-5566778")
    street_party = PartyOrganisation.objects.create(level="street_committee", name="光明街道党工委",
                                                    region=world.regions["s1"])
    community_party = PartyOrganisation.objects.create(level="community", name="玫瑰城社区党委", parent=street_party,
                                                       region=world.regions["c1"])
    branch = PartyOrganisation.objects.create(level="estate", name="玫瑰园小区党支部", parent=community_party,
                                              region=node)
    estate = Estate.objects.create(name="玫瑰园", grid=grid, region=node, property_company=company,
                                   committee=Estate.Committee.OWNERS, committee_chair="赵敏", party_branch=branch)
    houses = [House.objects.create(building=building, entrance=entrances[0], room="101"),
              House.objects.create(building=building, entrance=entrances[0], room="102"),
              House.objects.create(building=building, entrance=entrances[1], room="201")]
    alone = VulnerableTag.objects.get(code="elderly_alone")
    residents = []
    for i, (name, house) in enumerate([("陈桂兰", houses[0]), ("陈建国", houses[0]), ("刘淑芬", houses[1]),
                                       ("孙立", houses[2])]):
        residents.append(Resident.objects.create(name=name, phone=f"1350000{i:04d}", house=house,
                                                 region=house.entrance))
    residents[0].tags.add(alone)
    residents[2].tags.add(alone)
    return EstateWorld(estate, building, entrances, houses, company, residents)


def make_chief(world, ew: EstateWorld, kind=Chief.Kind.BUILDING, region=None, username="chief"):
    user = get_user_model().objects.create_user(username=username, password="pw")
    return Chief.objects.create(user=user, kind=kind, region=region or ew.building,
                                since=timezone.localdate(clock.now()))


def resident_account(resident: Resident, username: str):
    user = get_user_model().objects.create_user(username=username, password="pw")
    from minsheng.organisation.models import Membership
    from minsheng.organisation.roles import Role

    unit = Unit.objects.filter(kind=Unit.Kind.COMMUNITY_COMMITTEE).first()
    Membership.objects.create(user=user, unit=unit, role=Role.RESIDENT)
    resident.user = user
    resident.save(update_fields=["user"])
    return user
