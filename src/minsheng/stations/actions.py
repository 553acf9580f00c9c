"""The station's own rows of the demand workflow (added from ``StationsConfig.ready``).

- ``station_undertake`` (告知 → 代办): the station takes the case on itself, 限时代办 with a promised
  time or 指引协办 with the resident; the case is then in progress with the station as its handling
  unit, the promise as its deadline (so the sweeps flag it when late) and the agent as assignee.
- ``station_report`` (上报联办): the station reports a verified case up for joint handling; the case
  stays waiting for dispatch and the street dispatches it through the engine.

立接立办 is the engine's own ``resolve_on_spot`` row.  The two rows apply only to station cases: plain
demands that came in on the station channel with their ``StationCase`` (``kinds``, ``channels`` and
``condition`` of the row, so they are neither offered nor allowed on any other case)."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core import clock
from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.projection import encode_datetime
from minsheng.demands.services import perform_transition, require_text
from minsheng.demands.workflow import Channel, Kind, State, _t
from minsheng.organisation.roles import Role

UNDERTAKE, REPORT = "station_undertake", "station_report"
_AGENTS = {Role.STATION_AGENT, Role.ADMINISTRATOR}


def _has_station_case(demand: Demand) -> bool:
    return hasattr(demand, "station_case")


def _station_case(demand: Demand, grant) -> None:
    if grant.unit_id is None:
        raise PermissionDenied(_("代办需要以所在代办站的身份办理。"))


def undertake(actor, demand_id: int, version: int, *, way: str, promised_at: datetime | None = None,
              note: str = "") -> Demand:
    """限时代办 (``promised_at`` required, in the future) or 指引协办 (``promised_at`` optional: the
    appointment with the resident)."""
    if way not in ("timed", "guided"):
        raise ValidationFailed.for_field("way", _("请选择限时代办或指引协办。"))
    if promised_at is not None and (not isinstance(promised_at, datetime) or timezone.is_naive(promised_at)):
        raise ValidationFailed.for_field("promised_at", _("请填写承诺办结时间。"))
    if way == "timed" and promised_at is None:
        raise ValidationFailed.for_field("promised_at", _("限时代办须承诺办结时间。"))
    if promised_at is not None and promised_at <= clock.now():
        raise ValidationFailed.for_field("promised_at", _("承诺办结时间必须晚于现在。"))
    note = require_text(note, "note", _("告知居民的内容"))

    def build(demand: Demand, grant) -> dict[str, Any]:
        _station_case(demand, grant)
        return {"way": way, "unit_id": grant.unit_id,
                "promised_at": encode_datetime(timezone.localtime(promised_at)) if promised_at else None}

    return perform_transition(actor, demand_id, version, UNDERTAKE, build, note)


def report(actor, demand_id: int, version: int, *, reason: str) -> Demand:
    """上报联办: the case needs other units; it waits for the street's dispatch."""
    reason = require_text(reason, "reason", _("上报原因"))

    def build(demand: Demand, grant) -> dict[str, Any]:
        _station_case(demand, grant)
        return {"way": "joint", "unit_id": grant.unit_id}

    return perform_transition(actor, demand_id, version, REPORT, build, reason)


def _project_undertake(demand: Demand, event: DemandEvent) -> None:
    p = event.payload
    demand.handling_unit_id, demand.assignee_id = p["unit_id"], event.actor_id
    demand.accepted_at = event.created_at
    demand.contacted_at = demand.contacted_at or event.created_at  # the resident is told in person
    demand.handle_due = datetime.fromisoformat(p["promised_at"]) if p.get("promised_at") else None


# Station cases only: a plain demand taken in at a station (channel and side table).
_STATION_CASES = {"kinds": {Kind.DEMAND}, "channels": {Channel.STATION}, "condition": _has_station_case}
UNDERTAKE_ROW = _t(UNDERTAKE, gettext_lazy("代办承诺"), [State.REGISTERED, State.PENDING_DISPATCH], State.IN_PROGRESS,
                   _AGENTS, public=True, **_STATION_CASES)
# A registered case is verified first by the station's service, in the same transaction.
REPORT_ROW = _t(REPORT, gettext_lazy("上报联办"), [State.PENDING_DISPATCH], None, _AGENTS, public=True,
                **_STATION_CASES)
PROJECTIONS = {UNDERTAKE: _project_undertake, REPORT: None}
