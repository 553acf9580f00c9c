"""What a generated basemap shows, in WGS-84 degrees: blocks, roads, building footprints and
labels.  ``scene_from_regions`` reads it from the region tree (boundaries of streets, communities
and grids; the points of buildings); a caller that knows the roads (the demo city) passes them."""

import math
import re
from dataclasses import dataclass, field

from minsheng.organisation.models import Region

Point = tuple[float, float]  # (lng, lat), GeoJSON order

# A residential slab (板楼) seen from above, metres: the region tree stores a building as a point.
FOOTPRINT_M = (80.0, 16.0)
# An estate (小区) is drawn as the ground around its buildings, this far beyond their footprints.
ESTATE_MARGIN_M = 45.0
METRES_PER_DEGREE = 111_195.0


@dataclass(frozen=True)
class Road:
    points: list[Point]
    kind: str  # "main" or "lane"
    name: str = ""


@dataclass(frozen=True)
class Label:
    point: Point
    text: str
    kind: str  # "district", "street", "community", "compound", "building"
    box: tuple[float, float, float, float] | None = None  # west, south, east, north of what it names


@dataclass
class Scene:
    blocks: list[list[Point]] = field(default_factory=list)
    estates: list[list[Point]] = field(default_factory=list)
    buildings: list[list[Point]] = field(default_factory=list)
    roads: list[Road] = field(default_factory=list)
    street_lines: list[list[Point]] = field(default_factory=list)  # 街道 boundaries (dashed)
    community_lines: list[list[Point]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)

    def bounds(self) -> tuple[float, float, float, float]:
        points = [p for ring in self.blocks for p in ring] + [p for r in self.roads for p in r.points]
        points += [label.point for label in self.labels]
        if not points:
            raise ValueError("the scene is empty: no region has a boundary or a position")
        lngs, lats = [p[0] for p in points], [p[1] for p in points]
        return min(lngs), min(lats), max(lngs), max(lats)


def _ring(boundary) -> list[Point]:
    return [(float(lng), float(lat)) for lng, lat in boundary[0]]


def _box(ring: list[Point]) -> tuple[float, float, float, float]:
    return (min(p[0] for p in ring), min(p[1] for p in ring), max(p[0] for p in ring), max(p[1] for p in ring))


def _centre(ring: list[Point]) -> Point:
    west, south, east, north = _box(ring)
    return (west + east) / 2, (south + north) / 2


def footprint(lng: float, lat: float) -> list[Point]:
    """The rectangle of a building centred on its point, its long side east–west (facing south)."""
    half_lng = FOOTPRINT_M[0] / 2 / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    half_lat = FOOTPRINT_M[1] / 2 / METRES_PER_DEGREE
    return [(lng - half_lng, lat - half_lat), (lng + half_lng, lat - half_lat), (lng + half_lng, lat + half_lat),
            (lng - half_lng, lat + half_lat), (lng - half_lng, lat - half_lat)]


def _estate(footprints: list[list[Point]], grid: Region) -> list[Point]:
    """The estate's ground: the box of its buildings widened by ESTATE_MARGIN_M, kept inside the grid."""
    west, south, east, north = _box([p for ring in footprints for p in ring])
    d_lat = ESTATE_MARGIN_M / METRES_PER_DEGREE
    d_lng = d_lat / math.cos(math.radians((south + north) / 2))
    west, south, east, north = west - d_lng, south - d_lat, east + d_lng, north + d_lat
    if grid.boundary:
        g_west, g_south, g_east, g_north = _box(_ring(grid.boundary))
        west, south, east, north = max(west, g_west), max(south, g_south), min(east, g_east), min(north, g_north)
    return [(west, south), (east, south), (east, north), (west, north), (west, south)]


def compound_of(building_name: str) -> tuple[str, str]:
    """"幸福里小区3号楼" → ("幸福里小区", "3号楼"): the estate and the building's own number."""
    match = re.match(r"^(.*?)(\d+号楼)$", building_name)
    return (match.group(1), match.group(2)) if match else ("", building_name)


def scene_from_regions(district: Region, roads: list[Road] | None = None) -> Scene:
    """The scene of one district.  Without ``roads``, grid edges are drawn as lanes and street and
    community edges as main roads, unnamed: a region tree knows its boundaries, not its streets' names."""
    scene = Scene()
    regions = list(district.descendants().order_by("path"))
    children: dict[int | None, list[Region]] = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region)
    bounded = [r for r in regions if r.boundary]
    if bounded:
        box = [_box(_ring(r.boundary)) for r in bounded]
        west, south = min(b[0] for b in box), min(b[1] for b in box)
        east, north = max(b[2] for b in box), max(b[3] for b in box)
        scene.labels.append(Label(((west + east) / 2, (south + north) / 2), district.name, "district",
                                  (west, south, east, north)))
    for region in bounded:
        ring = _ring(region.boundary)
        if region.kind == Region.Kind.GRID:
            scene.blocks.append(ring)
            if roads is None:
                scene.roads.append(Road(ring, "lane"))
        elif region.kind == Region.Kind.STREET:
            scene.street_lines.append(ring)
            scene.labels.append(Label(_centre(ring), region.name, "street", _box(ring)))
            if roads is None:
                scene.roads.append(Road(ring, "main"))
        elif region.kind == Region.Kind.COMMUNITY:
            scene.community_lines.append(ring)
            centre = _centre(ring) if region.latitude is None else (float(region.longitude), float(region.latitude))
            scene.labels.append(Label(centre, region.name, "community", _box(ring)))
            if roads is None:
                scene.roads.append(Road(ring, "main"))
    scene.roads.extend(roads or [])
    for region in regions:
        if region.kind != Region.Kind.GRID:
            continue
        buildings = [b for b in children.get(region.pk, []) if b.latitude is not None and b.longitude is not None]
        estates: dict[str, list[Point]] = {}
        footprints = []
        for building in buildings:
            lng, lat = float(building.longitude), float(building.latitude)
            footprints.append(footprint(lng, lat))
            estate, number = compound_of(building.name)
            scene.labels.append(Label((lng, lat), number, "building"))
            if estate:
                estates.setdefault(estate, []).append((lng, lat))
        if footprints:
            scene.buildings.extend(footprints)
            scene.estates.append(_estate(footprints, region))
        for estate, points in estates.items():
            centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
            if region.boundary:
                centre = _centre(_ring(region.boundary))
            scene.labels.append(Label(centre, estate, "compound"))
    return scene
