"""What follows a transition of a wish, inside its transaction (demands.signals.demand_transitioned)."""

from minsheng.demands.workflow import Kind

from .models import Wish
from .services import credit_hours_on_close


def on_transition(sender, demand, event, **kwargs) -> None:
    if demand.kind != Kind.WISH:
        return
    if event.action == "register":
        # Whatever registered it (the wishes page, the intake, the API), a wish has its side row.
        Wish.objects.get_or_create(demand=demand)
    elif event.action == "close":
        credit_hours_on_close(demand)


def on_registered(sender, demands, events, **kwargs) -> None:
    """A batch of live registrations (demands.signals.demands_registered): each wish its side row."""
    for demand in demands:
        if demand.kind == Kind.WISH:
            Wish.objects.get_or_create(demand=demand)
