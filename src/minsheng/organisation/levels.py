"""Levels counted from the district, whatever stands above it.

A tree may start at a district (the first installs), a city (a 12345 centre: 直派 to its districts'
streets) or a province.  Figures group by district, street, community and grid, so the code that
folds a path to one of those levels asks here how many of the path's first steps are above the
district instead of assuming the district is the root."""

from minsheng.core import versioned

from .models import Region


def upper_region_ids() -> frozenset[int]:
    """The ids of the provinces and cities (a handful of rows), kept per process."""
    return versioned.cached("organisation.upper_region_ids", lambda: frozenset(
        Region.objects.filter(kind__in=Region.UPPER_KINDS).values_list("pk", flat=True)))


def district_offset(path: str) -> int:
    """How many steps of ``path`` lie above the district (0 in a tree rooted at a district)."""
    upper = upper_region_ids()
    if not upper:
        return 0
    offset = 0
    for part in path.split("."):
        if not part or int(part) not in upper:
            break
        offset += 1
    return offset


def level_of(path: str) -> int:
    """The level of the region at ``path``: district 0, street 1, community 2, grid 3, building 4;
    a city -1 and a province -2 above them."""
    return path.count(".") - 1 - district_offset(path)
