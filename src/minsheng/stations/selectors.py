"""Reads of the stations: lists scoped to the user, the 8-minute circle, a case's six steps,
an agent's record book and the yearly ranking."""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.demands.selectors import DUE_SOON
from minsheng.demands.workflow import HANDLING_STATES, OPEN_STATES, Channel, Satisfaction, State
from minsheng.organisation.models import Region
from minsheng.organisation.scope import demand_filter, grants_for

from .circle import StationIndex
from .hours import is_open
from .models import Agent, Station, StationCase

# --- scoping -------------------------------------------------------------------------

def station_filter(user) -> Q:
    """The stations a user may see: those in the territory or under the unit of any grant."""
    q = Q(pk__in=[])
    for g in grants_for(user):
        if g.unit_path == "" or g.region_path == "":
            return Q(pk__isnull=False)
        if g.region_path is not None:
            q |= Q(unit__region__path__startswith=g.narrowed_to or g.region_path)
        if g.unit_path is not None:
            q |= Q(unit__path__startswith=g.unit_path)
    return q


def stations_for(user) -> QuerySet[Station]:
    return Station.objects.filter(station_filter(user), unit__active=True).select_related("unit", "unit__region")


def station_of(user) -> Station | None:
    """The station an agent works in (their first station membership)."""
    unit_ids = [g.unit_id for g in grants_for(user) if g.role == "station_agent"]
    return Station.objects.select_related("unit").filter(unit_id__in=unit_ids).order_by("unit__path").first()


def agent_queue(user, now: datetime | None = None) -> QuerySet[Demand]:
    """Open station cases waiting for the station: not yet given a way (registered, or verified
    without one), or taken on by the station itself and not held by another agent (unless overdue).
    A case reported up (上报联办) waits for the street and the unit it goes to, not the agent, and
    leaves this list.  Overdue first, then due within a day, vulnerable residents first within each,
    then the promise and the longest waiting (the order of ``demands.selectors.queue_for``)."""
    now = now or clock.now()
    units = [g.unit_path for g in grants_for(user) if g.unit_path is not None]
    station_work = Q(pk__in=[])
    for path in units:
        station_work |= Q(handling_unit__path__startswith=path)
    waiting = (Q(state__in=[State.REGISTERED, State.PENDING_DISPATCH], station_case__way="")
               | (Q(state__in=HANDLING_STATES) & station_work
                  & (Q(assignee__isnull=True) | Q(assignee=user.pk) | Q(handle_due__lt=now))))
    running = Q(state__in=[State.DISPATCHED, State.IN_PROGRESS])
    due_rank = Case(When(running & Q(handle_due__lt=now), then=Value(0)),
                    When(running & Q(handle_due__lt=now + DUE_SOON), then=Value(1)), default=Value(2))
    return (Demand.objects.filter(demand_filter(user, scope="territory"), channel=Channel.STATION,
                                  station_case__isnull=False, state__in=OPEN_STATES)
            .filter(waiting)
            .select_related("station_case__station__unit", "station_case__service_item", "reporter")
            .annotate(due_rank=due_rank)
            .order_by("due_rank", "-vulnerable", F("handle_due").asc(nulls_last=True), "registered_at", "pk"))


# --- the 8-minute circle -----------------------------------------------------------------

def walk_speed() -> float:
    return float(settings.MINSHENG_WALK_METRES_PER_MINUTE)


def circle_minutes() -> float:
    return float(settings.MINSHENG_SERVICE_CIRCLE_MINUTES)


def station_index(stations: QuerySet[Station] | None = None) -> tuple[StationIndex, dict[int, list]]:
    """The stations' k-d tree and each station's opening hours (plain values: no model objects
    for a thousand stations when five are shown)."""
    qs = stations if stations is not None else Station.objects.filter(unit__active=True)
    rows = list(qs.values_list("pk", Cast("latitude", FloatField()), Cast("longitude", FloatField()), "hours"))
    index = StationIndex.build([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    return index, {r[0]: r[3] for r in rows}


@dataclass
class NearbyStation:
    station: Station
    metres: float
    minutes: float
    open_now: bool


def nearest_stations(latitude: float, longitude: float, *, at: datetime | None = None, count: int = 5,
                     open_only: bool = True, speed: float | None = None) -> list[NearbyStation]:
    """The nearest stations to a point (straight-line distance), open at ``at`` unless
    ``open_only`` is off, with the walking time at ``speed`` metres per minute."""
    at, speed = at or clock.now(), speed or walk_speed()
    index, hours = station_index()
    chosen: list[tuple[int, float, bool]] = []
    # Closed stations are skipped, so ask the tree for more than needed, then for all if short.
    for k in (count * 4, len(hours)):
        chosen = []
        for pk, metres in index.nearest(latitude, longitude, k):
            open_now = is_open(hours[pk], at)
            if open_only and not open_now:
                continue
            chosen.append((pk, metres, open_now))
            if len(chosen) == count:
                break
        if len(chosen) == count:
            break
    by_id = Station.objects.select_related("unit").in_bulk([pk for pk, _m, _o in chosen])
    return [NearbyStation(by_id[pk], metres, metres / speed, open_now) for pk, metres, open_now in chosen]


@dataclass
class UncoveredBuilding:
    building: Region
    metres: float  # to the nearest station (inf when there is none)
    minutes: float
    nearest: Station | None
    place: str = ""  # the building's full name (street, community, grid, building)


@dataclass
class Coverage:
    buildings: int
    covered: int
    limit_minutes: float
    speed: float
    uncovered: list[UncoveredBuilding] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.covered / self.buildings if self.buildings else 1.0


def coverage(region: Region | None = None, *, speed: float | None = None, minutes: float | None = None,
             stations: QuerySet[Station] | None = None) -> Coverage:
    """Which buildings (under ``region``) lie farther than ``minutes`` of walking at ``speed`` from
    every station; farthest first."""
    speed, minutes = speed or walk_speed(), minutes or circle_minutes()
    index, _hours = station_index(stations)
    qs = Region.objects.filter(kind=Region.Kind.BUILDING, latitude__isnull=False, longitude__isnull=False)
    if region is not None:
        qs = qs.filter(path__startswith=region.path)
    # As floats from the database: converting 50,000 pairs of decimals would cost more than the geometry.
    rows = list(qs.values_list("pk", Cast("latitude", FloatField()), Cast("longitude", FloatField())))
    lats = [r[1] for r in rows]
    lngs = [r[2] for r in rows]
    metres, nearest = index.distance_to_nearest(lats, lngs)
    limit = speed * minutes
    order = np.argsort(-metres, kind="stable")
    far = [int(i) for i in order[metres[order] > limit]]
    buildings = Region.objects.in_bulk([rows[i][0] for i in far])
    by_id = Station.objects.select_related("unit").in_bulk({int(nearest[i]) for i in far if nearest[i] >= 0})
    # Full names from one query for all the ancestors, not one per building.
    ancestor_ids = {int(p) for b in buildings.values() for p in b.path.split(".") if p}
    names = dict(Region.objects.filter(pk__in=ancestor_ids)
                 .exclude(kind__in=[Region.Kind.DISTRICT, *Region.UPPER_KINDS]).values_list("pk", "name"))

    def place(b: Region) -> str:
        return "".join(names.get(int(p), "") for p in b.path.split(".") if p)

    uncovered = [UncoveredBuilding(buildings[rows[i][0]], float(metres[i]), float(metres[i] / speed),
                                   by_id.get(int(nearest[i])), place(buildings[rows[i][0]])) for i in far]
    return Coverage(buildings=len(rows), covered=len(rows) - len(far), limit_minutes=minutes, speed=speed,
                    uncovered=uncovered)


# --- a case's six steps ---------------------------------------------------------------

STEPS = [("accept", _("受理")), ("verify", _("核实")), ("inform", _("告知")), ("report", _("上报")),
         ("handle", _("代办")), ("feedback", _("反馈"))]
# Which events complete which step.
_STEP_EVENTS = {
    "accept": {"register"},
    "verify": {"verify", "resolve_on_spot"},
    "inform": {"station_undertake", "station_report", "resolve_on_spot"},
    "report": {"station_report"},
    "handle": {"station_undertake", "accept", "resolve_on_spot"},
    "feedback": {"resolve", "resolve_on_spot"},
}


@dataclass
class Step:
    code: str
    label: str
    at: datetime | None
    skipped: bool  # not needed in the way chosen (上报 outside 上报联办)

    @property
    def done(self) -> bool:
        return self.at is not None


def case_steps(demand: Demand) -> list[Step]:
    """受理 → 核实 → 告知 → 上报 → 代办 → 反馈, each with the time of the event that completed it."""
    events = list(demand.events.order_by("seq").values_list("action", "created_at"))
    ways = {a for a, _ in events} & {"station_undertake", "resolve_on_spot", "station_report"}
    steps = []
    for code, label in STEPS:
        at = next((t for a, t in events if a in _STEP_EVENTS[code]), None)
        skipped = code == "report" and at is None and bool(ways) and "station_report" not in ways
        steps.append(Step(code, str(label), at, skipped))
    return steps


# --- the record book --------------------------------------------------------------------

def record_book(agent: Agent, year: int) -> list[StationCase]:
    """Every case the agent handled in ``year`` (by the day it was taken in), oldest first."""
    return list(StationCase.objects.filter(agent=agent, taken_at__year=year)
                .select_related("demand", "demand__reporter", "service_item", "station__unit")
                .order_by("taken_at", "pk"))


def agents_for(user) -> QuerySet[Agent]:
    return (Agent.objects.filter(station__in=stations_for(user))
            .select_related("resident", "station__unit", "party_member").prefetch_related("skill_teams"))


# --- the yearly ranking -------------------------------------------------------------------

# Weights of the score (out of 100): volume and mediation relative to the year's best station.
WEIGHTS = {"cases": 40, "timeliness": 25, "satisfaction": 25, "disputes": 10}


@dataclass
class RankingRow:
    station: Station
    cases: int = 0
    resolved: int = 0
    timely: int = 0
    rated: int = 0
    satisfied: int = 0
    disputes: int = 0
    # Mediation cases (minsheng.mediation) the station's agents settled by agreement in the year.
    mediated: int = 0
    score: float = 0.0
    rank: int = 0

    @property
    def timeliness(self) -> float:
        return self.timely / self.resolved if self.resolved else 0.0

    @property
    def satisfaction(self) -> float:
        return self.satisfied / self.rated if self.rated else 0.0


def yearly_ranking(year: int, stations: QuerySet[Station] | None = None) -> list[RankingRow]:
    """Every station's year: cases taken in, the share resolved in time (立接立办 always; otherwise by
    the deadline the case had), the share of satisfied ratings, disputes mediated (station cases of a
    mediation item resolved, and mediation cases its agents settled by agreement); ranked by score."""
    stations = stations if stations is not None else Station.objects.filter(unit__active=True)
    rows = {s.pk: RankingRow(s) for s in stations.select_related("unit")}
    cases = (StationCase.objects.filter(taken_at__year=year, station_id__in=rows)
             .values_list("station_id", "way", "service_item__mediation", "demand__resolved_at",
                          "demand__handle_due", "demand__satisfaction"))
    good = {Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED}
    for station_id, way, mediation, resolved_at, due, satisfaction in cases:
        row = rows[station_id]
        row.cases += 1
        if resolved_at is not None:
            row.resolved += 1
            row.timely += way == "on_spot" or due is None or resolved_at <= due
            row.disputes += bool(mediation)
        if satisfaction:
            row.rated += 1
            row.satisfied += satisfaction in good
    from minsheng.mediation.selectors import settled_by_unit

    settled = settled_by_unit(year, [r.station.unit_id for r in rows.values()])
    for r in rows.values():
        r.mediated = settled.get(r.station.unit_id, 0)
    # Disputes mediated: the station cases of a mediation item resolved and the mediation cases settled.
    top_cases = max((r.cases for r in rows.values()), default=0) or 1
    top_disputes = max((r.disputes + r.mediated for r in rows.values()), default=0) or 1
    for r in rows.values():
        r.score = (WEIGHTS["cases"] * r.cases / top_cases + WEIGHTS["timeliness"] * r.timeliness
                   + WEIGHTS["satisfaction"] * r.satisfaction
                   + WEIGHTS["disputes"] * (r.disputes + r.mediated) / top_disputes)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, -r.cases, r.station.unit.path))
    for i, r in enumerate(ranked, start=1):
        r.rank = i
    return ranked


def awards_of(year: int):
    from .models import Award

    return Award.objects.filter(year=year).select_related("station__unit")
