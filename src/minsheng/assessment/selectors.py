"""Assessment figures, read from the rollups only (never from the demands), scoped to the viewer.

The five rates and what counts in them are written out in docs/assessment.md and on the page
``/work/assessment/formulas/``; ``Figures`` below is their one implementation.
"""

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_for, roles_of

from .counters import COMMUNITY_DEPTH, GRID_DEPTH
from .models import COUNTERS, Period, Rollup

VIEWER_ROLES = frozenset({Role.LEADER, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.AUDITOR})
# A basically satisfied answer weighs this much in the satisfaction rate.
BASICALLY_SATISFIED_WEIGHT = Decimal("0.8")
# The composite score of Beijing's 接诉即办 assessment: response 10 %, resolution 45 %, satisfaction 45 %.
COMPOSITE_WEIGHTS = {"response": Decimal("0.10"), "resolution": Decimal("0.45"), "satisfaction": Decimal("0.45")}

# Each rate: (numerator counter, denominator counter) as the drill-down lists show them.
RATES = {
    "response": ("responded_on_time", "resolved"),
    "resolution": ("solved", "revisited"),
    "satisfaction": ("satisfied", "revisited"),
    "completion": ("resolved", "dispatched"),
    "on_time": ("resolved_on_time", "resolved"),
}
RATE_LABELS = {"response": _("响应率"), "resolution": _("解决率"), "satisfaction": _("满意率"),
               "completion": _("办结率"), "on_time": _("按期办结率")}
COUNTER_LABELS = {
    "registered": _("受理量"), "invalid": _("无效诉求"), "merged": _("合并诉求"), "dispatched": _("派单量"),
    "withdrawn": _("派出后合并"), "resolved": _("办结量"), "responded_on_time": _("按时联系"),
    "resolved_on_time": _("按期办结"), "revisited": _("回访量"), "satisfied": _("满意"),
    "basically_satisfied": _("基本满意"), "dissatisfied": _("不满意"), "reopened": _("重办"),
    "suspended": _("挂账"), "closed": _("结案"), "solved": _("已解决"),
}


def may_view(user) -> bool:
    return bool(roles_of(user) & VIEWER_ROLES)


# --- scope ---------------------------------------------------------------------------

def _region_ids(path: str) -> set[int]:
    return set(Region.objects.filter(path__startswith=path, depth__lte=GRID_DEPTH).values_list("pk", flat=True))


@dataclass
class RollupScope:
    """The rollup rows a user may read: the same rule as ``organisation.scope`` (a territory's
    region subtree, or the demands a unit's subtree handles), on the rows' region and unit."""

    everything: bool = False
    parts: list[tuple[set[int] | None, set[int] | None]] = field(default_factory=list)  # (regions, units)
    # Some part is finer than a community (a grid): the community-level trend rows cannot tell.
    finer_than_community: bool = False

    def q(self) -> Q:
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for regions, units in self.parts:
            part = Q()
            if regions is not None:
                part &= Q(region_id__in=regions)
            if units is not None:
                part &= Q(unit_id__in=units)
            q |= part
        return q

    def covers(self, region_id: int, unit_id: int) -> bool:
        return self.everything or any((regions is None or region_id in regions) and (units is None or unit_id in units)
                                      for regions, units in self.parts)


def scope_of(user) -> RollupScope:
    """The user's rollup scope, kept on the user object for the request (like the grants)."""
    cached = getattr(user, "_assessment_scope", None)
    if cached is None:
        cached = _scope_of(user)
        if user is not None:
            user._assessment_scope = cached
    return cached


def _depth(path: str) -> int:
    return path.count(".") - 1


def _scope_of(user) -> RollupScope:
    scope = RollupScope()
    every_region: set[int] | None = None
    for grant in grants_for(user):
        if grant.role not in VIEWER_ROLES:
            continue
        if grant.unit_path == "" or grant.region_path == "":
            return RollupScope(everything=True)
        if grant.region_path is not None:
            regions = _region_ids(grant.region_path)
            if every_region is None:
                every_region = set(Region.objects.filter(depth__lte=GRID_DEPTH).values_list("pk", flat=True))
            if regions == every_region:
                return RollupScope(everything=True)  # the whole district: every row, no filter to apply
            scope.parts.append((regions, None))
            scope.finer_than_community |= _depth(grant.region_path) > COMMUNITY_DEPTH
        if grant.unit_path is not None:
            units = set(Unit.objects.filter(path__startswith=grant.unit_path).values_list("pk", flat=True))
            narrowed = _region_ids(grant.narrowed_to) if grant.narrowed_to is not None else None
            scope.parts.append((narrowed, units))
            scope.finer_than_community |= grant.narrowed_to is not None and _depth(grant.narrowed_to) > COMMUNITY_DEPTH
    return scope


# --- periods -------------------------------------------------------------------------

def month_bounds(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def period_q(start: date, end: date, *, coarse: bool = False) -> Q:
    """Rows covering the days start..end: whole months from the monthly rows, the rest daily.
    ``coarse`` reads the community-level trend rows (same counters, a tenth of the rows)."""
    month_period, day_period = (Period.TREND_MONTH, Period.TREND_DAY) if coarse else (Period.MONTH, Period.DAY)
    q = Q(pk__in=[])
    month = start.replace(day=1)
    while month <= end:
        first, last = month_bounds(month)
        if start <= first and last <= end:
            q |= Q(period=month_period, day=first)
        else:
            q |= Q(period=day_period, day__gte=max(start, first), day__lte=min(end, last))
        month = last + timedelta(days=1)
    return q


# --- figures -------------------------------------------------------------------------

def _rate(numerator: Decimal | int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / denominator).quantize(Decimal("0.1"))


@dataclass
class Figures:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    def add(self, row: dict) -> None:
        for c in COUNTERS:
            self.counts[c] += row.get(c) or 0

    @property
    def solved(self) -> int:
        return self.counts["satisfied"] + self.counts["basically_satisfied"]

    @property
    def assigned(self) -> int:
        """Dispatches (and reopenings) less the duplicates merged away while a unit held them."""
        return self.counts["dispatched"] - self.counts["withdrawn"]

    @property
    def response(self) -> Decimal | None:
        return _rate(self.counts["responded_on_time"], self.counts["resolved"])

    @property
    def resolution(self) -> Decimal | None:
        return _rate(self.solved, self.counts["revisited"])

    @property
    def satisfaction(self) -> Decimal | None:
        weighted = self.counts["satisfied"] + BASICALLY_SATISFIED_WEIGHT * self.counts["basically_satisfied"]
        return _rate(weighted, self.counts["revisited"])

    @property
    def completion(self) -> Decimal | None:
        return _rate(self.counts["resolved"], self.assigned)

    @property
    def on_time(self) -> Decimal | None:
        return _rate(self.counts["resolved_on_time"], self.counts["resolved"])

    @property
    def composite(self) -> Decimal | None:
        parts = [self.response, self.resolution, self.satisfaction]
        if any(p is None for p in parts):
            return None
        return sum((COMPOSITE_WEIGHTS[k] * v for k, v in zip(COMPOSITE_WEIGHTS, parts, strict=True)),
                   Decimal(0)).quantize(Decimal("0.1"))

    def rates(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in RATES}


_SUMS = {c: Sum(c) for c in COUNTERS}


@dataclass(frozen=True)
class Filters:
    """Narrowing of a figure beyond the viewer's scope: a region's subtree, a unit, a category's subtree."""

    region: Region | None = None
    unit: Unit | None = None
    category: Category | None = None

    def q(self) -> Q:
        q = Q()
        if self.region is not None:
            q &= Q(region_id__in=_region_ids(self.region.path))
        if self.unit is not None:
            q &= Q(unit_id=self.unit.pk)
        if self.category is not None:
            q &= Q(category_id__in=Category.objects.filter(path__startswith=self.category.path).values("pk"))
        return q

    def covers(self, region_id: int, unit_id: int, category_id: int, *, region_ids=None, category_ids=None) -> bool:
        return ((self.region is None or region_id in region_ids) and (self.unit is None or unit_id == self.unit.pk)
                and (self.category is None or category_id in category_ids))


def _rows(user, start: date, end: date, filters: Filters | None = None, *, by_grid_or_category: bool = False):
    """The rollup rows behind a figure: the community-level trend rows when neither the
    viewer's scope, the filters nor the grouping (``by_grid_or_category``) need grids or
    categories, the detail rows otherwise."""
    scope = scope_of(user)
    coarse = not by_grid_or_category and _trend_rows_usable(scope, filters)
    qs = Rollup.objects.filter(period_q(start, end, coarse=coarse)).filter(scope.q())
    return qs.filter(filters.q()) if filters else qs


def figures(user, start: date, end: date, filters: Filters | None = None) -> Figures:
    """The figures of start..end (inclusive) over everything the user may see."""
    result = Figures()
    result.add(_rows(user, start, end, filters).aggregate(**_SUMS))
    return result


@dataclass
class TableRow:
    key: int
    label: str
    figures: Figures
    rank: int = 0


def _ancestor_at(path: str, depth: int) -> int | None:
    parts = [p for p in path.split(".") if p]
    return int(parts[depth]) if len(parts) > depth else None


REGION_LEVELS = {"street": 1, "community": 2, "grid": GRID_DEPTH}
TABLE_KINDS = ("street", "community", "grid", "unit", "category")


def table(user, start: date, end: date, by: str, filters: Filters | None = None) -> list[TableRow]:
    """The figures of start..end per street, community, grid, handling unit or top-level
    category, ranked by the composite score (then by volume)."""
    return _ranked(_rows(user, start, end, filters, by_grid_or_category=by in ("grid", "category")), by)


def _ranked(rollups, by: str) -> list[TableRow]:
    """The rollup rows grouped per street, community, grid, unit or top-level category, ranked."""
    column = {"unit": "unit_id", "category": "category_id"}.get(by, "region_id")
    grouped = rollups.values(column).annotate(**_SUMS).order_by()
    groups: dict[int, Figures] = defaultdict(Figures)
    if by in REGION_LEVELS:
        paths = dict(Region.objects.values_list("pk", "path"))
        for row in grouped:
            target = _ancestor_at(paths.get(row[column], ""), REGION_LEVELS[by])
            if target is not None:
                groups[target].add(row)
        names = dict(Region.objects.filter(pk__in=groups).values_list("pk", "name"))
    elif by == "category":
        paths = dict(Category.objects.values_list("pk", "path"))
        for row in grouped:
            groups[_ancestor_at(paths.get(row[column], ""), 0) or 0].add(row)
        names = {c.pk: str(c) for c in Category.objects.filter(pk__in=groups)}
        names[0] = str(_("未分类"))
    else:
        for row in grouped:
            groups[row[column]].add(row)
        names = dict(Unit.objects.filter(pk__in=groups).values_list("pk", "name"))
        names[0] = str(_("未派单"))
    rows = [TableRow(key, names.get(key, str(key)), f) for key, f in groups.items()]
    rows.sort(key=lambda r: (r.figures.composite is None, -(r.figures.composite or 0), -r.figures.registered,
                             r.label))
    for i, row in enumerate(rows, 1):
        row.rank = i
    return rows


# --- trends and the map --------------------------------------------------------------

TREND_COUNTERS = ("registered", "resolved", "revisited", "satisfied", "basically_satisfied")
_TREND_SUMS = {c: Sum(c) for c in TREND_COUNTERS}


def _trend_rows_usable(scope: RollupScope, filters: Filters | None) -> bool:
    """Whether the community-level trend rows answer for this scope and these filters."""
    if scope.finer_than_community:
        return False
    return filters is None or (filters.category is None and (filters.region is None
                                                             or filters.region.depth <= COMMUNITY_DEPTH))


def trends(user, end: date, filters: Filters | None = None) -> dict[str, list[tuple[str, Figures]]]:
    """The day, week and month curves up to ``end``; the day curve is cut from the week curve's
    days, so two queries answer all three."""
    weeks = trend(user, "week", end, filters, by_day=True)
    last_30 = end - timedelta(days=29)
    days = [(f"{d:%m-%d}", f) for d, f in weeks if d >= last_30]
    by_week: dict[str, Figures] = {}
    for d, f in weeks:
        by_week.setdefault(f"{d.isocalendar().year}-W{d.isocalendar().week:02d}", Figures()).add(f.counts)
    return {"day": days, "week": list(by_week.items()), "month": trend(user, "month", end, filters)}


def trend(user, granularity: str, end: date, filters: Filters | None = None, *,
          by_day: bool = False) -> list[tuple]:
    """Figures per day (last 30 days), ISO week (last 12 weeks) or month (last 12 months) up to
    ``end``: registrations, resolutions and revisits (enough for the satisfaction rate).
    ``by_day`` gives the days of the period (date, figures) instead of its labelled slots."""
    scope = scope_of(user)
    coarse = _trend_rows_usable(scope, filters)
    if granularity == "month":
        first = (end.replace(day=1) - timedelta(days=330)).replace(day=1)
        period = Period.TREND_MONTH if coarse else Period.MONTH
        label = lambda d: f"{d:%Y-%m}"  # noqa: E731
        slots = []
        month = first
        while month <= end:
            slots.append(label(month))
            month = month_bounds(month)[1] + timedelta(days=1)
    else:
        days = 30 if granularity == "day" else 7 * 12
        first = end - timedelta(days=days - 1)
        if granularity == "week":
            first -= timedelta(days=first.weekday())  # from a Monday
        period = Period.TREND_DAY if coarse else Period.DAY
        if by_day:
            label = lambda d: d  # noqa: E731
        elif granularity == "day":
            label = lambda d: f"{d:%m-%d}"  # noqa: E731
        else:
            label = lambda d: f"{d.isocalendar().year}-W{d.isocalendar().week:02d}"  # noqa: E731
        slots = list(dict.fromkeys(label(first + timedelta(days=i)) for i in range((end - first).days + 1)))
    qs = Rollup.objects.filter(period=period, day__gte=first, day__lte=end).filter(scope.q())
    if filters:
        qs = qs.filter(filters.q())
    result = {slot: Figures() for slot in slots}
    for row in qs.values("day").annotate(**_TREND_SUMS).order_by():
        slot = label(row["day"])
        if slot in result:
            result[slot].add(row)
    return list(result.items())


def per_day(user, start: date, end: date, filters: Filters | None = None) -> dict[date, Figures]:
    """Figures of every day of start..end (days without events have empty figures)."""
    result = {start + timedelta(days=i): Figures() for i in range((end - start).days + 1)}
    qs = Rollup.objects.filter(period=Period.DAY, day__gte=start, day__lte=end).filter(scope_of(user).q())
    if filters:
        qs = qs.filter(filters.q())
    for row in qs.values("day").annotate(**_SUMS).order_by():
        result[row["day"]].add(row)
    return result


def grid_counts(user, start: date, end: date, filters: Filters | None = None) -> dict[str, int]:
    """Demands registered per grid code in start..end (for the heat map)."""
    grids = dict(Region.objects.filter(kind=Region.Kind.GRID).values_list("pk", "code"))
    counts: dict[str, int] = {}
    rows = _rows(user, start, end, filters, by_grid_or_category=True).filter(region_id__in=grids)
    for row in rows.values("region_id").annotate(n=Sum("registered")).order_by():
        if row["n"]:
            counts[grids[row["region_id"]]] = row["n"]
    return counts
