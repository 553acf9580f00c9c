"""Free-text Chinese addresses → community, grid and building, from the region tree's names and
aliases; and a map pin → the same, from the grids' boundaries.  An address is resolved only when
its words single out one place; when they fit several it is ambiguous and when they fit none (or
stop above grid level) unresolved — both are shown as such, never replaced by a guess.

Names are matched longest first: in "光明街道玫瑰城社区…" the street's "光明街道" holds the
characters "光明", so the community 光明社区 (short name "光明") is not named there.  An estate
(小区) is not a region of its own: its name is what its buildings' names start with, and it names
its grid when all its buildings lie in one.

The province/city/district part needs no library: the tree holds one district, and everything
outside the tree's names is ignored."""

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from minsheng.core import versioned
from minsheng.organisation.models import Region

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
_SPACE = re.compile(r"\s+")
_SUFFIXES = ("社区居委会", "居委会", "社区", "街道办事处", "街道", "小区")
_BUILDING = re.compile(r"^(?P<compound>.*?)(?P<number>\d+)(?:号楼|栋|幢|号)$")
_BUILDING_WORDS = ("号楼", "栋", "幢", "号院")


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


@dataclass
class AddressResolution:
    status: str  # resolved | ambiguous | unresolved
    community: Region | None = None
    grid: Region | None = None
    building: Region | None = None
    candidates: list[Region] = field(default_factory=list)
    recognised: list[Region] = field(default_factory=list)

    @property
    def message(self) -> str:
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


def _build_index() -> _Index:
    regions = list(Region.objects.exclude(kind__in=[Region.Kind.DISTRICT, *Region.UPPER_KINDS]).order_by("path"))
    by_pk = {r.pk: r for r in regions}
    variants = sorted(((v, r) for r in regions for v in _variants(r)), key=lambda item: -len(item[0]))
    estate_grids: dict[str, set[int]] = {}
    for r in regions:
        for name in _compounds(r):
            estate_grids.setdefault(name, set()).add(r.parent_id)
    estates = {name: by_pk[next(iter(grids))] for name, grids in estate_grids.items()
               if len(grids) == 1 and next(iter(grids)) in by_pk}
    grids = [r for r in regions if r.kind == Region.Kind.GRID and r.boundary]
    return _Index(regions, variants, estates, grids)


def _index() -> _Index:
    """The region tree's names, kept per process until a region changes (core.versioned)."""
    return versioned.cached("routing.addresses.index", _build_index)


def _named(address: str, index: _Index) -> list[Region]:
    """The regions the address names, longest name first: a name found only inside a longer name
    of another place does not count (光明社区's "光明" inside "光明街道"), unless that place lies
    under it (the community's "玫瑰城" in its grid's "玫瑰城第一网格")."""
    taken: list[tuple[int, int, str]] = []
    found: dict[int, Region] = {}
    for variant, region in index.variants:
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


def resolve_address(text: str) -> AddressResolution:
    address = normalise(text)
    if not address:
        return AddressResolution("unresolved")
    index = _index()
    regions = index.regions
    matched = _named(address, index)
    if not any(r.kind in (Region.Kind.GRID, Region.Kind.BUILDING) for r in matched):
        # An estate named without a building number: its grid, when all its buildings lie in one.
        matched.extend({g.pk: g for name, g in index.estates.items() if name in address}.values())
    # A bare "5号楼" names a building only inside a community or grid the address already names.
    numbers = {m for m in re.findall(r"(\d+)(?:号楼|栋|幢)", address)}
    areas = [r for r in matched if r.kind in (Region.Kind.COMMUNITY, Region.Kind.GRID)]
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
    chain = {r.kind: r for r in leaf.ancestors()}
    grid = chain.get(Region.Kind.GRID)
    community = chain.get(Region.Kind.COMMUNITY)
    if grid is None and community is not None:
        grids = list(Region.objects.filter(parent=community, kind=Region.Kind.GRID))
        grid = grids[0] if len(grids) == 1 else None  # a community with one grid names it
    if grid is None:
        return AddressResolution("unresolved", community=community,
                                 recognised=[r for r in leaf.ancestors()
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
    chain = {r.kind: r for r in grid.ancestors()}
    nearest, best = None, BUILDING_METRES
    for r in index.regions:
        if r.parent_id == grid.pk and r.kind == Region.Kind.BUILDING and r.latitude is not None:
            metres = _metres(lat, lng, float(r.latitude), float(r.longitude))
            if metres <= best:
                nearest, best = r, metres
    return AddressResolution("resolved", community=chain.get(Region.Kind.COMMUNITY), grid=grid, building=nearest)


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lng2 - lng1) * 111_320 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)
