"""Reads for home care, every list scoped to the user's grants."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from minsheng.core import clock
from minsheng.demands.workflow import State
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.scope import grants_with_roles

from .access import APPROVERS, AUDITORS, STAFF, provider_of
from .contracts import SERVING
from .eligibility import due_for_review
from .models import CareTask, Elder, ProviderContract, QuotaException, ServiceRecord


def _paths(user, roles) -> list[str]:
    return [g.region_path for g in grants_with_roles(user, roles) if g.region_path is not None]


def _under(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def elders_for(user) -> QuerySet[Elder]:
    return Elder.objects.filter(_under(_paths(user, STAFF | AUDITORS), "community__path")).select_related(
        "resident", "community")


def communities_for_intake(user) -> QuerySet[Region]:
    """The communities in which the user takes applications."""
    return Region.objects.filter(_under(_paths(user, STAFF), "path"), kind=Region.Kind.COMMUNITY).order_by("path")


def reviews_due_for(user, until: date) -> QuerySet[Elder]:
    """Elders in the user's territory whose periodic review falls due by ``until``."""
    return elders_for(user).filter(pk__in=due_for_review(until)).order_by("next_review_on", "pk")


def exceptions_for(user) -> QuerySet[QuotaException]:
    return QuotaException.objects.filter(elder__in=elders_for(user)).select_related(
        "elder__resident", "elder__community", "requested_by", "approved_by")


def providers_for(user) -> QuerySet[Unit]:
    """Care providers whose contracts cover a community in the territory of the user's auditor or
    street-office grants, or whose own region lies in it."""
    regions = Region.objects.filter(_under(_paths(user, AUDITORS | APPROVERS), "path"))
    return Unit.objects.filter(Q(care_contracts__communities__in=regions) | Q(region__in=regions),
                               kind=Unit.Kind.CARE_PROVIDER).distinct().order_by("name")


def records_for(user) -> QuerySet[ServiceRecord]:
    """Auditors and staff: the records of elders in their territory; a worker: their provider's."""
    q = _under(_paths(user, STAFF | AUDITORS), "elder__community__path")
    provider = provider_of(user)
    if provider is not None:
        q |= Q(provider=provider)
    return ServiceRecord.objects.filter(q).select_related("elder__resident", "provider", "service", "worker")


def claimable_tasks(user) -> QuerySet[CareTask]:
    """Unclaimed tasks in the communities the worker's provider's contracts cover, for its services."""
    provider = provider_of(user)
    if provider is None:
        return CareTask.objects.none()
    today = clock.today()
    contracts = ProviderContract.objects.filter(provider=provider, status__in=SERVING, start__lte=today, end__gte=today)
    return CareTask.objects.filter(
        provider__isnull=True, demand__state__in=[State.REGISTERED, State.PENDING_DISPATCH, State.RETURNED],
        elder__community__in=contracts.values("communities"), service__in=contracts.values("services"),
    ).select_related("elder__resident", "elder__community", "service", "demand").distinct()


def my_tasks(user) -> QuerySet[CareTask]:
    provider = provider_of(user)
    if provider is None:
        return CareTask.objects.none()
    return CareTask.objects.filter(provider=provider, done=False,
                                   demand__state__in=[State.DISPATCHED, State.IN_PROGRESS]).select_related(
        "elder__resident", "elder__community", "service", "demand")


def elder_of_user(user) -> Elder | None:
    return Elder.objects.filter(resident__user=user).select_related("resident", "community").first() \
        if user.is_authenticated else None


def month_usage(elder: Elder, month: date) -> dict:
    from .quota import approved_extra, base_quota, used_hours

    return {"quota": base_quota(elder.pk, month), "extra": approved_extra(elder.pk, month),
            "used": used_hours(elder.pk, month).quantize(Decimal("0.01")),
            "approved": Decimal(elder.records.filter(month=month, status=ServiceRecord.Status.APPROVED).aggregate(
                s=Sum("hours"))["s"] or 0).quantize(Decimal("0.01"))}


def service_report(records: QuerySet[ServiceRecord], *, year: int | None = None) -> dict:
    """The figures the source publishes: elders served, approved hours, hours per elder."""
    approved = records.filter(status=ServiceRecord.Status.APPROVED)
    if year:
        approved = approved.filter(month__year=year)
    agg = approved.aggregate(elders=Count("elder", distinct=True), hours=Sum("hours"), amount=Sum("amount"))
    hours = Decimal(agg["hours"] or 0).quantize(Decimal("0.01"))
    return {"elders": agg["elders"], "hours": hours, "amount": Decimal(agg["amount"] or 0).quantize(Decimal("0.01")),
            "average": (hours / agg["elders"]).quantize(Decimal("0.1")) if agg["elders"] else Decimal(0)}
