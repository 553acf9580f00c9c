"""Free-text Chinese addresses → community, grid and building, from the region tree's names and
aliases; and a map pin → the same, from the grids' boundaries.  An address is resolved only when
its words single out one place; when they fit several it is ambiguous and when they fit none (or
stop above grid level) unresolved — both are shown as such, never replaced by a guess.

Names are matched longest first: in "光明街道玫瑰城社区…" the street's "光明街道" holds the
characters "光明", so the community 光明社区 (short name "光明") is not named there.  An estate
(小区) is not a region of its own: its name is what its buildings' names start with, and it names
its grid when all its buildings lie in one.

A full address is read in its parts (``parse``): the province, city and district by ``cpca`` (the
national administrative-division table it ships), then the street, community, estate, road, house
number and building from the region tree and the place-name register (``grids``: estates and roads
with their aliases, house numbers on the roads).  An address that names another district than the
tree's is outside (never matched on the words that follow); an alias is read as the name it stands
for; a house number (门牌, "建设路12号") names its building or grid when the register knows it,
else the road names its street.  A resolved address carries a point (the building's, the house
number's or the estate's) where the map puts the pin."""

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from minsheng.core import versioned
from minsheng.grids.models import DoorPlate, Estate, Road
from minsheng.organisation.models import Region

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
_SPACE = re.compile(r"\s+")
_SUFFIXES = ("社区居委会", "居委会", "社区", "街道办事处", "街道", "小区")
_BUILDING = re.compile(r"^(?P<compound>.*?)(?P<number>\d+)(?:号楼|栋|幢|号)$")
_BUILDING_WORDS = ("号楼", "栋", "幢", "号院")
# A house number: digits and 号 that are not a building's (号楼) nor a courtyard's (号院).
_DOOR_NUMBER = r"(\d{1,5})号(?![楼院])"


def normalise(text: str) -> str:
    return _SPACE.sub("", (text or "").translate(_FULL_WIDTH))


def _variants(region: Region) -> set[str]:
    names = {region.name, *(region.aliases or "").split()}
    for name in list(names):
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
        m = _BUILDING.match(name) if region.kind == Region.Kind.BUILDING else None
        if m:
            compounds = {m["compound"]}
            if m["compound"].endswith("小区") and len(m["compound"]) > 3:
                compounds.add(m["compound"][:-2])
            names |= {f"{c}{m['number']}{w}" for c in compounds if c for w in _BUILDING_WORDS}
    return {normalise(n) for n in names if len(normalise(n)) >= 2}


@dataclass(frozen=True)
class AddressParts:
    """What an address says, part by part (empty where it says nothing)."""

    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    community: str = ""
    estate: str = ""
    road: str = ""
    house_number: str = ""
    building: str = ""
    rest: str = ""  # the text after the administrative prefix, aliases read as their names


@dataclass
class AddressResolution:
    status: str  # resolved | ambiguous | unresolved
    community: Region | None = None
    grid: Region | None = None
    building: Region | None = None
    candidates: list[Region] = field(default_factory=list)
    recognised: list[Region] = field(default_factory=list)
    parts: AddressParts = field(default_factory=AddressParts)
    estate: Estate | None = None
    door_plate: DoorPlate | None = None
    outside: str = ""  # the other district the address names

    @property
    def point(self) -> tuple[float, float] | None:
        """Where the map's pin goes for a typed address: the building, the house number or the
        estate when one of them is known and has a point; else None (the map only moves there)."""
        for place in (self.building, self.door_plate, self.estate):
            if place is not None and place.latitude is not None and place.longitude is not None:
                return float(place.latitude), float(place.longitude)
        return None

    @property
    def message(self) -> str:
        if self.outside:
            return _("地址在%(district)s，不在本区范围内，请派单员确认。") % {"district": self.outside}
        if self.status == "resolved":
            place = self.building or self.grid
            return _("地址已识别：%(place)s") % {"place": place.full_name}
        if self.status == "ambiguous":
            return _("地址不明确，可能是：%(places)s，请派单员确认。") % {
                "places": "；".join(r.full_name for r in self.candidates)}
        if self.recognised:
            return _("只识别到“%(place)s”，无法确定网格，请派单员确认。") % {"place": self.recognised[-1].full_name}
        return _("地址无法识别，请派单员确认所在网格。")

    @property
    def resident_message(self) -> str:
        """The same finding in the words of the resident who typed the address or set the pin (the
        staff wording asks a dispatcher to act; the resident can only add detail or move the pin)."""
        if self.outside:
            return _("这个地址在%(district)s，不在本区服务范围内。如果问题就在本区，请在地图上点选位置。") % {
                "district": self.outside}
        if self.status == "resolved":
            place = self.building or self.grid
            return _("已定位到：%(place)s") % {"place": place.full_name}
        if self.status == "ambiguous":
            return _("这个地址可能在：%(places)s。请补充社区名称，或在地图上点选位置。") % {
                "places": "；".join(r.full_name for r in self.candidates)}
        if self.recognised:
            return _("已识别到“%(place)s”，请补充小区和楼号，或在地图上点选位置。") % {
                "place": self.recognised[-1].full_name}
        return _("暂未识别这个地址，请在地图上点选位置；不影响提交，工作人员会核实。")


def _compounds(region: Region) -> set[str]:
    """The estate names a building's name carries ("幸福里小区" and "幸福里" for 幸福里小区1号楼)."""
    m = _BUILDING.match(region.name) if region.kind == Region.Kind.BUILDING else None
    if not m or len(m["compound"]) < 2:
        return set()
    names = {m["compound"]}
    if m["compound"].endswith("小区") and len(m["compound"]) > 3:
        names.add(m["compound"][:-2])
    return {normalise(n) for n in names}


@dataclass
class _Index:
    regions: list[Region]
    variants: list[tuple[str, Region]]  # longest first
    estates: dict[str, Region]  # an estate's name → the one grid all its buildings lie in
    grids: list[Region]  # with a boundary, for pins
    districts: set[str] = field(default_factory=set)  # the tree's district names and aliases
    # an estate's or road's alias → its name, longest first
    aliases: list[tuple[str, str]] = field(default_factory=list)
    registered_estates: dict[str, Estate] = field(default_factory=dict)  # name (and its short form) → estate
    roads: dict[str, Road] = field(default_factory=dict)
    door_plates: dict[tuple[int, int], DoorPlate] = field(default_factory=dict)  # (road, number) → plate
    road_pattern: re.Pattern | None = None  # a known road's name followed by a house number
    names: frozenset[str] = frozenset()  # every name and alias the tree and register know
    longest: int = 0
    longer: dict[str, list[str]] = field(default_factory=dict)  # a road's name or alias → known names holding it
    by_pk: dict[int, Region] = field(default_factory=dict)  # every region, the district too
    grids_of: dict[int, list[Region]] = field(default_factory=dict)  # community → its grids
    # The variants by their first two characters, with their place in ``variants`` (longest first):
    # an address is compared only with the names that could start somewhere in it.
    by_pair: dict[str, list[int]] = field(default_factory=dict)
    estate_names: list[str] = field(default_factory=list)  # the register's, longest first

    def chain(self, region: Region) -> list[Region]:
        """``region.ancestors()`` from this copy of the tree, without a query."""
        return [self.by_pk[int(p)] for p in region.path.split(".") if p and int(p) in self.by_pk]


def _short(name: str) -> str:
    return name[:-2] if name.endswith("小区") and len(name) > 3 else name


def _build_index() -> _Index:
    every = list(Region.objects.order_by("path"))
    districts = {normalise(n) for r in every if r.kind == Region.Kind.DISTRICT
                 for n in (r.name, *(r.aliases or "").split())}
    regions = [r for r in every if r.kind not in (Region.Kind.DISTRICT, *Region.UPPER_KINDS)]
    by_pk = {r.pk: r for r in regions}
    variants = sorted(((v, r) for r in regions for v in _variants(r)), key=lambda item: -len(item[0]))
    kinds = {r.pk: r.kind for r in every}

    def grid_pk(region: Region) -> int | None:  # a building may stand in an estate of its grid
        return next((int(p) for p in reversed(region.path.split(".")) if p and kinds.get(int(p)) == Region.Kind.GRID),
                    None)

    estate_grids: dict[str, set[int]] = {}
    for r in regions:
        for name in _compounds(r):
            estate_grids.setdefault(name, set()).add(grid_pk(r))
    estates = {name: by_pk[next(iter(grids))] for name, grids in estate_grids.items()
               if len(grids) == 1 and next(iter(grids)) in by_pk}
    registered: dict[str, Estate] = {}
    aliases: dict[str, str] = {}
    for estate in Estate.objects.all():
        name = normalise(estate.name)
        for key in {name, _short(name)}:
            registered[key] = estate
            if estate.grid_id in by_pk:
                estates.setdefault(key, by_pk[estate.grid_id])
        for alias in (estate.aliases or "").split():
            aliases.setdefault(normalise(alias), name)
    roads = {normalise(road.name): road for road in Road.objects.all()}
    for name, road in list(roads.items()):
        for alias in (road.aliases or "").split():
            aliases.setdefault(normalise(alias), name)
    plates = {(p.road_id, p.number): p for p in DoorPlate.objects.select_related("place")}
    pattern = re.compile("(" + "|".join(re.escape(n) for n in sorted(roads, key=len, reverse=True)) + ")"
                         + _DOOR_NUMBER + "?") if roads else None
    grids = [r for r in regions if r.kind == Region.Kind.GRID and r.boundary]
    names = frozenset({v for v, _r in variants} | set(roads) | set(registered) | set(aliases))
    longer = {short: [n for n in names if short in n and n != short] for short in {*roads, *aliases}}
    grids_of: dict[int, list[Region]] = {}
    for r in regions:
        if r.kind == Region.Kind.GRID:
            grids_of.setdefault(r.parent_id, []).append(r)
    by_pair: dict[str, list[int]] = {}
    for i, (variant, _region) in enumerate(variants):
        by_pair.setdefault(variant[:2], []).append(i)
    return _Index(regions, variants, estates, grids, districts,
                  sorted(((a, n) for a, n in aliases.items() if a and a != n), key=lambda item: -len(item[0])),
                  registered, roads, plates, pattern, names, max(map(len, names), default=0), longer,
                  {r.pk: r for r in every}, grids_of, by_pair, sorted(registered, key=len, reverse=True))


def _inside_longer(text: str, start: int, end: int, index: _Index) -> bool:
    """Whether text[start:end] is part of a longer known name there ("光明街" in "光明街道")."""
    for name in index.longer.get(text[start:end], ()):
        at = text.find(name, max(0, start - len(name)))
        while 0 <= at <= start:
            if at + len(name) >= end:
                return True
            at = text.find(name, at + 1)
    return False


def _index() -> _Index:
    """The region tree's names, kept per process until a region changes (core.versioned)."""
    return versioned.cached("routing.addresses.index", _build_index)


def _named(address: str, index: _Index) -> list[Region]:
    """The regions the address names, longest name first: a name found only inside a longer name
    of another place does not count (光明社区's "光明" inside "光明街道"), unless that place lies
    under it (the community's "玫瑰城" in its grid's "玫瑰城第一网格")."""
    taken: list[tuple[int, int, str]] = []
    found: dict[int, Region] = {}
    pairs = {address[i:i + 2] for i in range(len(address) - 1)}
    candidates = sorted(i for pair in pairs for i in index.by_pair.get(pair, ()))
    for variant, region in (index.variants[i] for i in candidates):
        start = address.find(variant)
        while start >= 0:
            end = start + len(variant)
            if not any(a <= start and end <= b and (b - a) > len(variant)
                       and not path.startswith(region.path)
                       for a, b, path in taken):
                found.setdefault(region.pk, region)
                taken.append((start, end, region.path))
            start = address.find(variant, start + 1)
    return list(found.values())


_ADMIN = ("省", "市", "区")


def _administrative(address: str, index: _Index) -> tuple[dict[str, str], str]:
    """The province, city and district an address starts with (cpca's table of every division in
    China), and the text after them.  Only a prefix counts, and only one that ends where a name
    ends: a road or community named after a city ("丹东路社区" is not 丹东市 + "路社区") is the
    local name it is."""
    import cpca  # its table loads in about half a second: on the first address, not at start-up

    found = cpca._get_one_addr(address, True, {})
    positions = [found[f"{key}_pos"] for key in _ADMIN if found.get(key) and found[f"{key}_pos"] >= 0]
    rest = found.get("地址")
    if not positions or min(positions) != 0 or rest is None:
        return {}, address
    cut = len(address) - len(rest)
    if any(address[start:end] in index.names for start in range(cut)
           for end in range(cut + 1, min(len(address), start + index.longest) + 1)):
        return {}, address
    return {key: found[key] for key in _ADMIN if found.get(key) and found[f"{key}_pos"] >= 0}, rest


def _read_aliases(text: str, index: _Index) -> str:
    """The text with each alias of an estate or road read as the name it stands for (longest first,
    and never inside a name already read)."""
    for alias, name in index.aliases:
        at = text.find(alias)
        while at >= 0 and name not in text:
            if _inside_longer(text, at, at + len(alias), index):
                at = text.find(alias, at + 1)
                continue
            text = text[:at] + name + text[at + len(alias):]
            at = text.find(alias, at + len(name))
    return text


def parse(text: str) -> AddressParts:
    """The parts of an address, as far as its words go (``resolve_address`` says what they name)."""
    return _resolve(text).parts


def resolve_address(text: str) -> AddressResolution:
    """The community, grid and building an address names (with its parts, and a point for the
    pin when a building, house number or estate is known) — or why it names none for sure."""
    return _resolve(text)


def _parts(admin: dict[str, str], rest: str, found: AddressResolution, road: Road | None,
           number: str, estate_name: str) -> AddressParts:
    named = {r.kind: r.name for r in found.recognised}
    place = found.building or found.grid or found.community
    if place is not None:
        named.update({r.kind: r.name for r in _index().chain(place)})
    building = re.search(r"(\d+)(?:号楼|栋|幢)", rest)
    return AddressParts(province=admin.get("省", ""), city=admin.get("市", ""), district=admin.get("区", ""),
                        street=named.get(Region.Kind.STREET, ""), community=named.get(Region.Kind.COMMUNITY, ""),
                        estate=estate_name, road=road.name if road else "", house_number=number,
                        building=f"{building[1]}号楼" if building else "", rest=rest)


def _resolve(text: str) -> AddressResolution:
    address = normalise(text)
    if not address:
        return AddressResolution("unresolved")
    index = _index()
    admin, rest = _administrative(address, index)
    if admin.get("区") and normalise(admin["区"]) not in index.districts:
        outside = "".join(admin.get(k, "") for k in _ADMIN if admin.get(k))
        return AddressResolution("unresolved", outside=outside, parts=_parts(admin, rest, AddressResolution(
            "unresolved"), None, "", ""))
    rest = _read_aliases(rest, index)
    road, number, plate, words = None, "", None, rest
    m = next((m for m in index.road_pattern.finditer(rest) if not _inside_longer(rest, m.start(1), m.end(1), index)),
             None) if index.road_pattern else None
    if m:
        road, number = index.roads[m[1]], m[2] or ""
        plate = index.door_plates.get((road.pk, int(number))) if number else None
        # The road's name is not a place's ("雷锋路" is not the estate 雷锋小区); its house number,
        # when the register knows it, is as good as naming the building or grid.
        words = rest[:m.start()] + "|" + rest[m.end():]
    place = index.by_pk.get(plate.place_id) if plate is not None else None
    found = _match(words, index, extra=[place] if place is not None else None)
    if found.status == "unresolved" and road is not None and not found.recognised:
        street = index.by_pk.get(road.region_id)
        found.recognised = [r for r in index.chain(street) if r.kind != Region.Kind.DISTRICT] if street else []
    if plate is not None and found.status == "resolved" and plate.place_id in (
            getattr(found.building, "pk", None), getattr(found.grid, "pk", None)):
        found.door_plate = plate
    estate_name = ""
    for name in index.estate_names:
        if name in words:
            estate_name = index.registered_estates[name].name
            break
    if not estate_name and found.building is not None:
        compounds = sorted(_compounds(found.building), key=len, reverse=True)
        estate_name = compounds[0] if compounds else ""
    estate = index.registered_estates.get(normalise(estate_name)) if estate_name else None
    if estate is not None and found.grid is not None and estate.grid_id == found.grid.pk:
        found.estate = estate
    found.parts = _parts(admin, rest, found, road, number, estate_name)
    return found


def _match(address: str, index: _Index, extra: list[Region] | None = None) -> AddressResolution:
    regions = index.regions
    matched = _named(address, index) + list(extra or [])
    if not any(r.kind in (Region.Kind.GRID, Region.Kind.ESTATE, Region.Kind.BUILDING) for r in matched):
        # An estate named without a building number: its grid, when all its buildings lie in one.
        matched.extend({g.pk: g for name, g in index.estates.items() if name in address}.values())
    # A bare "5号楼" names a building only inside a community or grid the address already names.
    numbers = {m for m in re.findall(r"(\d+)(?:号楼|栋|幢)", address)}
    areas = [r for r in matched if r.kind in (Region.Kind.COMMUNITY, Region.Kind.GRID, Region.Kind.ESTATE)]
    if numbers and areas and not any(r.kind == Region.Kind.BUILDING for r in matched):
        for r in regions:
            m = _BUILDING.match(r.name) if r.kind == Region.Kind.BUILDING else None
            if m and m["number"] in numbers and any(r.path.startswith(a.path) for a in areas):
                matched.append(r)
    if not matched:
        return AddressResolution("unresolved")
    # Keep the deepest places that agree with every shallower place named.
    named_areas = [r for r in matched if r.kind in (Region.Kind.STREET, Region.Kind.COMMUNITY)]
    consistent = [r for r in matched if all(r.path.startswith(a.path) or a.path.startswith(r.path)
                                            for a in named_areas)]
    if not consistent:
        return AddressResolution("ambiguous", candidates=sorted(named_areas, key=lambda r: r.path))
    leaves = [r for r in consistent if not any(o.path.startswith(r.path) and o.pk != r.pk for o in consistent)]
    if len(leaves) > 1:
        return AddressResolution("ambiguous", candidates=sorted(leaves, key=lambda r: r.path))
    leaf = leaves[0]
    chain = {r.kind: r for r in index.chain(leaf)}
    grid = chain.get(Region.Kind.GRID)
    community = chain.get(Region.Kind.COMMUNITY)
    if grid is None and community is not None:
        grids = index.grids_of.get(community.pk, [])
        grid = grids[0] if len(grids) == 1 else None  # a community with one grid names it
    if grid is None:
        return AddressResolution("unresolved", community=community,
                                 recognised=[r for r in index.chain(leaf)
                                             if r.kind not in (Region.Kind.DISTRICT, *Region.UPPER_KINDS)])
    return AddressResolution("resolved", community=community, grid=grid,
                             building=chain.get(Region.Kind.BUILDING))


def _inside(lng: float, lat: float, ring: list) -> bool:
    hit = False
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i][:2], ring[j][:2]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            hit = not hit
        j = i
    return hit


BUILDING_METRES = 60  # a pin this close to a building's point names that building


def resolve_point(latitude: float, longitude: float) -> AddressResolution:
    """The grid whose boundary holds a map pin (WGS-84), its community, and the building whose point
    lies within ``BUILDING_METRES`` of the pin, if one does.  Outside every grid: unresolved."""
    index = _index()
    lat, lng = float(latitude), float(longitude)
    grid = next((g for g in index.grids if _inside(lng, lat, g.boundary[0])), None)
    if grid is None:
        return AddressResolution("unresolved")
    chain = {r.kind: r for r in index.chain(grid)}
    nearest, best = None, BUILDING_METRES
    for r in index.regions:
        if r.kind == Region.Kind.BUILDING and r.path.startswith(grid.path) and r.latitude is not None:
            metres = _metres(lat, lng, float(r.latitude), float(r.longitude))
            if metres <= best:
                nearest, best = r, metres
    return AddressResolution("resolved", community=chain.get(Region.Kind.COMMUNITY), grid=grid, building=nearest)


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lng2 - lng1) * 111_320 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)
