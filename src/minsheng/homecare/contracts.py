"""Providers' contracts: which provider may serve which elder with which service on which day."""

from datetime import date

from django.db.models import QuerySet

from minsheng.organisation.models import Region, Unit

from .models import CareService, ProviderContract

SERVING = (ProviderContract.Status.ACTIVE, ProviderContract.Status.RECTIFY)


def contracts_serving(community: Region, service: CareService, day: date) -> QuerySet[ProviderContract]:
    """Contracts in force on ``day`` that cover the community and offer the service."""
    return ProviderContract.objects.filter(
        status__in=SERVING, start__lte=day, end__gte=day, provider__active=True,
        communities=community, services=service).select_related("provider")


def eligible_providers(community: Region, service: CareService, day: date) -> list[Unit]:
    return list({c.provider_id: c.provider for c in contracts_serving(community, service, day)}.values())


def contract_reason(provider: Unit, community: Region, service: CareService, day: date) -> str | None:
    """Why ``provider`` may not serve there and then, or None when it may (the most specific reason)."""
    from django.utils.translation import gettext as _

    contracts = ProviderContract.objects.filter(provider=provider)
    if not contracts.exists():
        return _("%(provider)s 没有服务合同。") % {"provider": provider.name}
    if not contracts.filter(start__lte=day, end__gte=day).exists():
        return _("%(day)s 不在 %(provider)s 的合同期内。") % {"day": day, "provider": provider.name}
    in_force = contracts.filter(start__lte=day, end__gte=day)
    if not in_force.filter(status__in=SERVING).exists():
        return _("%(provider)s 已被停止服务。") % {"provider": provider.name}
    if not in_force.filter(communities=community).exists():
        return _("%(community)s 不在 %(provider)s 合同的服务社区内。") % {
            "community": community.name, "provider": provider.name}
    if not in_force.filter(status__in=SERVING, communities=community, services=service).exists():
        return _("%(provider)s 的合同不含“%(service)s”服务。") % {"provider": provider.name, "service": service.name}
    return None
