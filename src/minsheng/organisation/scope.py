"""The one scoping function: what a user may see and act on.

Every selector and every service asks this module.  A membership grants its role over
the unit's subtree (demands handled by that unit or a unit below it) and, when the unit
is territorial (a street office, a committee, a station, the district centre), over
everything that happens in its region's subtree, narrowed to the membership's own
region where one is set.  A resident sees the demands they reported.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from django.db.models import Q

from .roles import Role

# territory / handling: where a grant may act (see the module's docstring); summoned: demands
# the grant's unit was summoned to (吹哨报到), where it reports in; visible: what it may read,
# its territory and the demands its unit was summoned to.
ScopeKind = Literal["territory", "handling", "summoned", "visible"]
# The table of departments summoned to a demand.  Named, not imported, because the supervision
# app builds on this one.
SUMMONED_UNIT_MODEL = ("supervision", "SummonedUnit")


def _summoned_units():
    from django.apps import apps

    return apps.get_model(*SUMMONED_UNIT_MODEL).objects


# Set on a loaded demand by ``preload_summons``: its summoned units as (unit path, still to report in).
_PRELOADED_SUMMONS = "_scope_summons"


def preload_summons(demands: Iterable) -> None:
    """Load the summoned units of many loaded demands in one query and keep them on each demand,
    for a page that checks a grant against every row (the queue's actions): ``Grant.covers`` with
    the "summoned" scope and ``Grant.awaits_report`` then read them instead of asking the database
    once per demand and grant."""
    demands = list(demands)
    by_demand = {demand.pk: [] for demand in demands}
    rows = _summoned_units().filter(demand_id__in=list(by_demand)).values_list("demand_id", "unit__path",
                                                                              "reported_at")
    for demand_id, path, reported_at in rows:
        by_demand[demand_id].append((path, reported_at is None))
    for demand in demands:
        setattr(demand, _PRELOADED_SUMMONS, by_demand[demand.pk])


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int | None
    unit_path: str | None  # "" means every unit
    region_path: str | None  # None: no territorial coverage; "" means every region
    resident_user_id: int | None = None  # set for the resident role: their own demands only
    narrowed_to: str | None = None  # a membership's own region: limits the unit coverage too

    def demand_q(self, scope: ScopeKind = "territory") -> Q:
        """The demands this grant covers, as a filter on Demand."""
        if self.resident_user_id is not None:
            return Q(reporter__user_id=self.resident_user_id)
        if scope == "visible":
            return self.demand_q("territory") | self._summoned_q() | self._first_received_q()
        if self.unit_path == "" or (scope == "territory" and self.region_path == ""):
            return Q(pk__isnull=False)  # everything; Q() would vanish when OR-ed with an empty filter
        if scope == "summoned":
            return self._summoned_q()
        q = Q(pk__in=[])
        if self.unit_path is not None:
            unit_q = Q(handling_unit__path__startswith=self.unit_path)
            if self.narrowed_to is not None:
                unit_q &= Q(region__path__startswith=self.narrowed_to)
            q |= unit_q
        if scope == "territory" and self.region_path is not None:
            q |= Q(region__path__startswith=self.region_path)
        return q

    def _summoned_q(self) -> Q:
        if self.unit_path is None:
            return Q(pk__in=[])
        if self.unit_path == "":
            return Q(pk__isnull=False)
        return Q(pk__in=_summoned_units().filter(unit__path__startswith=self.unit_path).values("demand_id"))

    def _first_received_q(self) -> Q:
        # 首问负责: the unit that first took a demand in keeps sight of it (read only).
        return Q(first_receiver_unit_id=self.unit_id) if self.unit_id is not None else Q(pk__in=[])

    def _summoned_to(self, demand) -> bool:
        if self.unit_path is None:
            return False
        preloaded = getattr(demand, _PRELOADED_SUMMONS, None)
        if preloaded is not None:
            return any(path.startswith(self.unit_path) for path, _waiting in preloaded)
        return _summoned_units().filter(demand_id=demand.pk, unit__path__startswith=self.unit_path).exists()

    def awaits_report(self, demand) -> bool:
        """Whether this grant's unit (or one below it) was summoned to the demand and has not
        reported in yet (what ``report_in`` needs)."""
        if self.unit_path is None:
            return False
        preloaded = getattr(demand, _PRELOADED_SUMMONS, None)
        if preloaded is not None:
            return any(waiting and path.startswith(self.unit_path) for path, waiting in preloaded)
        open_rows = _summoned_units().filter(demand_id=demand.pk, reported_at__isnull=True)
        return open_rows.exists() if self.unit_path == "" else open_rows.filter(
            unit__path__startswith=self.unit_path).exists()

    def covers(self, demand, scope: ScopeKind = "territory") -> bool:
        """Whether this grant covers one loaded demand (same rule as ``demand_q``)."""
        if self.resident_user_id is not None:
            reporter = demand.reporter
            return reporter is not None and reporter.user_id == self.resident_user_id
        if scope == "visible":
            return (self.covers(demand, "territory") or self.covers(demand, "summoned")
                    or (self.unit_id is not None and demand.first_receiver_unit_id == self.unit_id))
        if scope == "summoned":
            return self.unit_path == "" or self._summoned_to(demand)
        if (self.unit_path is not None and demand.handling_unit_id is not None
                and demand.handling_unit.path.startswith(self.unit_path)
                and (self.narrowed_to is None or demand.region.path.startswith(self.narrowed_to))):
            return True
        if scope == "territory" and self.region_path is not None:
            return demand.region.path.startswith(self.region_path)
        return False

    def covers_region(self, region) -> bool:
        """Whether a new demand in ``region`` may be registered under this grant."""
        if self.resident_user_id is not None:
            return True
        if self.region_path is None:
            # A department registers what reaches it for its own work anywhere in the district.
            return self.narrowed_to is None or region.path.startswith(self.narrowed_to)
        return region.path.startswith(self.region_path)


_ALL = Grant(role=Role.ADMINISTRATOR, unit_id=None, unit_path="", region_path="")
_CACHE_ATTR = "_minsheng_grants"

# The role the system acts in when a rule, not a person, takes an action (an automatic
# escalation, dispatch or closing).  It is never a membership's role.
SYSTEM_ROLE = "system"


class SystemActor:
    """The system itself as the actor of a transition: covers every demand, holds only
    ``SYSTEM_ROLE``, and is recorded on the event as no user with that role."""

    is_authenticated = False
    is_active = True
    is_superuser = False
    pk = None

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()
_SYSTEM_GRANTS = (Grant(role=SYSTEM_ROLE, unit_id=None, unit_path="", region_path=""),)


def grants_for(user) -> tuple[Grant, ...]:
    """Every grant of an authenticated user, cached on the user object for the request."""
    if isinstance(user, SystemActor):
        return _SYSTEM_GRANTS
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grants: list[Grant] = []
    if user.is_superuser:
        grants.append(_ALL)
    memberships = user.memberships.filter(active=True, unit__active=True).select_related("unit__region", "region")
    for m in memberships:
        if m.role == Role.ADMINISTRATOR and m.unit.region.parent_id is None:
            # The administrator of a whole tree sees everything, and acts in the name of its own
            # unit (立接立办, escalation).
            grants.append(replace(_ALL, unit_id=m.unit_id))
        elif m.role == Role.ADMINISTRATOR:
            # A street's or a district's administrator (under a city) answers for its territory.
            grants.append(Grant(role=m.role, unit_id=m.unit_id, unit_path=m.unit.path,
                                region_path=m.unit.region.path))
        elif m.role == Role.RESIDENT:
            grants.append(Grant(role=m.role, unit_id=None, unit_path=None, region_path=None,
                                resident_user_id=user.pk))
        else:
            region = m.region or m.unit.region
            grants.append(Grant(role=m.role, unit_id=m.unit_id, unit_path=m.unit.path,
                                region_path=region.path if m.unit.is_territorial else None,
                                narrowed_to=m.region.path if m.region else None))
    result = tuple(grants)
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_grants(user) -> None:
    """Drop the cached grants, after a user's memberships changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user) -> set[str]:
    return {g.role for g in grants_for(user)}


def grants_with_roles(user, roles: Iterable[str]) -> list[Grant]:
    wanted = set(roles)
    return [g for g in grants_for(user) if g.role in wanted]


def demand_filter(user, roles: Iterable[str] | None = None, scope: ScopeKind = "visible") -> Q:
    """A filter selecting the demands ``user`` may see (optionally: through these roles)."""
    grants = grants_for(user) if roles is None else grants_with_roles(user, roles)
    q = Q(pk__in=[])
    for g in grants:
        q |= g.demand_q(scope)
    return q


def may_see(user, demand) -> bool:
    """Whether ``user`` may open one loaded demand: the rule of ``demand_filter`` for one row, so
    that a list's link, a notice or a message reaches only those whom the demand's page lets in."""
    return any(g.covers(demand, "visible") for g in grants_for(user))


def region_filter(user, field: str = "region", roles: Iterable[str] | None = None) -> Q:
    """A filter selecting the rows whose ``field`` (a lookup path to a Region; "" for a Region
    itself) lies in the territory of the user's grants (optionally: through these roles).  Grants
    without a territory (departments, care providers, residents) select nothing; administrators
    and superusers everything."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    grants = grants_for(user) if roles is None else grants_with_roles(user, roles)
    q = Q(pk__in=[])
    for g in grants:
        if g.region_path == "" or g.unit_path == "":
            return Q(pk__isnull=False)  # everything; Q() would vanish when OR-ed with an empty filter
        if g.region_path is not None:
            q |= Q(**{lookup: g.region_path})
    return q
