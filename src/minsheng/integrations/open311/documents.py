"""Minsheng's records as Open311 GeoReport v2 documents (services, service definitions,
service requests, and FixMyStreet's service request updates).

Status: ``open`` while a unit still owes work, ``closed`` once the demand is resolved,
closed, invalid or merged.  ``detailed_status`` (an extension) is our own state, in capitals.
Readers without an API key get a public view: the title instead of the full description,
the community-level place instead of the address, coordinates rounded to about 100 m.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from minsheng.catalogue.attributes import attributes_of
from minsheng.catalogue.models import Category
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.workflow import OPEN_STATES, State

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When these endpoints last changed shape (discovery's changeset).
CHANGESET = "2026-11-23T00:00:00+08:00"
CLOSED_STATES = frozenset(set(State) - OPEN_STATES)

# FixMyStreet's update statuses (its "additional states" extension), from our states.
UPDATE_STATUS = {
    State.REGISTERED: "OPEN", State.PENDING_DISPATCH: "OPEN", State.DISPATCHED: "ACTION_SCHEDULED",
    State.IN_PROGRESS: "IN_PROGRESS", State.RETURNED: "INVESTIGATING", State.ESCALATED: "INTERNAL_REFERRAL",
    State.SUSPENDED: "IN_PROGRESS", State.RESOLVED: "FIXED", State.REVISITED: "FIXED", State.CLOSED: "CLOSED",
    State.INVALID: "NO_FURTHER_ACTION", State.MERGED: "DUPLICATE",
}


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime in local time with its offset, e.g. 2026-11-23T09:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def status_of(state: str) -> str:
    return "open" if state in OPEN_STATES else "closed"


def service(category: Category, has_attributes: bool) -> dict[str, Any]:
    keywords = ",".join(category.keywords.split())
    return {
        "service_code": category.code, "service_name": str(category),
        "description": str(category.parent) + " / " + str(category) if category.parent_id else str(category),
        "metadata": has_attributes, "type": "realtime", "keywords": keywords,
        "group": str(category.parent) if category.parent_id else str(category),
    }


def service_definition(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": [
        {"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
         "datatype_description": a.datatype_description, "order": a.order,
         "description": a.localised_description(),
         "values": [{"key": v["key"], "name": v["name"]} for v in a.values]}
        for a in attributes_of(category)
    ]}


def _coordinate(value: Decimal | None, full: bool) -> float | None:
    if value is None:
        return None
    return float(value) if full else round(float(value), 3)


def _status_notes(demand: Demand) -> str:
    if demand.state == State.MERGED and demand.merged_into_id:
        return demand.merged_into.number
    if demand.state in (State.CLOSED, State.INVALID) and demand.close_reason:
        return demand.close_reason
    return demand.result if demand.state in (State.RESOLVED, State.REVISITED, State.CLOSED) else ""


def service_request(demand: Demand, registration: DemandEvent | None, *, full: bool) -> dict[str, Any]:
    """One request; ``full`` for an API key allowed to read (the whole text and address)."""
    media_url = (registration.payload.get("media_url") if registration else "") or None
    return {
        "service_request_id": demand.number,
        "status": status_of(demand.state),
        "detailed_status": demand.state.upper(),
        "status_notes": _status_notes(demand),
        "service_name": str(demand.category) if demand.category_id else None,
        "service_code": demand.category.code if demand.category_id else None,
        "description": demand.description if full else demand.title,
        "agency_responsible": demand.handling_unit.name if demand.handling_unit_id else None,
        "service_notice": None,
        "requested_datetime": w3c(demand.registered_at),
        "updated_datetime": w3c(demand.updated_at),
        "expected_datetime": w3c(demand.handle_due) if demand.state in OPEN_STATES else None,
        "address": (demand.address or demand.region.name) if full else demand.region.name,
        "address_id": demand.region.code,
        "zipcode": None,
        "lat": _coordinate(demand.latitude, full),
        "long": _coordinate(demand.longitude, full),
        "media_url": media_url,
    }


def update_id(event: DemandEvent) -> str:
    return f"{event.demand.number}-{event.seq}"


def service_request_update(event: DemandEvent) -> dict[str, Any]:
    return {
        "update_id": update_id(event),
        "service_request_id": event.demand.number,
        "status": UPDATE_STATUS[State(event.to_state)],
        "detailed_status": event.to_state.upper(),
        "updated_datetime": w3c(event.created_at),
        "description": event.note or event.action_label,
        "media_url": None,
    }


def discovery(base_url: str, contact: str) -> dict[str, Any]:
    endpoint = {"specification": SPECIFICATION, "url": base_url, "changeset": CHANGESET,
                "type": "production", "formats": ["text/xml", "application/json"]}
    return {"changeset": CHANGESET, "contact": contact, "key_service": contact, "endpoints": [endpoint]}
