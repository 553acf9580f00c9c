"""Signal receivers: suggestions on registration, automatic dispatch after verification,
corrections after a person's dispatch."""

from django.dispatch import receiver

from minsheng.demands.signals import demand_transitioned, demands_registered

from .services import on_registered, on_transition


@receiver(demand_transitioned, dispatch_uid="minsheng.routing")
def _demand_transitioned(sender, demand, event, **kwargs) -> None:
    on_transition(demand, event)


@receiver(demands_registered, dispatch_uid="minsheng.routing.registered")
def _demands_registered(sender, demands, events, **kwargs) -> None:
    on_registered(demands)
