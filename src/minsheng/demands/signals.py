"""``demand_transitioned`` is sent inside the transaction of every transition, after the
event is written, so that listeners (notifications, rollups) commit or roll back with it."""

from django.dispatch import Signal

demand_transitioned = Signal()  # kwargs: demand, event
