"""``demand_transitioned`` is sent inside the transaction of every transition, after the
event is written, so that listeners (notifications, rollups) commit or roll back with it."""

from django.dispatch import Signal

demand_transitioned = Signal()  # kwargs: demand, event, before (projected fields before the event, or None)

# Sent once per batch by a bulk import (many demands registered in one transaction, without a
# ``demand_transitioned`` per event), inside that transaction, so that listeners such as the
# rollups update themselves in bulk.  ``demands`` and ``events`` are sequences (index, len,
# iteration) whose instances are built when first read; an event carries ``demand_id``.
# ``prepared``: what the receivers of ``demands_validated`` returned for the same import, by receiver.
demands_imported = Signal()  # kwargs: demands (Sequence[Demand]), events (Sequence[DemandEvent]), prepared (dict)

# Sent by a bulk import once its rows are valid, before its transaction, with the register
# payloads in the order of the events to come: a listener with costly work per row (the search
# index cuts the texts into words) may start it in another process while the demands are
# written, and return a handle; the import passes the answers on to ``demands_imported`` as
# ``prepared`` ({receiver: answer}).  Nothing is written yet, and the import may still fail.
demands_validated = Signal()  # kwargs: payloads (Sequence[dict])

# Sent once per batch of live registrations written together (``registrar.register_batch``: the
# API's group commit), inside their transaction and after ``demands_imported`` (which the rollups
# follow).  Listeners that act on a single demand's ``register`` transition for live intake (the
# duplicate index, the category suggestion, a wish's side row) do the same here for each demand:
# the batch must leave what ``register_demand`` leaves.  ``demands`` carry their region,
# category and reporter; ``events`` their ``demand_id``.
demands_registered = Signal()  # kwargs: demands (Sequence[Demand]), events (Sequence[DemandEvent])
