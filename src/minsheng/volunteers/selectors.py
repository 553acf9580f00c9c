"""Reads: volunteers, teams and activities in a user's territory; open activities for volunteers."""

from django.db.models import Count, Q, QuerySet

from minsheng.core import clock
from minsheng.organisation.scope import grants_for

from .models import Activity, Team, Volunteer


def _region_q(user, field: str = "region") -> Q:
    q = Q(pk__in=[])
    for g in grants_for(user):
        if g.region_path is not None:
            q |= Q(**{f"{field}__path__startswith": g.region_path})
    return q


def volunteers_visible_to(user) -> QuerySet[Volunteer]:
    return (Volunteer.objects.filter(_region_q(user)).select_related("resident__party_member", "region")
            .prefetch_related("teams"))


def teams_visible_to(user) -> QuerySet[Team]:
    return Team.objects.filter(_region_q(user)).select_related("region").annotate(size=Count("members"))


def activities_visible_to(user) -> QuerySet[Activity]:
    return Activity.objects.filter(_region_q(user)).select_related("region", "team").annotate(
        taken=Count("signups"))


def open_activities_for(volunteer: Volunteer) -> QuerySet[Activity]:
    """Activities still taking sign-ups in the volunteer's street."""
    street = volunteer.region.parent or volunteer.region
    return (Activity.objects.filter(state=Activity.State.OPEN, starts_at__gt=clock.now(),
                                    region__path__startswith=street.path)
            .select_related("region").annotate(taken=Count("signups")).order_by("starts_at"))
