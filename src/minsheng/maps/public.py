"""The public reports map and list (as FixMyStreet): which demands anyone may see, and what of them.

Publication follows the reporter's own opt-in, ``publish_consent`` (同意公开): a box on the
resident's form and on the operator's intake, off unless ticked.  It is distinct from ``consent``
(同意隐私告知, which every public channel requires and which says nothing about publishing).  Never
public, whatever the consent: a report (举报, the demand type ``report``: it names someone), a
case that is not a plain demand (a micro-wish or a care task speaks of one household), a demand
from a vulnerable resident, and an invalid or merged one.

What is shown is chosen so that nothing personal can leak: the category, the state, the street and
community, the dates and a pin rounded to about 100 m — never the title, the description, the
address, the reporter or the number (the number and four digits of a phone open the tracking page).
A pin cannot be told from a home by anything stored (a demand's point is where the resident put
it, often their door), so every pin is rounded, not only those known to sit on a building.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category, localised
from minsheng.demands.models import Demand
from minsheng.demands.workflow import OPEN_STATES, Kind, State
from minsheng.organisation.models import Region

# Demand types never published: a 举报 names a person or a business.
HIDDEN_TYPES = frozenset({"report"})
NEVER_PUBLIC_STATES = frozenset({State.INVALID, State.MERGED})
# Three decimals of a degree: 111 m of latitude, 85–100 m of longitude in China.
PIN_DECIMALS = 3
# The areas one may filter on and subscribe to: a street or a community (and what lies under it).
AREA_KINDS = (Region.Kind.STREET, Region.Kind.COMMUNITY)

# The states as residents think of them, for the filter and the pins' colour.
STATE_GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    "open": (_("处理中"), frozenset(OPEN_STATES)),
    "resolved": (_("已办结"), frozenset({State.RESOLVED, State.REVISITED})),
    "closed": (_("已结案"), frozenset({State.CLOSED})),
}


def state_group(state: str) -> str:
    return next((key for key, (_label, states) in STATE_GROUPS.items() if state in states), "")


def published() -> QuerySet[Demand]:
    """Every demand anyone may see on the public map and list (the rule of the module's docstring)."""
    return (Demand.objects.filter(kind=Kind.DEMAND, publish_consent=True, vulnerable=False)
            .exclude(demand_type__code__in=HIDDEN_TYPES).exclude(state__in=NEVER_PUBLIC_STATES))


def is_published(demand: Demand) -> bool:
    """``published()``'s rule for one loaded demand (the subscribers' notice after registering)."""
    return (demand.kind == Kind.DEMAND and demand.publish_consent and not demand.vulnerable
            and demand.demand_type.code not in HIDDEN_TYPES and demand.state not in NEVER_PUBLIC_STATES)


def public_reports(*, area: Region | None = None, category: Category | None = None,
                   state: str = "") -> QuerySet[Demand]:
    """The published demands in ``area`` (and below it), of ``category`` (and its subcategories),
    in the state group ``state`` (a key of STATE_GROUPS), newest first."""
    qs = published()
    if area is not None:
        qs = qs.filter(region__path__startswith=area.path)
    if category is not None:
        qs = qs.filter(category__path__startswith=category.path)
    if state:
        qs = qs.filter(state__in=STATE_GROUPS[state][1])
    return qs.order_by("-registered_at", "-id")


def rounded(value) -> float | None:
    return None if value is None else round(float(value), PIN_DECIMALS)


@dataclass(frozen=True)
class PublicReport:
    """What the public pages show of one demand: nothing that names, reaches or locates a person."""

    category: str
    state: str
    state_group: str
    street: str
    community: str
    registered_at: datetime
    resolved_at: datetime | None
    latitude: float | None
    longitude: float | None

    def as_pin(self) -> dict:
        return {"lat": self.latitude, "lng": self.longitude, "category": self.category, "state": self.state,
                "group": self.state_group, "area": " ".join(p for p in (self.street, self.community) if p),
                "date": f"{self.registered_at:%Y-%m-%d}"}


def _areas() -> dict[int, Region]:
    return {r.pk: r for r in Region.objects.filter(kind__in=AREA_KINDS).only("pk", "name", "kind")}


# What the public view of a demand is made of, read as values (a page and its 500 pins would
# otherwise load four model instances a demand).
_PUBLIC_FIELDS = ("state", "registered_at", "resolved_at", "latitude", "longitude", "category__name",
                  "category__name_en", "demand_type__name", "demand_type__name_en", "region__path")


def _public_fields(demand: Demand) -> tuple:
    category = demand.category
    return (demand.state, demand.registered_at, demand.resolved_at, demand.latitude, demand.longitude,
            category.name if category else None, category.name_en if category else None,
            demand.demand_type.name, demand.demand_type.name_en, demand.region.path)


def as_public(demands: QuerySet[Demand] | list[Demand]) -> list[PublicReport]:
    """The public view of each demand, in their order (a query set is read with only the fields
    it may show, in two queries)."""
    rows = (list(demands.values_list(*_PUBLIC_FIELDS)) if isinstance(demands, QuerySet)
            else [_public_fields(d) for d in demands])
    areas, states = _areas(), {value: str(label) for value, label in State.choices}
    reports = []
    for (state, registered_at, resolved_at, latitude, longitude, category, category_en, demand_type, demand_type_en,
         path) in rows:
        above = [areas[int(p)] for p in path.split(".") if p and int(p) in areas]
        street = next((r.name for r in above if r.kind == Region.Kind.STREET), "")
        community = next((r.name for r in above if r.kind == Region.Kind.COMMUNITY), "")
        reports.append(PublicReport(
            category=localised(category, category_en) if category is not None else localised(demand_type,
                                                                                                demand_type_en),
            state=states.get(state, state), state_group=state_group(state),
            street=street, community=community, registered_at=registered_at, resolved_at=resolved_at,
            latitude=rounded(latitude), longitude=rounded(longitude)))
    return reports


def area_choices() -> list[tuple[str, str]]:
    """Streets and their communities in tree order, a community indented under its street."""
    return [(r.code, ("　" if r.kind == Region.Kind.COMMUNITY else "") + r.name)
            for r in Region.objects.filter(kind__in=AREA_KINDS).order_by("path")]


def category_choices() -> list[tuple[str, str]]:
    """The catalogue's first two levels (a filter on one includes everything under it)."""
    return [(c.code, ("　" * c.depth) + str(c)) for c in Category.objects.filter(active=True, depth__lte=1)
            .order_by("path")]
