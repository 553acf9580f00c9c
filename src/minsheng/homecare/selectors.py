"""Reads for home care, every list scoped to the user's grants."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands.workflow import State
from minsheng.organisation.scope import grants_with_roles

from .access import AUDITORS, STAFF, provider_of
from .contracts import SERVING
from .models import CareTask, Elder, ProviderContract, ServiceRecord


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
    today = timezone.localdate(clock.now())
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
