"""The rollups follow every transition and every bulk import, in their transactions."""

from django.dispatch import receiver

from minsheng.demands.signals import demand_transitioned, demands_imported

from . import rollups
from .counters import before_from


@receiver(demand_transitioned, dispatch_uid="assessment.rollups")
def _on_transition(sender, demand, event, before=None, **kwargs) -> None:
    rollups.record_event(before_from(before), demand, event)


@receiver(demands_imported, dispatch_uid="assessment.rollups.batch")
def _on_import(sender, demands, events, **kwargs) -> None:
    rollups.record_batch(events)
