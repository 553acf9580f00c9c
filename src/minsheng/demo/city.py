"""The demo city's organisation: a city with one district, its streets, communities, grids and
buildings on a simple map, the units that act in it, and one login per role.

Everything is created with get-or-create on stable codes, so seeding twice changes nothing.
"""

import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission

from minsheng.catalogue.models import Category, DispatchRule
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import forget_grants
from minsheng.people.models import Resident

CITY = ("SFS", "示范市")  # the city above the demo district: its 12345 centre dispatches straight to streets
DISTRICT = ("XC", "新城区")
CITY_CENTRE = "SFS-CENTRE"
# The city centre's own login (printed with the others), created after the centre is imported.
CITY_LOGIN = ("city", Role.STREET_DISPATCHER, CITY_CENTRE, None, "市12345中心派单员")
# The city centre is loaded the way an office loads its units: through the set-up import, so the
# administrator's import page shows a real, applied import.
CITY_UNITS_FILE = "示范市-单位.csv"
CITY_UNITS_CSV = ("单位编码,单位名称,单位类型,所在区域代码,上级单位编码,联系电话,启用\n"
                  f"{CITY_CENTRE},示范市12345市民服务热线中心,市接诉即办中心,{CITY[0]},,12345,是\n")
STREETS = [
    ("GM", "光明街道", ["玫瑰城社区", "光明社区", "丹东路社区"]),
    ("HP", "和平街道", ["雷锋社区", "和平社区", "友谊社区"]),
    ("JS", "建设街道", ["建设社区", "工农社区", "红旗社区"]),
    ("SL", "胜利街道", ["胜利社区", "矿山社区", "新屯社区"]),
    ("XH", "新华街道", ["新华社区", "东华社区", "阳光社区"]),
]
GRIDS_PER_COMMUNITY = 5
BUILDINGS_PER_GRID = 4
# One compound (小区) per grid, each name used once in the district: a resident, a grid worker and the
# address resolver can tell "幸福里小区3号楼" in one community from a building of another.  The
# first two are the printed logins' homes.
COMPOUNDS = [
    "幸福里小区", "玫瑰园", "丹东路住宅小区", "光明新村", "明珠花园",  # 玫瑰城社区, 光明社区, 丹东路社区 …
    "阳光丽景", "翠湖苑", "光华小区", "锦江花园", "电业宿舍",
    "丹东路一号院", "东亚花园", "金桥小区", "福民小区", "和园",
    "雷锋小区", "和平里", "红梅小区", "清水湾", "朝阳苑",
    "和平新村", "育才小区", "和顺家园", "北站小区", "文华苑",
    "友谊小区", "林荫小区", "万家花园", "绿城小区", "兴隆家园",
    "建设新村", "建工宿舍", "英华苑", "宏达小区", "安居小区",
    "工农小区", "机电宿舍", "百合园", "华夏小区", "长青花园",
    "红旗新村", "红旗里", "金色家园", "团结小区", "枫林苑",
    "胜利小区", "胜利新城", "滨河苑", "东方红小区", "天湖小区",
    "矿工新村", "矿务局宿舍", "煤都小区", "铁路宿舍", "望山小区",
    "新屯小区", "新屯东里", "桃源小区", "金地小区", "四季花城",
    "新华小区", "华府新城", "春城小区", "城建小区", "新世纪花园",
    "东华小区", "东湖花园", "紫薇苑", "工人村", "锦绣华庭",
    "阳光花园", "向阳小区", "和谐家园", "翠园小区", "康乐园",
]
# Each street's own roads: a road name belongs to one street, and a crossing joins two of them.
STREET_ROADS = {
    "GM": ["光明街", "丹东路", "玫瑰路", "永安路"],
    "HP": ["和平路", "雷锋路", "友谊街", "北站路"],
    "JS": ["建设路", "工农街", "红旗路", "机电路"],
    "SL": ["胜利路", "矿山路", "新屯街", "临江路"],
    "XH": ["新华大街", "东华街", "望花大街", "阳光路"],
}
ROADS = [road for roads in STREET_ROADS.values() for road in roads]
# The other names residents give (the place-name register, grids.Estate / grids.Road).
ESTATE_ALIASES = {
    "幸福里小区": "幸福家园 幸福里花园", "玫瑰园": "玫瑰花园", "丹东路住宅小区": "丹东小区", "光明新村": "光明小区",
    "明珠花园": "明珠小区", "电业宿舍": "电业小区 供电宿舍", "矿务局宿舍": "矿务局小区", "铁路宿舍": "铁路小区",
    "工人村": "工人新村", "四季花城": "四季花园", "东方红小区": "东方红", "金桥小区": "金桥花园",
}
ROAD_ALIASES = {"新华大街": "新华街", "望花大街": "望花街", "光明街": "光明大街", "建设路": "建设大路"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "秀英桂兰玉华建国志强海燕丽娟淑珍凤霞明辉文军红梅晓东春生金凤德明永红立新国庆雪梅宝山小燕"

# The map: a lattice of grid cells (lat/long) around the district centre.
ORIGIN = (Decimal("41.8400"), Decimal("123.8800"))
CELL = (Decimal("0.0060"), Decimal("0.0080"))

DEPARTMENTS = [
    ("CG", "区城管局"), ("ZJ", "区住建局"), ("HB", "区生态环境分局"), ("JT", "区交通运输局"), ("JY", "区教育局"),
    ("RS", "区人社局"), ("MZ", "区民政局"), ("SJ", "区市场监管局"), ("WJ", "区卫健局"), ("WL", "区文旅局"),
]
# category code → department code (district-wide rules); "@community"/"@street" route to
# the territorial unit of the demand's community or street instead.
DISPATCH = {
    "construction": "ZJ", "construction.roads": "CG", "construction.illegal_building": "CG",
    "construction.property": "@community",
    "environment": "HB", "environment.noise": "CG", "environment.waste": "CG", "environment.greening": "CG",
    "transport": "JT", "transport.parking": "@street",
    "education": "JY", "education.facilities": "WL",
    "labour": "RS", "labour.elderly": "MZ", "labour.assistance": "MZ",
    "commerce": "SJ", "commerce.tourism": "WL", "commerce.market_order": "CG",
    "health": "WJ", "health.food_safety": "SJ",
}

DEMO_PASSWORD = "minsheng2026"  # a demo city's published logins, not a secret
LOGINS = [
    # username, role, unit code, narrowed region code, description
    ("admin", Role.ADMINISTRATOR, "XC-CENTRE", None, "管理员"),
    ("operator", Role.HOTLINE_OPERATOR, "XC-CENTRE", None, "12345热线话务员"),
    ("dispatcher", Role.STREET_DISPATCHER, "XC-GM-OFFICE", None, "光明街道派单员"),
    ("handler", Role.DEPARTMENT_HANDLER, "XC-CG", None, "区城管局承办人"),
    ("community", Role.COMMUNITY_STAFF, "XC-GM-01-CC", None, "玫瑰城社区工作人员"),
    ("grid", Role.GRID_WORKER, "XC-GM-01-CC", "XC-GM-01-G1", "玫瑰城社区第一网格网格员"),
    ("agent", Role.STATION_AGENT, "XC-GM-01-ST", None, "玫瑰城社区代办员"),
    ("volunteer", Role.VOLUNTEER, "XC-GM-VT", None, "光明街道志愿者"),
    ("leader", Role.LEADER, "XC-CENTRE", None, "区领导"),
    ("auditor", Role.AUDITOR, "XC-CENTRE", None, "审计员"),
    ("resident", Role.RESIDENT, "XC-GM-01-CC", None, "居民"),
]


@dataclass
class City:
    district: Region
    streets: list[Region] = field(default_factory=list)
    communities: list[Region] = field(default_factory=list)
    grids: list[Region] = field(default_factory=list)
    buildings: dict[int, list[Region]] = field(default_factory=dict)  # grid id → buildings
    units: dict[str, Unit] = field(default_factory=dict)
    # unit code → a user who acts for it, per role
    actors: dict[tuple[str, str], object] = field(default_factory=dict)

    def street_of(self, region: Region) -> Region:
        return next(s for s in self.streets if region.path.startswith(s.path))

    def community_of(self, region: Region) -> Region:
        return next(c for c in self.communities if region.path.startswith(c.path))

    def roads_of(self, region: Region) -> list[str]:
        """The roads of the street ``region`` lies in."""
        return STREET_ROADS[self.street_of(region).code.removeprefix(f"{self.district.code}-")]

    def place(self, rng: random.Random, grid: Region, building: Region) -> str:
        """A place phrase as residents give it: their building, its house number on one of their
        street's roads (the register's, ``door_plate``), a crossing of two of its roads, or just
        their community."""
        street, community = self.street_of(grid), self.community_of(grid)
        roads = self.roads_of(grid)
        first, second = rng.sample(roads, 2)
        rng.choice(roads), rng.randrange(1, 300)  # drawn as before, so that the rest of the demo stays as it was
        road, number = self.door_plate(grid, building)
        return rng.choice([f"{community.name}{building.name}", f"{road}{number}号",
                           f"{first}与{second}交叉口", f"{street.name}{community.name}"])

    def door_plate(self, grid: Region, building: Region) -> tuple[str, int]:
        """A building's house number: the buildings of a street take its roads in turn, odd
        numbers on each road in the order of the grids."""
        street = self.street_of(grid)
        roads = self.roads_of(grid)
        grids = [g for g in self.grids if g.path.startswith(street.path)]
        order = grids.index(grid) * BUILDINGS_PER_GRID + self.buildings[grid.pk].index(building)
        return roads[order % len(roads)], 2 * (order // len(roads)) + 1


def person_name(rng: random.Random) -> str:
    """A Chinese name: a surname and one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def staff_name(username: str) -> str:
    """The name a working account shows (not its user name): stable for a user name, so that a
    second seeding run and every part of the demo give the same person the same name."""
    return person_name(random.Random(zlib.crc32(username.encode())))


def _region(code, kind, name, parent, lat=None, lng=None, boundary=None, aliases="") -> Region:
    region, _ = Region.objects.get_or_create(code=code, defaults={
        "kind": kind, "name": name, "parent": parent, "latitude": lat, "longitude": lng, "boundary": boundary,
        "aliases": aliases})
    return region


def _unit(city: City, code, kind, name, region, parent=None, phone="") -> Unit:
    unit, _ = Unit.objects.get_or_create(code=code, defaults={
        "kind": kind, "name": name, "region": region, "parent": parent, "phone": phone})
    city.units[code] = unit
    return unit


def _rectangle(lat0: Decimal, lng0: Decimal, rows: int, cols: int) -> list[list[list[float]]]:
    lat1, lng1 = lat0 + CELL[0] * rows, lng0 + CELL[1] * cols
    ring = [[float(lng0), float(lat0)], [float(lng1), float(lat0)], [float(lng1), float(lat1)],
            [float(lng0), float(lat1)], [float(lng0), float(lat0)]]
    return [ring]  # GeoJSON Polygon coordinates: [lng, lat] rings


def build_regions(city: City) -> None:
    """Streets are columns of the lattice, communities blocks of rows, grids single cells."""
    for s_index, (s_code, s_name, communities) in enumerate(STREETS):
        lng0 = ORIGIN[1] + CELL[1] * s_index
        street = _region(f"XC-{s_code}", "street", s_name, city.district,
                         boundary=_rectangle(ORIGIN[0], lng0, GRIDS_PER_COMMUNITY * len(communities), 1))
        city.streets.append(street)
        for c_index, c_name in enumerate(communities, start=1):
            c_lat0 = ORIGIN[0] + CELL[0] * GRIDS_PER_COMMUNITY * (c_index - 1)
            community = _region(f"XC-{s_code}-{c_index:02d}", "community", c_name, street,
                                lat=c_lat0 + CELL[0] * GRIDS_PER_COMMUNITY / 2, lng=lng0 + CELL[1] / 2,
                                boundary=_rectangle(c_lat0, lng0, GRIDS_PER_COMMUNITY, 1),
                                aliases=c_name.removesuffix("社区"))
            city.communities.append(community)
            for g in range(1, GRIDS_PER_COMMUNITY + 1):
                g_lat0 = c_lat0 + CELL[0] * (g - 1)
                grid = _region(f"{community.code}-G{g}", "grid", f"{c_name}第{'一二三四五六七八九十'[g - 1]}网格",
                               community, lat=g_lat0 + CELL[0] / 2, lng=lng0 + CELL[1] / 2,
                               boundary=_rectangle(g_lat0, lng0, 1, 1))
                city.grids.append(grid)
                compound = COMPOUNDS[len(city.grids) - 1]
                buildings = []
                for b in range(1, BUILDINGS_PER_GRID + 1):
                    buildings.append(_region(
                        f"{grid.code}-B{b}", "building", f"{compound}{b}号楼", grid,
                        lat=g_lat0 + CELL[0] * Decimal(b) / (BUILDINGS_PER_GRID + 1),
                        lng=lng0 + CELL[1] * Decimal(b % 2 + 1) / 3))
                city.buildings[grid.pk] = buildings


def build_address_register(city: City) -> None:
    """The place-name register: each grid's estate (its point the middle of its buildings), the
    streets' roads, and a house number for every building, with the names residents also use."""
    from minsheng.grids.models import DoorPlate, Estate, Road

    roads = {}
    for street in city.streets:
        for name in STREET_ROADS[street.code.removeprefix(f"{city.district.code}-")]:
            roads[name], _ = Road.objects.get_or_create(name=name, defaults={
                "region": street, "aliases": ROAD_ALIASES.get(name, "")})
    for grid, compound in zip(city.grids, COMPOUNDS, strict=False):
        buildings = city.buildings[grid.pk]
        Estate.objects.get_or_create(name=compound, defaults={
            "grid": grid, "aliases": ESTATE_ALIASES.get(compound, ""),
            "latitude": (sum(b.latitude for b in buildings) / len(buildings)).quantize(Decimal("0.000001")),
            "longitude": (sum(b.longitude for b in buildings) / len(buildings)).quantize(Decimal("0.000001"))})
        for building in buildings:
            road, number = city.door_plate(grid, building)
            DoorPlate.objects.get_or_create(road=roads[road], number=number, defaults={
                "place": building, "latitude": building.latitude, "longitude": building.longitude})


def build_units(city: City) -> None:
    d = city.district
    centre = _unit(city, "XC-CENTRE", "district_centre", "新城区接诉即办中心", d, phone="12345")
    for code, name in DEPARTMENTS:
        _unit(city, f"XC-{code}", "department", name, d, centre)
    for street, (_s_code, s_name, _communities) in zip(city.streets, STREETS, strict=True):
        office = _unit(city, f"{street.code}-OFFICE", "street_office", f"{s_name}办事处", street, centre)
        _unit(city, f"{street.code}-DC", "station", f"{s_name}代办服务中心", street, office)
        _unit(city, f"{street.code}-VT", "volunteer_team", f"{s_name}志愿服务队", street, office)
    for community in city.communities:
        street = city.street_of(community)
        committee = _unit(city, f"{community.code}-CC", "community_committee", f"{community.name}居委会", community,
                          city.units[f"{street.code}-OFFICE"])
        _unit(city, f"{community.code}-ST", "station", f"{community.name}代办总站", community, committee)
        for g in (1, 3):
            grid = Region.objects.get(code=f"{community.code}-G{g}")
            _unit(city, f"{grid.code}-FS", "station", f"{city.buildings[grid.pk][0].name}党员家庭代办站", grid,
                  committee)
    for index, name in enumerate(["安居物业公司", "宏达物业公司", "万家物业公司"], start=1):
        _unit(city, f"XC-PM{index}", "property_company", name, d)


def build_dispatch_rules(city: City) -> None:
    categories = {c.code: c for c in Category.objects.all()}
    for code, target in DISPATCH.items():
        category = categories[code]
        if target == "@community":
            for community in city.communities:
                DispatchRule.objects.get_or_create(category=category, region=community,
                                                   defaults={"unit": city.units[f"{community.code}-CC"]})
        elif target == "@street":
            for street in city.streets:
                DispatchRule.objects.get_or_create(category=category, region=street,
                                                   defaults={"unit": city.units[f"{street.code}-OFFICE"]})
        else:
            DispatchRule.objects.get_or_create(category=category, region=None,
                                               defaults={"unit": city.units[f"XC-{target}"]})


def _staff_group() -> Group:
    """View-only access to the admin for staff; the admin's lists are scoped per user."""
    group, _ = Group.objects.get_or_create(name="工作人员")
    wanted = Permission.objects.filter(
        content_type__app_label__in=["demands", "catalogue", "organisation"], codename__startswith="view_")
    group.permissions.set(wanted)
    return group


def _user(username: str, password_hash: str, first_name: str, *, staff: bool, superuser: bool = False):
    user, _ = get_user_model().objects.get_or_create(username=username)
    # first_name holds the whole name the pages show (get_full_name gives it unchanged).
    user.password, user.first_name = password_hash, first_name
    user.is_staff, user.is_superuser = staff, superuser
    user.save()
    return user


def _member(user, unit: Unit, role: str, region: Region | None = None) -> None:
    Membership.objects.get_or_create(user=user, unit=unit, role=role, defaults={"region": region})


def build_users(city: City) -> list[tuple[str, str, str, bool]]:
    """The printed logins plus one working user per unit and role the history needs.
    Returns (username, password, description, is staff) for the printed logins."""
    group = _staff_group()
    # One hash for every demo login: hashing is slow on purpose, and these share a password.
    password_hash = make_password(DEMO_PASSWORD)
    printed = []
    for username, role, unit_code, region_code, label in LOGINS:
        staff = role in STAFF_ROLES
        user = _user(username, password_hash, label, staff=staff, superuser=role == Role.ADMINISTRATOR)
        if staff and role != Role.ADMINISTRATOR:
            user.groups.add(group)
        region = Region.objects.get(code=region_code) if region_code else None
        _member(user, city.units[unit_code], role, region)
        printed.append((username, DEMO_PASSWORD, label, staff))
    Resident.objects.get_or_create(phone="13904130001", defaults={
        "name": "王奎", "user": get_user_model().objects.get(username="resident"),
        "region": city.grids[0], "address": home_address(city, 0)})

    unusable = make_password(None)

    def worker(unit_code: str, role: str, region: Region | None = None):
        username = f"{unit_code.lower()}-{role}" + (f"-{region.code.lower()}" if region else "")
        user = _user(username, unusable, staff_name(username), staff=False)
        _member(user, city.units[unit_code], role, region)
        return user

    centre = "XC-CENTRE"
    city.actors[(centre, Role.HOTLINE_OPERATOR)] = worker(centre, Role.HOTLINE_OPERATOR)
    city.actors[(centre, Role.STREET_DISPATCHER)] = worker(centre, Role.STREET_DISPATCHER)
    city.actors[(centre, Role.DEPARTMENT_HANDLER)] = worker(centre, Role.DEPARTMENT_HANDLER)
    for code, _name in DEPARTMENTS:
        city.actors[(f"XC-{code}", Role.DEPARTMENT_HANDLER)] = worker(f"XC-{code}", Role.DEPARTMENT_HANDLER)
    # The property companies: an estate's property matters go to its company (docs/estates.md).
    for code in (c for c in city.units if c.startswith("XC-PM")):
        city.actors[(code, Role.DEPARTMENT_HANDLER)] = worker(code, Role.DEPARTMENT_HANDLER)
    for street in city.streets:
        office = f"{street.code}-OFFICE"
        city.actors[(office, Role.STREET_DISPATCHER)] = worker(office, Role.STREET_DISPATCHER)
        city.actors[(office, Role.DEPARTMENT_HANDLER)] = worker(office, Role.DEPARTMENT_HANDLER)
    for community in city.communities:
        cc = f"{community.code}-CC"
        city.actors[(cc, Role.COMMUNITY_STAFF)] = worker(cc, Role.COMMUNITY_STAFF)
        city.actors[(f"{community.code}-ST", Role.STATION_AGENT)] = worker(f"{community.code}-ST",
                                                                          Role.STATION_AGENT)
    for grid in city.grids:
        cc = f"{city.community_of(grid).code}-CC"
        city.actors[(grid.code, Role.GRID_WORKER)] = worker(cc, Role.GRID_WORKER, grid)
    return printed


def home_address(city: City, index: int) -> str:
    """The address of the ``index``-th building of the first grid (the printed logins' homes)."""
    grid = city.grids[0]
    return f"{city.street_of(grid).name}{city.community_of(grid).name}{city.buildings[grid.pk][index].name}"


def build_city_centre(city: City) -> tuple[str, str, str, bool]:
    """The city's 12345 centre above the district centre, imported by the administrator from the
    units file (once: a second seeding finds the import applied), and its dispatcher's login."""
    from minsheng.organisation.models import SetupImport
    from minsheng.setup import imports

    admin = get_user_model().objects.get(username="admin")
    if not SetupImport.objects.filter(uploaded_by=admin, filename=CITY_UNITS_FILE).exists():
        batch = imports.preview(admin, SetupImport.Kind.UNITS, CITY_UNITS_CSV.encode(), CITY_UNITS_FILE)
        imports.apply(admin, batch.pk)
    centre = Unit.objects.get(code=CITY_CENTRE)
    city.units[CITY_CENTRE] = centre
    district_centre = city.units["XC-CENTRE"]
    if district_centre.parent_id != centre.pk:
        district_centre.parent = centre
        district_centre.save()
        # Every unit below moved: the unit objects in hand and the grants the actors' objects hold
        # name their old paths.
        for unit in city.units.values():
            unit.refresh_from_db(fields=["path", "parent"])
        for actor in city.actors.values():
            forget_grants(actor)
    username, role, _unit_code, _region_code, label = CITY_LOGIN
    user = _user(username, get_user_model().objects.get(username="operator").password, label, staff=True)
    user.groups.add(_staff_group())
    _member(user, centre, role)
    city.actors[(CITY_CENTRE, role)] = user
    return username, DEMO_PASSWORD, label, True


def build_city() -> tuple[City, list[tuple[str, str, str, bool]]]:
    top = _region(CITY[0], "city", CITY[1], None, lat=ORIGIN[0] + CELL[0] * 7, lng=ORIGIN[1] + CELL[1] * 2)
    district = _region(f"{DISTRICT[0]}", "district", DISTRICT[1], top,
                       lat=ORIGIN[0] + CELL[0] * 7, lng=ORIGIN[1] + CELL[1] * 2)
    if district.parent_id != top.pk:  # a demo seeded before the city level: the district moves under it
        district.parent = top
        district.save()
    city = City(district=district)
    build_regions(city)
    build_address_register(city)
    build_units(city)
    build_dispatch_rules(city)
    logins = build_users(city)
    logins.append(build_city_centre(city))
    return city, logins
