"""Messages that follow a demand's transitions: the unit that receives a demand (dispatch,
escalation, reopening) is told so.  Written by a receiver of ``demand_transitioned``, which
runs inside the transition's transaction, so the messages commit with the event."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.signals import demand_transitioned
from minsheng.notifications.services import notify_users, staff_users_of_units


def demand_link(demand: Demand) -> str:
    return reverse("web:demand", args=[demand.pk])


def notify_units(demand: Demand, unit_ids, subject: str, body: str, source: str) -> int:
    return notify_users(staff_users_of_units(unit_ids), subject=subject, body=body, link=demand_link(demand),
                        source=source)


@receiver(demand_transitioned, dispatch_uid="supervision.notify_receiving_unit")
def notify_receiving_unit(sender, demand: Demand, event: DemandEvent, **kwargs) -> None:
    if event.action not in ("dispatch", "escalate", "reopen") or not demand.handling_unit_id:
        return
    subject = {
        "dispatch": _("新派工单：%(number)s %(title)s"),
        "escalate": _("上报工单：%(number)s %(title)s"),
        "reopen": _("重办工单：%(number)s %(title)s"),
    }[event.action] % {"number": demand.number, "title": demand.title}
    due = demand.handle_due
    body = _("办理时限：%(due)s") % {"due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"} if due else ""
    notify_units(demand, [demand.handling_unit_id], subject, body, f"demand:{demand.pk}:{event.seq}")
