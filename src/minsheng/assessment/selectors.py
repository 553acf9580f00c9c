"""Assessment figures, read from the rollups only (never from the demands), scoped to the viewer.

The five rates and what counts in them are written out in docs/assessment.md and on the page
``/work/assessment/formulas/``; ``Figures`` below is their one implementation.
"""

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category
from minsheng.core import clock
from minsheng.organisation.levels import district_offset, level_of
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_for, roles_of

from .counters import COMMUNITY_DEPTH, GRID_DEPTH
from .models import COUNTERS, Period, Rollup
from .rules import DEFAULT, RuleView, rule_for

VIEWER_ROLES = frozenset({Role.LEADER, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.AUDITOR})

# Sets that are not a counter of their own: name → {counter: sign}.  A rate's failures are its
# denominator less its numerator, entry by entry (both are kept on the same rollup key).
DERIVED = {
    "satisfied_any": {"satisfied": 1, "basically_satisfied": 1},
    "not_returned": {"dispatched": 1, "returned": -1},
    "overdue": {"due": 1, "completed_on_time": -1},
    "not_contacted_on_time": {"contact_due": 1, "contacted_on_time": -1},
    "not_completed": {"due": 1, "completed": -1},
    "not_solved": {"revisited": 1, "solved": -1},
    "not_reopened": {"resolved": 1, "reopened": -1},
    "not_answered_directly": {"consultations": 1, "answered_directly": -1},
}

# Each rate: (numerator, denominator, failures): sets the drill-down lists show.
RATES = {
    "response": ("contacted_on_time", "contact_due", "not_contacted_on_time"),
    "resolution": ("solved", "revisited", "not_solved"),
    "satisfaction": ("satisfied_any", "revisited", "dissatisfied"),
    "completion": ("completed", "due", "not_completed"),
    "on_time": ("completed_on_time", "due", "overdue"),
}
# Further figures a 12345 centre reports, with the same shape; not in the composite score.
MORE_RATES = {
    "return_rate": ("returned", "dispatched", "not_returned"),
    "dispatch_accuracy": ("not_returned", "dispatched", "returned"),
    "reopen_rate": ("reopened", "resolved", "not_reopened"),
    "overdue_rate": ("overdue", "due", "completed_on_time"),
    "direct_answer": ("answered_directly", "consultations", "not_answered_directly"),
}
ALL_RATES = {**RATES, **MORE_RATES}
RATE_LABELS = {"response": _("响应率"), "resolution": _("解决率"), "satisfaction": _("满意率"),
               "completion": _("办结率"), "on_time": _("按期办结率"), "return_rate": _("退单率"),
               "dispatch_accuracy": _("派单准确率"), "reopen_rate": _("重办率"), "overdue_rate": _("超期率"),
               "direct_answer": _("直接答复率")}
COUNTER_LABELS = {
    "registered": _("受理量"), "invalid": _("无效诉求"), "merged": _("合并诉求"), "dispatched": _("派单量"),
    "resolved": _("办结量"), "on_spot": _("立接立办"), "suspended": _("挂账"), "closed": _("结案"),
    "returned": _("退单"), "reopened": _("重办"), "contact_due": _("应联系"), "contacted_on_time": _("按时联系"),
    "due": _("应办结"), "completed": _("已办结（截止日前）"), "completed_on_time": _("按期办结"),
    "revisited": _("回访量"), "solved": _("已解决"), "partly_solved": _("部分解决"), "unsolved": _("未解决"),
    "satisfied": _("满意"), "basically_satisfied": _("基本满意"), "dissatisfied": _("不满意"),
    "satisfied_any": _("满意与基本满意"), "not_returned": _("未退单"), "overdue": _("超期"),
    "not_contacted_on_time": _("未按时联系"), "not_completed": _("未办结"), "not_solved": _("未解决或部分解决"),
    "not_reopened": _("未重办"), "consultations": _("咨询量"), "answered_directly": _("直接答复"),
    "not_answered_directly": _("未直接答复的咨询"),
}
SETS = frozenset(COUNTERS) | frozenset(DERIVED)
# Sets on a deadline's day (counted for deadlines up to yesterday).
DEADLINE_SETS = frozenset({"contact_due", "contacted_on_time", "due", "completed", "completed_on_time", "overdue",
                           "not_contacted_on_time", "not_completed"})
# What an item of each set is, said on its list.
SET_NOTES = {
    "contact_due": _("联系时限在该时段内的办理轮次（每次派单或重办为一轮）。"),
    "contacted_on_time": _("联系时限在该时段内、且在时限前联系了居民（或已办结）的办理轮次。"),
    "not_contacted_on_time": _("联系时限在该时段内、未在时限前联系居民的办理轮次。"),
    "due": _("办理时限（含批准的延期与挂账顺延）在该时段内的办理轮次：应办结。"),
    "completed": _("应办结中，在时限所在月末（加规则的截止天数）前办结的。"),
    "completed_on_time": _("应办结中，在办理时限前办结的。"),
    "not_completed": _("应办结中，截止日前仍未办结的。"),
    "overdue": _("应办结中，未在办理时限前办结的：超期。"),
    "revisited": _("该时段内的回访（含居民自行评价）。"),
    "solved": _("回访中居民答复“已解决”的。"),
    "not_solved": _("回访中居民答复“部分解决”或“未解决”的。"),
    "satisfied_any": _("回访中居民答复“满意”或“基本满意”的。"),
    "dissatisfied": _("回访中居民答复“不满意”的。"),
    "dispatched": _("该时段内开始的办理轮次（派单与重办）。"),
    "returned": _("该时段内开始的办理轮次中被退单的。"),
    "not_returned": _("该时段内开始的办理轮次中未被退单的。"),
    "resolved": _("该时段内的办结（含立接立办）。"),
    "reopened": _("该时段内的办结中后来重办的。"),
    "not_reopened": _("该时段内的办结中未重办的。"),
    "consultations": _("该时段内登记的咨询类诉求。"),
    "answered_directly": _("该时段内登记的咨询中，受理时依据知识库直接答复并结案的。"),
    "not_answered_directly": _("该时段内登记的咨询中，未直接答复（派单办理或转专家座席）的。"),
}


def may_view(user) -> bool:
    return bool(roles_of(user) & VIEWER_ROLES)


# --- scope ---------------------------------------------------------------------------

def _region_ids(path: str) -> set[int]:
    return set(Region.objects.filter(path__startswith=path).exclude(kind=Region.Kind.BUILDING)
               .values_list("pk", flat=True))


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
    return level_of(path)


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
                every_region = set(Region.objects.exclude(kind=Region.Kind.BUILDING).values_list("pk", flat=True))
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
    """Counters of a period and the rates over them.  Every rate is a subset of a set divided by
    that set (``RATES``), so it lies between 0 and 100 %; with an empty set it is None ("—")."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    rule: RuleView = DEFAULT

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        if name in DERIVED:
            return sum(sign * counts.get(c, 0) for c, sign in DERIVED[name].items())
        raise AttributeError(name)

    def add(self, row: dict) -> None:
        for c in COUNTERS:
            self.counts[c] += row.get(c) or 0

    def count(self, name: str) -> int:
        """The size of a counter or derived set."""
        return getattr(self, name)

    @property
    def volume(self) -> int:
        """Demands handled in the period (dispatched, or resolved on the spot): what ranks need."""
        return self.counts["dispatched"] + self.counts["on_spot"]

    def rate(self, name: str) -> Decimal | None:
        numerator, denominator, _failures = ALL_RATES[name]
        return _rate(self.count(numerator), self.count(denominator))

    @property
    def response(self) -> Decimal | None:
        return self.rate("response")

    @property
    def resolution(self) -> Decimal | None:
        return self.rate("resolution")

    @property
    def satisfaction(self) -> Decimal | None:
        return self.rate("satisfaction")

    @property
    def completion(self) -> Decimal | None:
        return self.rate("completion")

    @property
    def on_time(self) -> Decimal | None:
        return self.rate("on_time")

    @property
    def composite(self) -> Decimal | None:
        """The rule's weighted sum of the three rates (None unless all three have a set)."""
        parts = {name: self.rate(name) for name in self.rule.weights}
        if any(v is None for v in parts.values()):
            return None
        return sum((self.rule.weights[k] * v for k, v in parts.items()), Decimal(0)).quantize(Decimal("0.1"))

    def rates(self) -> dict[str, Decimal | None]:
        return {name: self.rate(name) for name in RATES}

    def more_rates(self) -> dict[str, Decimal | None]:
        return {name: self.rate(name) for name in MORE_RATES}


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


# The sets on a deadline's day: a deadline still ahead cannot have been met or missed yet, so
# these count deadlines up to yesterday only (the rest of a running month joins day by day).
DEADLINE_COUNTERS = ("contact_due", "contacted_on_time", "due", "completed", "completed_on_time")
_OTHER_SUMS = {c: Sum(c) for c in COUNTERS if c not in DEADLINE_COUNTERS}
_DEADLINE_SUMS = {c: Sum(c) for c in DEADLINE_COUNTERS}


def deadline_end(end: date) -> date:
    """The last deadline day a period ending on ``end`` counts."""
    return min(end, clock.today() - timedelta(days=1))


def _sums(user, start: date, end: date, filters: Filters | None, *, column: str | None = None,
          by_grid_or_category: bool = False) -> dict:
    """Summed counters of start..end (per value of ``column`` when given): the deadline sets up to
    ``deadline_end``, everything else up to ``end``; two queries only while the period is running."""
    last_due = deadline_end(end)

    def query(upto: date, sums: dict):
        qs = _rows(user, start, upto, filters, by_grid_or_category=by_grid_or_category)
        if column is None:
            return {None: qs.aggregate(**sums)}
        return {row[column]: row for row in qs.values(column).annotate(**sums).order_by()}

    if last_due == end:
        return query(end, _SUMS)
    result = query(end, _OTHER_SUMS)
    if last_due >= start:
        for key, row in query(last_due, _DEADLINE_SUMS).items():
            result.setdefault(key, {}).update(row)
    return result


def figures(user, start: date, end: date, filters: Filters | None = None) -> Figures:
    """The figures of start..end (inclusive) over everything the user may see."""
    result = Figures(rule=rule_for(start))
    result.add(_sums(user, start, end, filters)[None])
    return result


@dataclass
class TableRow:
    key: int
    label: str
    figures: Figures
    rank: int = 0  # 0: not ranked (too few demands, or no composite score)


def _ancestor_at(path: str, depth: int) -> int | None:
    parts = [p for p in path.split(".") if p]
    depth += district_offset(path)
    return int(parts[depth]) if len(parts) > depth else None


REGION_LEVELS = {"district": 0, "street": 1, "community": 2, "grid": GRID_DEPTH}
TABLE_KINDS = ("district", "street", "community", "grid", "unit", "category")


def table(user, start: date, end: date, by: str, filters: Filters | None = None) -> list[TableRow]:
    """The figures of start..end per street, community, grid, handling unit or top-level
    category: those with at least the rule's minimum volume ranked by the composite score (ties
    by volume), the others after them, unranked."""
    return table_with_total(user, start, end, by, filters)[0]


def table_with_total(user, start: date, end: date, by: str, filters: Filters | None = None
                     ) -> tuple[list[TableRow], Figures]:
    """``table`` and the figures of start..end over everything the user may see, from the same
    query: every rollup row has a unit and a category (or none), so the unit and category tables'
    groups add up to the whole (the region tables leave out rows above their level)."""
    column = {"unit": "unit_id", "category": "category_id"}.get(by, "region_id")
    grouped = _sums(user, start, end, filters, column=column, by_grid_or_category=by in ("grid", "category"))
    total = Figures(rule=rule_for(start))
    for row in grouped.values():
        total.add(row)
    return _ranked(grouped, by, column, rule_for(start)), total


def _unit_labels(ids) -> dict[int, str]:
    """Unit names, with the parent's name where two units share one (光明街道 · 城管科)."""
    units = list(Unit.objects.filter(pk__in=ids).values_list("pk", "name", "parent__name", "region__name"))
    repeated = set(Unit.objects.filter(name__in={name for _pk, name, _p, _r in units}).values("name")
                   .annotate(n=Count("pk")).filter(n__gt=1).values_list("name", flat=True))
    return {pk: (f"{parent or region} · {name}" if name in repeated else name) for pk, name, parent, region in units}


def _ranked(grouped: dict, by: str, column: str, rule: RuleView) -> list[TableRow]:
    """The summed rows grouped per street, community, grid, unit or top-level category, ranked."""
    groups: dict[int, Figures] = defaultdict(lambda: Figures(rule=rule))
    if by in REGION_LEVELS:
        paths = dict(Region.objects.values_list("pk", "path"))
        for key, row in grouped.items():
            target = _ancestor_at(paths.get(key, ""), REGION_LEVELS[by])
            if target is not None:
                groups[target].add(row)
        names = dict(Region.objects.filter(pk__in=groups).values_list("pk", "name"))
    elif by == "category":
        paths = dict(Category.objects.values_list("pk", "path"))
        for key, row in grouped.items():
            groups[_ancestor_at(paths.get(key, ""), 0) or 0].add(row)
        names = {c.pk: str(c) for c in Category.objects.filter(pk__in=groups)}
        names[0] = str(_("未分类"))
    else:
        for key, row in grouped.items():
            groups[key].add(row)
        names = _unit_labels(groups)
        names[0] = str(_("未派单"))
    rows = [TableRow(key, names.get(key, str(key)), f) for key, f in groups.items()]
    ranked = [r for r in rows if r.figures.volume >= rule.min_volume and r.figures.composite is not None]
    ranked.sort(key=lambda r: (-r.figures.composite, -r.figures.volume, r.label))
    for i, row in enumerate(ranked, 1):
        row.rank = i
    rest = sorted((r for r in rows if not r.rank), key=lambda r: (-r.figures.volume, r.label))
    return ranked + rest


# --- trends and the map --------------------------------------------------------------

TREND_COUNTERS = ("registered", "resolved", "revisited", "satisfied", "basically_satisfied")
_TREND_SUMS = {c: Sum(c) for c in TREND_COUNTERS}


def _trend_rows_usable(scope: RollupScope, filters: Filters | None) -> bool:
    """Whether the community-level trend rows answer for this scope and these filters."""
    if scope.finer_than_community:
        return False
    return filters is None or (filters.category is None and (filters.region is None
                                                             or level_of(filters.region.path) <= COMMUNITY_DEPTH))


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
    """The trend counters (``TREND_COUNTERS``: registered, resolved, …) of every day of start..end
    (days without events have empty figures), from the community-level trend rows where they answer."""
    result = {start + timedelta(days=i): Figures() for i in range((end - start).days + 1)}
    scope = scope_of(user)
    period = Period.TREND_DAY if _trend_rows_usable(scope, filters) else Period.DAY
    qs = Rollup.objects.filter(period=period, day__gte=start, day__lte=end).filter(scope.q())
    if filters:
        qs = qs.filter(filters.q())
    for row in qs.values("day").annotate(**_TREND_SUMS).order_by():
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
