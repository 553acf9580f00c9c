"""Free-text Chinese addresses → community, grid and building, from the region tree's names and
aliases.  An address is resolved only when its words single out one place; when they fit several
it is ambiguous and when they fit none (or stop above grid level) unresolved — both are shown to
the dispatcher as such, never replaced by a guess.

The province/city/district part needs no library: the tree holds one district, and everything
outside the tree's names is ignored."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

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


def resolve_address(text: str) -> AddressResolution:
    address = normalise(text)
    if not address:
        return AddressResolution("unresolved")
    regions = list(Region.objects.exclude(kind=Region.Kind.DISTRICT))
    matched = [r for r in regions if any(v in address for v in _variants(r))]
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
                                 recognised=[r for r in leaf.ancestors() if r.kind != Region.Kind.DISTRICT])
    return AddressResolution("resolved", community=community, grid=grid,
                             building=chain.get(Region.Kind.BUILDING))
