"""Updates pushed to the residents of a demand: at receipt (its number and the tracking link), at
dispatch (which unit, by when), with each progress note staff mark as visible to the resident, and
at resolution (the result; the photos are on the tracking page); and when the demand leaves the
usual path: found invalid (判定无效, with the reason written for the resident), merged into
another demand about the same problem (合并, whose number it gives), or escalated to a higher
unit (上报: the unit's name, never the staff's internal reason).  The revisit link is sent by
``supervision.revisits``.

Each goes in-app to a resident who has an account and by SMS to their phone unless they opted out
(``SmsOptOut``).  The messages are written by receivers of the demand's transitions, inside the
transition's transaction, so a rolled-back step tells nobody.  They carry the demand's number, its
handling unit and what staff wrote for the resident — never another person's data: an anonymous
or hidden-name report gets its updates like any other, and a report (举报) names nobody to the
reporter.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.selectors import residents_following
from minsheng.demands.workflow import Kind
from minsheng.organisation.models import Unit
from minsheng.people.models import Resident

from .models import SmsOptOut
from .services import enqueue_many


def residents_to_update(demand: Demand) -> list[Resident]:
    """Who hears about this demand's progress: everyone who reported it, its reporter and the
    residents who joined it with "我也遇到"."""
    return residents_following(demand)


def tracking_path(demand: Demand) -> str:
    return f"{reverse('web:track')}?number={demand.number}"


def tracking_url(demand: Demand) -> str:
    return settings.MINSHENG_PUBLIC_URL.rstrip("/") + tracking_path(demand)


def _message(demand: Demand, event: DemandEvent) -> tuple[str, dict[str, Any]] | None:
    """The catalogue key and parameters of the update this event makes, or None."""
    params: dict[str, Any] = {"number": demand.number, "link": tracking_url(demand)}
    action = event.action
    if action == "register":
        return "demand.received", params
    if action in ("dispatch", "reopen", "refer_to_expert") and demand.handling_unit_id:
        due = demand.handle_due
        return "demand.dispatched", {**params, "unit": demand.handling_unit.name,
                                     "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}" if due else "—"}
    if action == "record_progress" and event.public:
        return "demand.progress", {**params, "note": event.note}
    if action == "reject_invalid":
        return "demand.invalid", {**params, "reason": event.payload.get("reason", "")}
    if action == "merge":
        return "demand.merged", {**params, "target": event.payload.get("target_number", "")}
    if action == "escalate":
        unit = Unit.objects.filter(pk=event.payload.get("unit_id")).values_list("name", flat=True).first()
        return ("demand.escalated", {**params, "unit": unit}) if unit else None
    if action in ("resolve", "resolve_on_spot"):
        photos = int(event.payload.get("photos") or 0)
        params["result"] = event.payload.get("result", "")
        if photos:
            return "demand.resolved_with_photos", {**params, "photos": photos}
        return "demand.resolved", params
    return None


def _rows(demand: Demand, event: DemandEvent, residents: list[Resident],
          opted_out: set[str]) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for resident in residents:
        common = {"link": tracking_path(demand), "source": f"update:{demand.pk}:{event.seq}"}
        if resident.user_id and resident.user.is_active:
            rows.append(("in_app", {"recipient": resident.user, **common}))
        if resident.phone and resident.phone not in opted_out:
            rows.append(("sms", {"address": resident.phone, **common}))
    return rows


def update_residents(demands_and_events: Sequence[tuple[Demand, DemandEvent]]) -> int:
    """Write the updates these events make for their demands' residents to the outbox (the
    opt-outs read in one query); the number of rows."""
    updates = [(demand, event, found) for demand, event in demands_and_events
               if demand.kind == Kind.DEMAND  # wishes and care tasks tell their people in their own words
               and (found := _message(demand, event)) is not None]
    if not updates:
        return 0
    told = {demand.pk: residents_to_update(demand) for demand, _event, _found in updates}
    phones = {r.phone for residents in told.values() for r in residents if r.phone}
    opted_out = set(SmsOptOut.objects.filter(phone__in=phones).values_list("phone", flat=True)) if phones else set()
    return sum(enqueue_many(key, params, _rows(demand, event, told[demand.pk], opted_out))
               for demand, event, (key, params) in updates)


def on_transition(sender, demand: Demand, event: DemandEvent, **kwargs) -> None:
    update_residents([(demand, event)])


def on_registered(sender, demands: Sequence[Demand], events: Sequence[DemandEvent], **kwargs) -> None:
    """A batch of live registrations (the API's group commit) gets its receipts like one."""
    by_demand = {event.demand_id: event for event in events}
    update_residents([(demand, by_demand[demand.pk]) for demand in demands])
