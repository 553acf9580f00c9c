"""Fold a demand's events into its current state.

The services apply each new event with ``apply_event`` to the stored row, and
``verify_events`` replays all events from an empty demand with the same function, so
the stored row and the rebuilt one can only differ if something bypassed the services.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from minsheng.organisation.roles import STAFF_ROLES

from .models import Demand, DemandEvent

# Who can be a demand's first receiver: staff acting for their unit (not residents, volunteers or
# the system's own rules).
RECEIVING_ROLES = frozenset(STAFF_ROLES)

# Every field the events determine; verify_events compares exactly these.
PROJECTED_FIELDS = [
    "number", "kind", "channel", "demand_type_id", "category_id", "title", "description", "address", "latitude",
    "longitude", "region_id", "reporter_id", "hide_name", "consent", "publish_consent", "vulnerable", "urgency_id",
    "parent_id", "registered_by_id", "state", "version", "handling_unit_id", "assignee_id", "contact_due", "handle_due",
    "contacted_at", "pending_request", "suspended_at", "escalation_level", "extension_count", "reopen_count",
    "result", "satisfaction", "solved", "close_reason", "merged_into_id", "registered_at", "dispatched_at",
    "accepted_at", "resolved_at", "closed_at", "updated_at", "first_receiver_unit_id", "first_receiver_id",
    "assigned_team",
]

# Fields the register event carries verbatim.
REGISTERED_FIELDS = [
    "number", "channel", "demand_type_id", "category_id", "title", "description", "address", "region_id",
    "reporter_id", "hide_name", "consent", "vulnerable", "urgency_id", "parent_id", "registered_by_id",
]


# Other apps' actions (``services.register_actions``): what each changes, or None for nothing.
EXTRA_PROJECTIONS: dict[str, Callable[[Demand, DemandEvent], None] | None] = {}


def encode_datetime(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _dec(value: str | None) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


def _set_deadlines(d: Demand, p: dict[str, Any]) -> None:
    d.contact_due = _dt(p["contact_due"])
    d.handle_due = _dt(p["handle_due"])


def apply_event(d: Demand, e: DemandEvent) -> None:
    """Apply one event to ``d`` in place (``d`` is empty for a ``register`` event)."""
    p, at = e.payload, e.created_at
    match e.action:
        case "register":
            for field in REGISTERED_FIELDS:
                setattr(d, field, p.get(field))
            d.latitude, d.longitude = _dec(p.get("latitude")), _dec(p.get("longitude"))
            d.kind = p.get("kind", "demand")  # carried only for kinds other than a plain demand
            d.publish_consent = bool(p.get("publish_consent"))  # carried only when given
            d.registered_at = at
        case "verify":
            if p.get("category_id"):
                d.category_id = p["category_id"]
        case "reject_invalid":
            d.close_reason, d.closed_at = p["reason"], at
        case "resolve_on_spot":
            d.handling_unit_id, d.assignee_id = p["unit_id"], e.actor_id
            d.result, d.resolved_at = p["result"], at
        case "dispatch":
            d.handling_unit_id, d.urgency_id, d.assignee_id = p["unit_id"], p["urgency_id"], None
            if p.get("category_id"):
                d.category_id = p["category_id"]
            _set_deadlines(d, p)
            d.dispatched_at, d.accepted_at, d.pending_request = at, None, None
        case "answer_directly":
            d.handling_unit_id, d.assignee_id = p["unit_id"], e.actor_id
            d.result, d.resolved_at, d.closed_at = p["result"], at, at
        case "refer_to_expert":
            d.handling_unit_id, d.urgency_id, d.assignee_id = p["unit_id"], p["urgency_id"], None
            _set_deadlines(d, p)
            d.dispatched_at, d.accepted_at, d.pending_request = at, None, None
        case "accept":
            d.accepted_at, d.assignee_id = at, e.actor_id
        case "return":
            d.handling_unit_id = d.assignee_id = None
            d.contact_due = d.handle_due = d.pending_request = None
        case "record_progress":
            if p.get("contact") and d.contacted_at is None:
                d.contacted_at = at
        case "request_extension":
            d.pending_request = {"kind": "extension", "until": p["until"], "reason": p["reason"]}
        case "approve_extension":
            d.handle_due = _dt(p["handle_due"])
            d.extension_count += 1
            d.pending_request = None
        case "request_suspension":
            d.pending_request = {"kind": "suspension", "reason": p["reason"]}
        case "approve_suspension":
            d.suspended_at, d.pending_request = at, None
        case "deny_extension" | "deny_suspension":
            d.pending_request = None
        case "resume":
            d.handle_due, d.suspended_at = _dt(p["handle_due"]), None
        case "escalate":
            d.handling_unit_id, d.assignee_id, d.pending_request = p["unit_id"], None, None
            d.escalation_level += 1
        case "resolve":
            d.result, d.resolved_at = p["result"], at
        case "revisit":
            d.satisfaction = p["satisfaction"]
            d.solved = p.get("solved", "")  # revisits recorded before the question was asked have none
        case "close":
            d.close_reason, d.closed_at = p.get("reason", ""), at
        case "reopen":
            # A new round of handling: its clock and its first contact start now.
            _set_deadlines(d, p)
            d.dispatched_at, d.contacted_at = at, None
            d.reopen_count += 1
            d.satisfaction = d.result = d.solved = ""
            d.resolved_at = d.accepted_at = d.assignee_id = None
        case "order_supervision" | "reply_supervision" | "summon" | "report_in" | "revisit_attempt":
            pass  # recorded in the history (and in the supervision app's tables), no projected field changes
        case "merge":
            d.merged_into_id, d.closed_at = p["target_id"], at
        case "supplement":
            pass  # the resident's words are the event's note, the photos its attachments
        case "withdraw":
            d.close_reason, d.closed_at = p.get("reason", ""), at
        case "external_update" | "join":
            pass  # history only: another system's note changes nothing here
        case _ if e.action in EXTRA_PROJECTIONS:
            project = EXTRA_PROJECTIONS[e.action]
            if project is not None:
                project(d, e)
        case _:
            raise ValueError(f"unknown demand event action {e.action!r}")
    d.state = e.to_state
    d.version = e.seq
    d.updated_at = at
    # 首问负责: the first staff member's unit to act on the demand receives it for good.
    if d.first_receiver_unit_id is None and e.actor_unit_id is not None and e.actor_role in RECEIVING_ROLES:
        d.first_receiver_unit_id, d.first_receiver_id = e.actor_unit_id, e.actor_id


def rebuild(events: list[DemandEvent]) -> Demand:
    """A new, unsaved Demand built from its events alone, in order."""
    d = Demand(escalation_level=0, extension_count=0, reopen_count=0, result="", satisfaction="",
               solved="", close_reason="", pending_request=None)
    for event in events:
        apply_event(d, event)
    return d


def differences(stored: Demand, rebuilt: Demand) -> list[str]:
    """Names of projected fields whose stored value differs from the rebuilt one."""
    return [f for f in PROJECTED_FIELDS if getattr(stored, f) != getattr(rebuilt, f)]
