"""Reads: volunteers, teams and activities in a user's territory; open activities for volunteers."""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.organisation.models import Region
from minsheng.organisation.scope import grants_with_roles, region_filter
from minsheng.people.models import Resident
from minsheng.people.services import log_phone_search, parse_phone_search

from .models import Activity, Team, Volunteer


def volunteers_visible_to(user) -> QuerySet[Volunteer]:
    return (Volunteer.objects.filter(region_filter(user)).select_related("resident__party_member", "region")
            .prefetch_related("teams"))


def teams_visible_to(user) -> QuerySet[Team]:
    return Team.objects.filter(region_filter(user)).select_related("region").annotate(size=Count("members"))


def activities_visible_to(user) -> QuerySet[Activity]:
    return Activity.objects.filter(region_filter(user)).select_related("region", "team").annotate(
        taken=Count("signups"))


def volunteer_of(user) -> Volunteer | None:
    """The registered volunteer behind an account (through its resident record), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.select_related("region__parent", "resident").filter(
        resident__user=user, active=True).first()


def open_activities_for(volunteer: Volunteer) -> QuerySet[Activity]:
    """Activities still taking sign-ups in the volunteer's street."""
    street = volunteer.region.parent or volunteer.region
    return (Activity.objects.filter(state=Activity.State.OPEN, starts_at__gt=clock.now(),
                                    region__path__startswith=street.path)
            .select_related("region").annotate(taken=Count("signups")).order_by("starts_at"))


# --- what an organiser picks from on the registration forms ---------------------------------

def organiser_paths(user) -> list[str]:
    """The region paths where ``user`` keeps volunteers (services.check_organiser's rule)."""
    from .services import ORGANISER_ROLES

    return [g.region_path for g in grants_with_roles(user, ORGANISER_ROLES) if g.region_path is not None]


def _under(paths: list[str], field: str = "path") -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def organiser_regions(user, kinds=(Region.Kind.STREET, Region.Kind.COMMUNITY)) -> QuerySet[Region]:
    """Streets and communities in the organiser's territory (also the street an organiser's
    territory is, as a street worker's own)."""
    return Region.objects.filter(_under(organiser_paths(user)), kind__in=kinds).order_by("path")


def residents_to_register(user, query: str, limit: int = 20) -> QuerySet[Resident]:
    """Residents of the organiser's area, not yet volunteers, matching a name, or a phone: the
    whole number or a name with its last four digits (people.services.parse_phone_search; a
    search by phone is logged, and part of a number alone is refused).  Nothing for an empty
    query, so that the registry is never listed wholesale."""
    query = (query or "").strip()
    if not query:
        return Resident.objects.none()
    area = Resident.objects.filter(_under(organiser_paths(user), "region__path"), volunteer__isnull=True)
    search = parse_phone_search(user, query)
    if search is None:
        match = Q(name__contains=query)
    else:
        match = (Q(phone=search.phone) if search.phone
                 else Q(name=search.name, phone__endswith=search.last_four))
        log_phone_search(user, search, area.filter(match)[:limit], _("登记志愿者时按电话查找居民"))
    return area.filter(match).select_related("region").order_by("name", "pk")[:limit]


def resident_to_register(user, pk) -> Resident | None:
    """One resident of the organiser's area (None otherwise).  One already on the registry is
    returned too, so that the service can say so rather than the form calling the choice invalid."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (Resident.objects.filter(_under(organiser_paths(user), "region__path"), pk=pk)
            .select_related("region").first())


def teams_within_reach(user) -> QuerySet[Team]:
    """Teams an organiser may put a volunteer, a new team or an activity in: those of their
    territory and those above it (a community's volunteers join their street's category teams)."""
    above: set[int] = set()
    for path in organiser_paths(user):
        above.update(int(p) for p in path.split(".") if p)
    return (Team.objects.filter(_under(organiser_paths(user), "region__path") | Q(region_id__in=above))
            .select_related("region").order_by("region__path", "kind", "name"))


def applications_visible_to(user) -> QuerySet:
    """Volunteer applications to the communities ``user`` keeps volunteers of (the organisers' rule)."""
    from .models import VolunteerApplication

    return (VolunteerApplication.objects.filter(_under(organiser_paths(user), "region__path"))
            .select_related("applicant", "recommender", "region", "decided_by"))


def applications_of(user) -> QuerySet:
    """The applications an account filed or is the applicant of (the resident's own page)."""
    from .models import VolunteerApplication

    return (VolunteerApplication.objects.filter(Q(submitted_by=user) | Q(applicant__user=user))
            .select_related("applicant", "recommender", "region").order_by("-created_at", "-pk"))


def served_figures(user) -> dict:
    """Across the activities of the user's territory: how many, the residents named as beneficiaries
    (each counted once) and the people served (服务人次, summed)."""
    activities = Activity.objects.filter(region_filter(user)).exclude(state=Activity.State.CANCELLED)
    served = activities.aggregate(n=Count("pk"), served=Sum("people_served"))
    named = Resident.objects.filter(activities_benefited__in=activities).distinct().count()
    return {"activities": served["n"], "people_served": served["served"] or 0, "beneficiaries": named}


def beneficiary_candidates(user, activity: Activity, query: str, limit: int = 20) -> list[Resident]:
    """Residents of the activity's area in the organiser's territory matching a name or a phone (the
    whole number or a name with its last four digits, logged); nothing for an empty query."""
    query = (query or "").strip()
    if not query:
        return []
    area = Resident.objects.filter(_under(organiser_paths(user), "region__path"),
                                   region__path__startswith=activity.region.path)
    search = parse_phone_search(user, query)
    if search is None:
        match = Q(name__contains=query)
    else:
        match = Q(phone=search.phone) if search.phone else Q(name=search.name, phone__endswith=search.last_four)
        log_phone_search(user, search, area.filter(match)[:limit], _("登记活动受益居民时按电话查找"))
    return list(area.filter(match).select_related("region").order_by("name", "pk")[:limit])
