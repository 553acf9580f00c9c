"""Reads of mediation: the cases a user may see (the demand's scope), the follow-ups waiting for
them, and the counts per station, community and mediator."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from minsheng.demands.models import Demand
from minsheng.demands.workflow import Kind
from minsheng.organisation.models import Unit
from minsheng.organisation.scope import demand_filter, grants_with_roles

from .access import MEDIATORS, READERS
from .models import MediationCase, MediationFollowUp, Outcome


def cases_for(user, roles=READERS) -> QuerySet[MediationCase]:
    """The mediation cases whose demand the user may see through one of ``roles``."""
    demands = Demand.objects.filter(kind=Kind.MEDIATION).filter(demand_filter(user, roles))
    return (MediationCase.objects.filter(demand__in=demands)
            .select_related("demand", "demand__region", "community", "mediator_unit", "source"))


def may_mediate(user) -> bool:
    return bool(grants_with_roles(user, MEDIATORS))


def due_follow_ups_for(user, until: date) -> QuerySet[MediationFollowUp]:
    """The follow-up visits due by ``until`` on the open cases the user may act on (the mediator's
    queue): the cases' deadlines on the engine are the same dates."""
    return (MediationFollowUp.objects.filter(done_at__isnull=True, due_on__lte=until,
                                             case__in=cases_for(user, MEDIATORS).filter(demand__state="in_progress"))
            .select_related("case__demand").order_by("due_on", "pk"))


@dataclass
class FigureRow:
    """One station's, community's or mediator's mediation: cases, settled (an agreement), failed,
    the settlement rate over the concluded cases (0–100), and follow-ups made and kept."""

    label: str
    key: object = None
    cases: int = 0
    settled: int = 0
    failed: int = 0
    follow_ups: int = 0
    kept: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def concluded(self) -> int:
        return self.settled + self.failed

    @property
    def rate(self) -> float | None:
        """Settled as a percentage of the concluded cases; None while none is concluded."""
        return 100.0 * self.settled / self.concluded if self.concluded else None


def _rows(cases: QuerySet[MediationCase], key: str, label) -> list[FigureRow]:
    rows: dict[object, FigureRow] = {}
    counts = (cases.values(key).annotate(
        n=Count("pk", distinct=True),
        settled=Count("pk", filter=Q(outcome=Outcome.AGREEMENT), distinct=True),
        failed=Count("pk", filter=Q(outcome=Outcome.FAILED), distinct=True)).order_by())
    for c in counts:
        rows[c[key]] = FigureRow(label(c[key]), c[key], c["n"], c["settled"], c["failed"])
    visits = (MediationFollowUp.objects.filter(case__in=cases, done_at__isnull=False)
              .values(f"case__{key}").annotate(n=Count("pk"), kept=Count("pk", filter=Q(kept=True))).order_by())
    for v in visits:
        row = rows.get(v[f"case__{key}"])
        if row is not None:
            row.follow_ups, row.kept = v["n"], v["kept"]
    return sorted(rows.values(), key=lambda r: (-r.cases, r.label))


def figures(cases: QuerySet[MediationCase]) -> dict[str, list[FigureRow]]:
    """Counts per station (cases mediated by a station's agents), per community and per mediator."""
    units = {u.pk: u for u in Unit.objects.filter(pk__in=cases.values("mediator_unit_id"))}
    station_cases = cases.filter(mediator_unit__kind=Unit.Kind.STATION)
    from minsheng.organisation.models import Region
    communities = {r.pk: r.name for r in Region.objects.filter(pk__in=cases.values("community_id"))}
    names = dict(cases.values_list("mediator_name", "mediator_unit__name").distinct())
    return {
        "stations": _rows(station_cases, "mediator_unit_id", lambda pk: units[pk].name if pk in units else "—"),
        "communities": _rows(cases, "community_id", lambda pk: communities.get(pk, "—")),
        "mediators": _rows(cases, "mediator_name",
                           lambda name: gettext("%(name)s（%(note)s）") % {"name": name, "note": names.get(name, "")}),
    }


def settled_by_unit(year: int, unit_ids) -> dict[int, int]:
    """Cases settled by agreement in ``year`` per mediating unit (the station ranking's figure)."""
    return dict(MediationCase.objects.filter(mediator_unit_id__in=list(unit_ids), outcome=Outcome.AGREEMENT,
                                             concluded_at__year=year)
                .values_list("mediator_unit_id").annotate(n=Count("pk")).order_by())
