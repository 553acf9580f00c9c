"""Every read of demands, already scoped to the viewer."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from minsheng.core.errors import NotFound
from minsheng.organisation.scope import demand_filter

from .models import Demand, DemandEvent


def demands_visible_to(user) -> QuerySet[Demand]:
    """The demands ``user`` may see; empty for a user with no role."""
    return Demand.objects.filter(demand_filter(user)).select_related(
        "region", "handling_unit", "demand_type", "category", "urgency", "reporter")


def get_demand_for(user, demand_id: int) -> Demand:
    """One demand, or NotFound when it does not exist or lies outside the user's scope
    (the two are indistinguishable on purpose)."""
    try:
        return demands_visible_to(user).get(pk=demand_id)
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("诉求不存在或不在你的管辖范围内。")) from None


def events_of(demand: Demand, *, public_only: bool = False) -> QuerySet[DemandEvent]:
    events = demand.events.select_related("actor", "actor_unit").order_by("seq")
    return events.filter(public=True) if public_only else events
