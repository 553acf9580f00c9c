"""What follows a demand's transitions, written by receivers of ``demand_transitioned``
inside the transition's transaction (so they commit with the event): the deadline watch the
sweeps read (``watch_deadline``), and the message to the unit that receives a demand
(dispatch, escalation, reopening)."""

from typing import Any

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.selectors import turns_yellow_at
from minsheng.demands.signals import demand_transitioned
from minsheng.demands.workflow import State
from minsheng.notifications.services import notify_users, staff_users_of_units
from minsheng.organisation.scope import may_see

from .models import DeadlineWatch


def demand_link(demand: Demand) -> str:
    return reverse("web:demand", args=[demand.pk])


def users_told_about(demand: Demand, unit_ids) -> list:
    """The staff of these units who may open the demand (a grid worker of another grid, a member
    narrowed to another region, is not told: the subject often names the resident)."""
    return [user for user in staff_users_of_units(unit_ids) if may_see(user, demand)]


def notify_units(demand: Demand, unit_ids, message: str, params: dict[str, Any], source: str) -> int:
    """Tell these units' staff who may open the demand (``message``: a key of notifications.catalogue)."""
    return notify_users(users_told_about(demand, unit_ids), message=message, params=params,
                        link=demand_link(demand), source=source)


RUNNING = frozenset({State.DISPATCHED, State.IN_PROGRESS})


def watch_deadline(demand: Demand) -> None:
    """Keep the demand's DeadlineWatch in step with its state and deadline."""
    if demand.state in RUNNING and demand.handle_due is not None:
        current = DeadlineWatch.objects.filter(demand=demand).values_list("handle_due", flat=True).first()
        if current != demand.handle_due:  # a new deadline (dispatch, extension, resume, reopening)
            DeadlineWatch.objects.update_or_create(demand=demand, defaults={
                "handle_due": demand.handle_due, "yellow_at": turns_yellow_at(demand)})
    else:
        DeadlineWatch.objects.filter(demand=demand).delete()


@receiver(demand_transitioned, dispatch_uid="supervision.watch_deadline")
def _watch_deadline(sender, demand: Demand, event: DemandEvent, **kwargs) -> None:
    if event.action != "register":  # a demand just registered has no deadline and no watch yet
        watch_deadline(demand)


@receiver(demand_transitioned, dispatch_uid="supervision.notify_receiving_unit")
def notify_receiving_unit(sender, demand: Demand, event: DemandEvent, **kwargs) -> None:
    if event.action not in ("dispatch", "escalate", "reopen", "refer_to_expert") or not demand.handling_unit_id:
        return
    due = demand.handle_due
    params = {"number": demand.number, "title": demand.title,
              "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}" if due else "—"}
    key = "demand.dispatch" if event.action == "refer_to_expert" else f"demand.{event.action}"
    notify_units(demand, [demand.handling_unit_id], key, params,
                 f"demand:{demand.pk}:{event.seq}")


@receiver(demand_transitioned, dispatch_uid="supervision.notify_supplement")
def notify_supplement(sender, demand: Demand, event: DemandEvent, **kwargs) -> None:
    """The resident added information or photos (我的诉求): the unit handling the demand is told."""
    if event.action != "supplement" or not demand.handling_unit_id:
        return
    photos = event.payload.get("photos") or 0
    params = {"number": demand.number, "title": demand.title, "note": event.note, "photos": photos}
    notify_units(demand, [demand.handling_unit_id],
                 "demand.supplement_with_photos" if photos else "demand.supplement", params,
                 f"demand:{demand.pk}:{event.seq}")


# The turns of a demand its first receiver hears of (首问负责), until it is closed.
FIRST_RECEIVER_TOLD_OF = frozenset({"dispatch", "return", "escalate", "resolve", "resolve_on_spot", "reject_invalid",
                                    "close", "reopen", "merge"})


@receiver(demand_transitioned, dispatch_uid="supervision.notify_first_receiver")
def notify_first_receiver(sender, demand: Demand, event: DemandEvent, before=None, **kwargs) -> None:
    """The first receiver hears of each turn it did not take itself: the person who took the
    demand in, or, when that account is gone, the staff of their unit who may see it."""
    unit_id = demand.first_receiver_unit_id
    if (event.action not in FIRST_RECEIVER_TOLD_OF or unit_id is None or event.actor_unit_id == unit_id
            or (before or {}).get("state") == State.CLOSED):
        return
    person = demand.first_receiver
    told = [person] if person is not None and person.is_active and may_see(person, demand) else \
        users_told_about(demand, [unit_id])
    notify_users(told, message="demand.first_received", params={
        "number": demand.number, "title": demand.title, "state": demand.state},
        link=demand_link(demand), source=f"first_received:{demand.pk}:{event.seq}")
