"""What each event adds to the assessment counters: one pure function shared by the live
receivers, the bulk-import receiver, ``rebuild_rollups`` and the drill-down lists, so that
they can only agree.

The counters of an event go to the row of the event's day (Beijing time), the demand's region
folded to its grid, and the handling unit and category the demand has once the event is
applied.  Only cases of kind ``demand`` count (wishes and care tasks are not 诉求).
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.workflow import Kind, Satisfaction

GRID_DEPTH = 3  # district 0, street 1, community 2, grid 3 (buildings fold into their grid)
COMMUNITY_DEPTH = 2


@dataclass(frozen=True)
class Key:
    day: date
    region_id: int  # the grid (or the coarser region the demand was filed for)
    unit_id: int
    category_id: int
    community_id: int = 0  # the community of that grid, for the trend rows

    @property
    def month(self) -> date:
        return self.day.replace(day=1)


def fold_to_grid(region_id: int, path: str) -> int:
    """The grid a region lies in (the region itself when it is a grid or coarser)."""
    return fold_to(region_id, path, GRID_DEPTH)


def fold_to(region_id: int, path: str, depth: int) -> int:
    """The region at ``depth`` that ``region_id`` lies in (itself when it is that coarse or coarser)."""
    parts = [p for p in path.split(".") if p]
    return int(parts[depth]) if len(parts) > depth + 1 else region_id


def _resolution(demand: Demand, event: DemandEvent) -> dict[str, int]:
    """A handling round ends: was the resident contacted by the contact deadline, and was the
    demand resolved by the handling deadline (which suspensions and approved extensions moved)?"""
    if event.action == "resolve_on_spot":
        # Settled by the first receiver, face to face or on the phone, at once.
        return {"resolved": 1, "responded_on_time": 1, "resolved_on_time": 1}
    contacted = demand.contacted_at is not None and (demand.contact_due is None
                                                     or demand.contacted_at <= demand.contact_due)
    on_time = demand.handle_due is None or event.created_at <= demand.handle_due
    return {"resolved": 1, "responded_on_time": int(contacted), "resolved_on_time": int(on_time)}


def _revisit(demand: Demand, event: DemandEvent) -> dict[str, int]:
    answer = event.payload.get("satisfaction")
    counts = {"revisited": 1}
    if answer == Satisfaction.SATISFIED:
        counts["satisfied"] = 1
    elif answer == Satisfaction.BASICALLY_SATISFIED:
        counts["basically_satisfied"] = 1
    elif answer == Satisfaction.DISSATISFIED:
        counts["dissatisfied"] = 1
    return counts


def event_counters(demand: Demand, event: DemandEvent) -> dict[str, int]:
    """The counters ``event`` adds, given ``demand`` as it is once the event is applied."""
    if demand.kind != Kind.DEMAND:
        return {}
    match event.action:
        case "register":
            return {"registered": 1}
        case "reject_invalid":
            return {"invalid": 1}
        case "merge":
            # A duplicate merged while a unit held it leaves that unit's dispatches.
            return {"merged": 1, "withdrawn": int(demand.dispatched_at is not None and demand.resolved_at is None)}
        case "dispatch":
            return {"dispatched": 1}
        case "reopen":
            return {"dispatched": 1, "reopened": 1}
        case "resolve" | "resolve_on_spot":
            return _resolution(demand, event)
        case "revisit":
            return _revisit(demand, event)
        case "approve_suspension":
            return {"suspended": 1}
        case "close":
            return {"closed": 1}
    return {}


def event_key(demand: Demand, event: DemandEvent, grid_id: int, community_id: int) -> Key:
    return Key(timezone.localtime(event.created_at).date(), grid_id, demand.handling_unit_id or 0,
               demand.category_id or 0, community_id)
