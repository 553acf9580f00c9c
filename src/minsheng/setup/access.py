"""Who sets a territory up, and which territory that is.

An administrator's territory is its unit's region: the administrator of a whole tree (a unit at
the root region) sees everything for the work on demands (acting in the name of its unit), one
lower down (a district under a city, a street) its territory only (``organisation.scope``); setting
up is scoped the same way: a district's administrator loads and checks its own district, a
street's its street, a city's administrator the city.  A superuser, and the command line, set up everything."""

from minsheng.organisation.models import Membership, Region
from minsheng.organisation.roles import Role

EVERYWHERE = ""


def territory_paths(user) -> list[str]:
    """The region paths ``user`` may set up ("" for everywhere); empty when none."""
    if user is None:
        return [EVERYWHERE]  # the command line: the server's operator
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return [EVERYWHERE]
    return sorted(set(Membership.objects.filter(
        user=user, role=Role.ADMINISTRATOR, active=True, unit__active=True).values_list(
        "unit__region__path", flat=True)))


def may_set_up(user) -> bool:
    return bool(territory_paths(user))


def inside(paths: list[str], path: str) -> bool:
    return any(path.startswith(p) for p in paths)


def territory_roots(paths: list[str]) -> list[Region]:
    """The regions at the top of the territory (every root region for everywhere)."""
    if EVERYWHERE in paths:
        return list(Region.objects.filter(parent__isnull=True).order_by("path"))
    return list(Region.objects.filter(path__in=paths).order_by("path"))
