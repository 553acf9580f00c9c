"""Reads for the supervision pages, scoped like every demand read."""

from django.db.models import Exists, OuterRef, QuerySet

from minsheng.demands.models import Demand
from minsheng.organisation.scope import demand_filter

from .models import SummonedUnit, SupervisionOrder


def _visible(user) -> Exists:
    # Orders and summons are few beside the demands: each one's demand is checked by its key
    # (an "IN (visible demands)" would list every demand in scope first: 16 s at a million).
    return Exists(Demand.objects.filter(demand_filter(user), pk=OuterRef("demand_id")))


def supervision_orders_for(user) -> QuerySet[SupervisionOrder]:
    """Supervision orders on demands ``user`` may see: open ones first, by reply date."""
    return (SupervisionOrder.objects.filter(_visible(user))
            .select_related("demand", "unit", "ordered_by").order_by("replied_at", "reply_due"))


def summoned_units_for(user) -> QuerySet[SummonedUnit]:
    """Every summoned department's report on demands ``user`` may see, newest summons first."""
    return (SummonedUnit.objects.filter(_visible(user))
            .select_related("demand", "unit", "summons", "summons__unit")
            .order_by("-summons__created_at", "report_due", "pk"))


def open_supervision(demand: Demand) -> QuerySet[SupervisionOrder]:
    return demand.supervision_orders.filter(replied_at__isnull=True)


def summoned_units_of(demand: Demand) -> QuerySet[SummonedUnit]:
    return SummonedUnit.objects.filter(demand=demand).select_related("unit").order_by("report_due", "pk")
