"""Reads of the catalogue."""

from django.db.models import Q

from minsheng.organisation.models import Region, Unit

from .models import Category, DispatchRule


def _path_ids(path: str) -> list[int]:
    return [int(p) for p in path.split(".") if p]


def responsible_unit(category: Category | None, region: Region) -> Unit | None:
    """The unit the dispatch catalogue names for this category and region.

    A rule matches when its category is the demand's category or an ancestor of it and
    its region is the demand's region, an ancestor of it, or blank (the whole district).
    The most specific match wins: the deepest category first, then the deepest region.
    """
    if category is None:
        return None
    rules = (
        DispatchRule.objects.filter(category_id__in=_path_ids(category.path), unit__active=True)
        .filter(Q(region__isnull=True) | Q(region_id__in=_path_ids(region.path)))
        .select_related("category", "region", "unit")
    )
    best = max(rules, key=lambda r: (r.category.depth, r.region.depth if r.region else -1), default=None)
    return best.unit if best else None


def service_categories():
    """The categories a demand can be filed under from outside (Open311's services): the
    leaves of the tree, and a top level with no active children."""
    return (Category.objects.filter(active=True).filter(Q(depth__gt=0) | ~Q(children__active=True))
            .select_related("parent").distinct().order_by("path"))
