"""Reads: scoped lists, a project's colour and evaluations, the yearly list's quota, a meeting's
open items (read live from the demands, projects and list items they became), the public board."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from minsheng.demands.workflow import OPEN_STATES, Satisfaction
from minsheng.organisation.models import Region
from minsheng.organisation.roles import STAFF_ROLES
from minsheng.organisation.scope import region_filter
from minsheng.party.models import PartyOrganisation

from .models import CollectedNeed, Collection, Decision, Evaluation, Meeting, PracticalThing, SecretaryProject
from .status import Colour, Status, colour_of, project_status

# --- scope -------------------------------------------------------------------------------

def region_q(user, field: str = "region") -> Q:
    """Rows whose ``field`` region (a Region itself when ``field`` is empty) lies in the territory
    of one of the user's staff grants.  Volunteers and residents hold grants in a community too, but
    meetings, minutes and collected needs are the staff's working papers, not theirs."""
    return region_filter(user, field, STAFF_ROLES)


def regions_in_scope(user, kinds: Iterable[str]) -> QuerySet[Region]:
    return Region.objects.filter(region_q(user, ""), kind__in=list(kinds)).order_by("path")


def organisations_in_scope(user) -> QuerySet[PartyOrganisation]:
    """The party organisations in the user's territory, as a picker offers them (number and name:
    a city has hundreds)."""
    return PartyOrganisation.objects.filter(region_q(user)).only("pk", "name")


def projects_visible_to(user) -> QuerySet[SecretaryProject]:
    q = region_q(user)
    if getattr(user, "is_authenticated", False):
        q |= Q(owner__user=user)  # a secretary always sees their own projects
    return (SecretaryProject.objects.filter(q).select_related("owner__resident", "organisation", "region")
            .prefetch_related("milestones"))


def project_years(user) -> list[tuple[int, int]]:
    """(year, projects) for every year holding projects the user may see, latest first: the list
    opens on this year, and a secretary whose projects are for next year (claimed in December)
    would otherwise find an empty page and no sign of them."""
    rows = (projects_visible_to(user).prefetch_related(None).order_by().values("year").annotate(n=Count("id"))
            .order_by("-year"))
    return [(row["year"], row["n"]) for row in rows]


def collections_visible_to(user) -> QuerySet[Collection]:
    # Each need names what it became (a demand's number, a project's or list item's title).
    needs = CollectedNeed.objects.select_related("demand", "project", "list_item")
    return Collection.objects.filter(region_q(user)).select_related("region").prefetch_related(
        Prefetch("needs", queryset=needs))


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(region_q(user)).select_related("region")


def visible_project_ids(user, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` whose project ``user`` may open (for a page that links to several)."""
    return set(projects_visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def visible_meeting_ids(user, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` whose meeting ``user`` may open (for a page that links to several)."""
    return set(meetings_visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def practical_things_visible_to(user) -> QuerySet[PracticalThing]:
    return PracticalThing.objects.filter(region_q(user)).select_related("region", "organisation")


@dataclass(frozen=True)
class CollectionStats:
    visits: int
    households: int
    needs: int
    became: dict[str, int]  # CollectedNeed.Became value → count

    def became_labelled(self) -> list[tuple[str, int]]:
        return [(label, self.became.get(value, 0)) for value, label in CollectedNeed.Became.choices]


def collection_stats(user, year: int) -> CollectionStats:
    """The year's door-to-door figures in the user's scope: visits, households, needs and what they became."""
    collections = Collection.objects.filter(region_q(user), held_on__year=year)
    totals = collections.aggregate(n=Count("pk"), households=Sum("households"))
    needs = CollectedNeed.objects.filter(collection__in=collections)
    became = dict(needs.exclude(became="").values_list("became").annotate(n=Count("pk")).order_by())
    return CollectionStats(totals["n"], totals["households"] or 0, needs.count(), became)


# --- secretary projects ------------------------------------------------------------------

def status_of(project: SecretaryProject, today: date) -> Status:
    return project_status(project.deadline, project.milestones.all(), today)


def with_colours(projects, today: date) -> list[SecretaryProject]:
    """The projects with ``status`` and ``colour`` set (milestones prefetched by the caller)."""
    projects = list(projects)
    for p in projects:
        p.status = status_of(p, today)
        p.colour = colour_of(p.status)
    return projects


@dataclass(frozen=True)
class EvaluationSummary:
    assessment: float | None  # mean score of 考核评
    report: float | None  # mean score of 述职评
    residents_rated: int
    residents_satisfied: int  # satisfied or basically satisfied, as demands count them

    @property
    def satisfaction_rate(self) -> float | None:
        """Residents' satisfaction rate: (满意 + 基本满意) / rated, as for demands."""
        return self.residents_satisfied / self.residents_rated if self.residents_rated else None


SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def evaluation_summary(project: SecretaryProject) -> EvaluationSummary:
    rows = list(project.evaluations.values_list("kind", "score", "satisfaction"))

    def mean(kind: str) -> float | None:
        scores = [s for k, s, _ in rows if k == kind and s is not None]
        return sum(scores) / len(scores) if scores else None

    residents = [s for k, _, s in rows if k == Evaluation.Kind.RESIDENTS]
    return EvaluationSummary(mean(Evaluation.Kind.ASSESSMENT), mean(Evaluation.Kind.REPORT), len(residents),
                             sum(1 for s in residents if s in SATISFIED))


def secretaries_below_minimum(user, year: int, minimum: int) -> list[tuple[PartyOrganisation, int]]:
    """Organisations in the user's scope whose secretary has fewer than ``minimum`` projects in ``year``."""
    orgs = (PartyOrganisation.objects.filter(region_q(user), secretary__isnull=False)
            .annotate(n=Count("secretary_projects", filter=Q(secretary_projects__year=year))))
    return [(o, o.n) for o in orgs if o.n < minimum]


# --- the yearly list and the quota -------------------------------------------------------

def practical_things_done(organisation_ids: list[int], year: int) -> dict[int, int]:
    """The quota source: list items ticked off in ``year``, per responsible organisation."""
    rows = (PracticalThing.objects.filter(organisation_id__in=organisation_ids, done_on__year=year)
            .values_list("organisation_id").annotate(n=Count("pk")).order_by())
    return dict(rows)


# --- meetings ----------------------------------------------------------------------------

def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The last meeting of the same series (same community, same format) before this one."""
    return (Meeting.objects.filter(region=meeting.region, kind=meeting.kind)
            .filter(Q(held_on__lt=meeting.held_on) | Q(held_on=meeting.held_on, pk__lt=meeting.pk))
            .order_by("-held_on", "-pk").first())


def decision_state(decision: Decision, today: date) -> tuple[bool, str]:
    """(still open, what the linked thing says now), read from the thing itself."""
    if decision.became == Decision.Became.DEMAND:
        demand = decision.demand
        return demand.state in OPEN_STATES, f"{demand.number} {demand.get_state_display()}"
    if decision.became == Decision.Became.PROJECT:
        status = status_of(decision.project, today)
        return status != Status.DONE, f"{decision.project.name} {status.label}"
    item = decision.list_item
    if item.done_on is None:
        return True, _("%(title)s 未完成") % {"title": item.title}
    return False, _("%(title)s 已于%(day)s完成") % {"title": item.title, "day": f"{item.done_on:%Y-%m-%d}"}


def with_states(decisions, today: date) -> list[Decision]:
    decisions = list(decisions)
    for d in decisions:
        d.is_open, d.state_label = decision_state(d, today)
    return decisions


def decisions_of(meeting: Meeting) -> QuerySet[Decision]:
    return meeting.decisions.select_related("demand", "project", "list_item").prefetch_related(
        "project__milestones")


def open_items_carried_into(meeting: Meeting, today: date) -> list[Decision]:
    """The meeting opens with the decisions of earlier meetings of its series that are still open."""
    earlier = (Decision.objects.filter(meeting__region=meeting.region, meeting__kind=meeting.kind)
               .filter(Q(meeting__held_on__lt=meeting.held_on)
                       | Q(meeting__held_on=meeting.held_on, meeting__pk__lt=meeting.pk))
               .select_related("meeting", "demand", "project", "list_item").prefetch_related("project__milestones")
               .order_by("meeting__held_on", "pk"))
    return [d for d in with_states(earlier, today) if d.is_open]


# --- the public board --------------------------------------------------------------------

@dataclass
class Board:
    community: Region
    year: int
    projects: list[SecretaryProject]
    practical_things: list[PracticalThing]
    counts: dict[Colour, int]
    generated: date


def community_board(community: Region, year: int, today: date) -> Board:
    """What a community shows the public: its projects with colour, its list of practical things.
    Only names of projects, owners' names and titles, dates, measures and colours — no contacts."""
    projects = with_colours(SecretaryProject.objects.filter(region__path__startswith=community.path, year=year)
                            .select_related("owner__resident").prefetch_related("milestones")
                            .order_by("deadline", "pk"), today)
    things = list(PracticalThing.objects.filter(region__path__startswith=community.path, year=year,
                                                list_kind=PracticalThing.ListKind.COMMUNITY).order_by("due", "pk"))
    counts = {c: sum(1 for p in projects if p.colour == c) for c in Colour}
    return Board(community, year, projects, things, counts, today)
