"""Reads of the care register: due and overdue visits per worker and per community."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from minsheng.grids.selectors import region_q
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role

from .models import CarePerson, CareVisit
from .services import CARERS

# Plans, health risks and addresses of people in difficulty are for those who care for them and
# their leaders, not for every role that holds the territory (agents, auditors, the hotline).
READERS = CARERS | {Role.LEADER}


def people_for(user) -> QuerySet[CarePerson]:
    """People in difficulty of the user's territory, and those the user answers for."""
    return (CarePerson.objects.filter(region_q(user, roles=READERS) | Q(responsible=user), active=True)
            .select_related("resident", "region", "responsible"))


def due_visits(user, today: date) -> QuerySet[CarePerson]:
    """The worker's list: visits overdue or due within MINSHENG_CARE_DUE_SOON_DAYS, most urgent first."""
    soon = today + timedelta(days=settings.MINSHENG_CARE_DUE_SOON_DAYS)
    return people_for(user).filter(next_visit_due__lte=soon).order_by("next_visit_due", "pk")


def overdue_visits(user, today: date) -> QuerySet[CarePerson]:
    return people_for(user).filter(next_visit_due__lt=today).order_by("next_visit_due", "pk")


def is_overdue(person: CarePerson, today: date) -> bool:
    return person.next_visit_due < today


@dataclass
class GridCare:
    grid: Region
    people: int
    high: int
    due: int
    overdue: int


def care_dashboard(user, today: date) -> list[GridCare]:
    """Per grid of the user's territory: people on the register, high-risk ones, visits due soon and overdue."""
    soon = today + timedelta(days=settings.MINSHENG_CARE_DUE_SOON_DAYS)
    rows = (CarePerson.objects.filter(region_q(user, roles=READERS), active=True).values("region_id")
            .annotate(people=Count("pk"), high=Count("pk", filter=Q(risk=CarePerson.Risk.HIGH)),
                      due=Count("pk", filter=Q(next_visit_due__gte=today, next_visit_due__lte=soon)),
                      overdue=Count("pk", filter=Q(next_visit_due__lt=today))))
    by_grid = {r["region_id"]: r for r in rows}
    grids = Region.objects.in_bulk(list(by_grid))
    return sorted((GridCare(grids[i], r["people"], r["high"], r["due"], r["overdue"]) for i, r in by_grid.items()),
                  key=lambda g: (-g.overdue, g.grid.path))


def visits_of(person: CarePerson) -> QuerySet[CareVisit]:
    return person.visits.select_related("visitor", "demand")
