"""Which region a point lies in, from the regions' GeoJSON boundaries."""

from decimal import Decimal

from .models import Region


def _inside(ring: list[list[float]], lng: float, lat: float) -> bool:
    """Even-odd rule over one linear ring of [lng, lat] points."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def polygon_contains(coordinates: list, lng: float, lat: float) -> bool:
    """GeoJSON Polygon coordinates: the outer ring, then holes."""
    if not coordinates or not _inside(coordinates[0], lng, lat):
        return False
    return not any(_inside(hole, lng, lat) for hole in coordinates[1:])


def region_containing(latitude: Decimal | float | str, longitude: Decimal | float | str,
                      within: Region | None = None) -> Region | None:
    """The deepest region with a boundary that contains the point (a grid, when grids are
    drawn), searched inside ``within``; None when no drawn region contains it."""
    lat, lng = float(latitude), float(longitude)
    regions = Region.objects.filter(boundary__isnull=False).order_by("-depth", "path")
    if within is not None:
        regions = regions.filter(path__startswith=within.path)
    for region in regions:
        if isinstance(region.boundary, list) and polygon_contains(region.boundary, lng, lat):
            return region
    return None
