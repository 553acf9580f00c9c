"""Minsheng's records as Open311 GeoReport v2 documents (services, service definitions,
service requests, and FixMyStreet's service request updates).

Status: ``open`` while a unit still owes work, ``closed`` once the demand is resolved,
closed, invalid or merged.  ``detailed_status`` (an extension) is our own state, in capitals.
Readers without an API key get a public view with nothing a resident wrote: the service's
name instead of the description, no status notes, step names instead of notes, the community
(never the grid or building) instead of the address, coordinates rounded to about 1 km.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from minsheng.catalogue.attributes import attributes_of
from minsheng.catalogue.models import Category, localised
from minsheng.demands.workflow import OPEN_STATES, State, action_label

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
    return float(value) if full else round(float(value), 2)


def _status_notes(row: dict[str, Any]) -> str:
    state = row["state"]
    if state == State.MERGED and row["merged_into__number"]:
        return row["merged_into__number"]
    if state in (State.CLOSED, State.INVALID) and row["close_reason"]:
        return row["close_reason"]
    return row["result"] if state in (State.RESOLVED, State.REVISITED, State.CLOSED) else ""


def service_request(row: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """One request from a row of ``selectors.request_rows``; ``full`` for an API key allowed to
    read (the whole text and the address)."""
    state = row["state"]
    service_name = localised(row["category__name"], row["category__name_en"]) if row["category__code"] else None
    return {
        "service_request_id": row["number"],
        "status": status_of(state),
        "detailed_status": state.upper(),
        "status_notes": _status_notes(row) if full else "",
        "service_name": service_name,
        "service_code": row["category__code"],
        "description": row["description"] if full else (service_name or ""),
        "agency_responsible": row["handling_unit__name"],
        "service_notice": None,
        "requested_datetime": w3c(row["registered_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": w3c(row["handle_due"]) if state in OPEN_STATES else None,
        "address": (row["address"] or row["region__name"]) if full else row["region__name"],
        "address_id": row["region__code"],
        "zipcode": None,
        "lat": _coordinate(row["latitude"], full),
        "long": _coordinate(row["longitude"], full),
        # What the submitter attached is theirs: only a key allowed to read sees it.
        "media_url": (row["media_url"] or None) if full else None,
    }


def update_id(number: str, seq: int) -> str:
    return f"{number}-{seq}"


def service_request_update(row: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """One step from a row of ``selectors.update_rows``; the public view names the step
    instead of quoting its note."""
    return {
        "update_id": update_id(row["demand__number"], row["seq"]),
        "service_request_id": row["demand__number"],
        "status": UPDATE_STATUS[State(row["to_state"])],
        "detailed_status": row["to_state"].upper(),
        "updated_datetime": w3c(row["created_at"]),
        "description": (row["note"] if full else "") or action_label(row["action"]),
        "media_url": None,
    }


def discovery(base_url: str, contact: str) -> dict[str, Any]:
    endpoint = {"specification": SPECIFICATION, "url": base_url, "changeset": CHANGESET,
                "type": "production", "formats": ["text/xml", "application/json"]}
    return {"changeset": CHANGESET, "contact": contact, "key_service": contact, "endpoints": [endpoint]}
