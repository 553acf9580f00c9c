"""The index follows every transition and every bulk registration, in their transactions."""

from django.dispatch import receiver

from minsheng.demands.signals import demand_transitioned, demands_imported, demands_validated

from . import index


@receiver(demand_transitioned, dispatch_uid="search.index")
def _on_transition(sender, demand, event, before=None, **kwargs) -> None:
    index.on_transition(demand, event, before)


@receiver(demands_validated, dispatch_uid="search.index.prepare")
def _prepare_import(sender, payloads, **kwargs) -> index.Pending | None:
    return index.prepare_import(payloads)


@receiver(demands_imported, dispatch_uid="search.index.batch")
def _on_import(sender, demands, events, prepared=None, **kwargs) -> None:
    index.on_import(events, (prepared or {}).get(_prepare_import))
