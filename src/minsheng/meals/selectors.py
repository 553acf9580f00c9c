"""Reads of meal assistance, each scoped through organisation.scope.region_filter: a user sees the
canteens, diners, meals and deliveries of their own territory, nothing else."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from minsheng.demands.workflow import State
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import region_filter

from .access import READERS
from .models import Canteen, Delivery, Diner, Meal, SafetyCheck


def canteens_for(user) -> QuerySet[Canteen]:
    return Canteen.objects.filter(region_filter(user, "region", READERS)).select_related("region")


def diners_for(user) -> QuerySet[Diner]:
    return Diner.objects.filter(region_filter(user, "canteen__region", READERS)).select_related(
        "resident", "canteen")


def meals_for(user) -> QuerySet[Meal]:
    return Meal.objects.filter(region_filter(user, "canteen__region", READERS))


def safety_checks_for(user) -> QuerySet[SafetyCheck]:
    return SafetyCheck.objects.filter(region_filter(user, "canteen__region", READERS)).select_related(
        "canteen", "checked_by").prefetch_related("photos")


def daily_counts(user, day: date) -> list[dict]:
    """Per canteen of the user's territory: meals served and booked on ``day``, by sitting and way."""
    served = Q(status=Meal.Status.SERVED)
    rows = (meals_for(user).filter(day=day).exclude(status=Meal.Status.VOID)
            .values("canteen_id", "canteen__name")
            .annotate(served=Count("pk", filter=served), booked=Count("pk", filter=Q(status=Meal.Status.BOOKED)),
                      counter=Count("pk", filter=served & Q(way=Meal.Way.COUNTER)),
                      delivered=Count("pk", filter=served & Q(way=Meal.Way.DELIVERY)),
                      lunch=Count("pk", filter=served & Q(sitting="lunch")))
            .order_by("canteen__name"))
    by_id = {r["canteen_id"]: r for r in rows}
    return [{"canteen": c, **by_id.get(c.pk, {"served": 0, "booked": 0, "counter": 0, "delivered": 0, "lunch": 0})}
            for c in canteens_for(user).filter(active=True)]


def claimable_deliveries(user) -> QuerySet[Delivery]:
    """Deliveries waiting for a volunteer in the territory the volunteer's role covers."""
    return (Delivery.objects.filter(region_filter(user, "demand__region", {Role.VOLUNTEER}),
                                    demand__state=State.REGISTERED)
            .select_related("demand", "meal__canteen", "meal__diner__resident").order_by("meal__day", "pk"))


def my_deliveries(user) -> QuerySet[Delivery]:
    return (Delivery.objects.filter(volunteer__resident__user=user)
            .select_related("demand", "meal__canteen", "meal__diner__resident").order_by("-meal__day", "-pk"))


def deliveries_for(user) -> QuerySet[Delivery]:
    return (Delivery.objects.filter(region_filter(user, "meal__canteen__region", READERS))
            .select_related("demand", "meal__canteen", "meal__diner__resident", "volunteer__resident")
            .order_by("-meal__day", "-pk"))
