"""What each event adds to the assessment counters: one pure function shared by the live
receivers, the bulk-import receiver, ``rebuild_rollups`` and the drill-down lists, so that
they can only agree.

Two kinds of counter (docs/assessment.md has the whole text):

- **volumes** (受理量, 派单量, 办结量 …) go to the day the event happened;
- **cohorts**, the sets every rate is computed over, go to the day that defines the set, and
  their numerators to the same row as their denominator, so that no rate can pass 100 %:

  ======================  ==============================  ========================================
  rate                    denominator (its day)           numerator (added to the same row)
  ======================  ==============================  ========================================
  响应率                  ``contact_due``: a round of     ``contacted_on_time``: contacted (or
                          handling, on its contact        resolved) by that deadline
                          deadline's day
  办结率 / 按期办结率     ``due`` (应办结): a round, on   ``completed``: resolved by the rule's
                          its handling deadline's day     cut-off; ``completed_on_time``: by the
                          (moved by extensions and        deadline
                          suspensions)
  解决率 / 满意率         ``revisited``: a revisit, on    ``solved`` / ``satisfied`` +
                          its day                         ``basically_satisfied``
  退单率                  ``dispatched``: a round, on     ``returned``
                          the day it started
  重办率                  ``resolved``: a resolution, on  ``reopened``
                          its day
  直接答复率              ``consultations``: a            ``answered_directly``: closed at intake
                          consultation registered, on     from a knowledge-base article
                          its day (no unit yet)           (``answer_directly``)
  ======================  ==============================  ========================================

A *round* is one unit's turn at a demand: it starts when the demand enters a handling state (a
dispatch, a reopening, a station undertaking a case with a promised time) and ends when it
leaves one (a resolution, a return, an escalation, a merge).  A round that ends unresolved before a
deadline leaves that deadline's set (the unit handed it on in time); after the deadline it
stays, as a failure.  A suspension takes the round out of ``due`` until it resumes under its
moved deadline.  On-the-spot resolutions (立接立办) are counted for the unit that made them
(``on_spot``, ``resolved``) and start no round, so they inflate no rate.

The function needs the demand as it was before the event (``Before``) and as it is after; only
cases of kind ``demand`` count (wishes and care tasks are not 诉求).
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.utils import timezone

from minsheng.catalogue.models import DemandType
from minsheng.core import versioned
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.services import CONSULTATION
from minsheng.demands.workflow import HANDLING_STATES, Kind, Satisfaction, Solved, State
from minsheng.organisation.levels import district_offset

GRID_DEPTH = 3  # district 0, street 1, community 2, grid 3 (buildings fold into their grid); a city -1
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


@dataclass(frozen=True)
class Before:
    """The fields of a demand before an event that the counters read."""

    state: str
    handling_unit_id: int | None
    contact_due: datetime | None
    handle_due: datetime | None
    contacted_at: datetime | None
    dispatched_at: datetime | None
    resolved_at: datetime | None


_BEFORE_FIELDS = tuple(f.name for f in fields(Before))


def before_from(projected: dict | None) -> Before | None:
    """``Before`` from the projected fields a transition's signal carries."""
    return Before(*(projected[name] for name in _BEFORE_FIELDS)) if projected else None


def snapshot(demand: Demand) -> Before | None:
    """What ``Before`` needs of ``demand`` (None for a demand not yet registered)."""
    return Before(*(getattr(demand, name) for name in _BEFORE_FIELDS)) if demand.state else None


def fold_to_grid(region_id: int, path: str) -> int:
    """The grid a region lies in (the region itself when it is a grid or coarser)."""
    return fold_to(region_id, path, GRID_DEPTH)


def fold_to(region_id: int, path: str, depth: int) -> int:
    """The region at ``depth`` (counted from the district, whatever stands above it) that
    ``region_id`` lies in (itself when it is that coarse or coarser)."""
    parts = [p for p in path.split(".") if p]
    depth += district_offset(path)
    return int(parts[depth]) if len(parts) > depth + 1 else region_id


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


# The answers a revisit recorded before it asked whether the problem was solved are read by
# this documented rule: a satisfied or basically satisfied resident had it solved.
LEGACY_SOLVED = {Satisfaction.SATISFIED: Solved.SOLVED, Satisfaction.BASICALLY_SATISFIED: Solved.SOLVED,
                 Satisfaction.DISSATISFIED: Solved.UNSOLVED}


def solved_answer(payload: dict) -> str:
    """The 是否解决 answer of a revisit event (by ``LEGACY_SOLVED`` for events without one)."""
    return payload.get("solved") or LEGACY_SOLVED.get(payload.get("satisfaction"), "")


Entry = tuple[date, int, dict[str, int]]  # (day, unit, counters) on the demand's region and category


class _Counts:
    """Contributions of one event: (day, unit) → counters."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def add(self, moment: datetime | date | None, unit_id: int | None, **counts: int) -> None:
        if moment is None:
            return
        day = moment if isinstance(moment, date) and not isinstance(moment, datetime) else local_day(moment)
        self.entries.append((day, unit_id or 0, counts))


def _start_round(out: _Counts, demand: Demand, at: datetime) -> None:
    unit = demand.handling_unit_id
    out.add(at, unit, dispatched=1)
    if demand.contacted_at is None:  # a resident already contacted in an earlier round is not asked again
        out.add(demand.contact_due, unit, contact_due=1)
    out.add(demand.handle_due, unit, due=1)


def _end_round_unresolved(out: _Counts, before: Before, at: datetime) -> None:
    """A round ends without a resolution (returned, escalated, merged): it leaves each deadline's
    set it was still early for; past a deadline it stays there, as a failure."""
    unit = before.handling_unit_id
    if before.contacted_at is None and before.contact_due is not None and at < before.contact_due:
        out.add(before.contact_due, unit, contact_due=-1)
    if before.state != State.SUSPENDED and before.handle_due is not None and at < before.handle_due:
        out.add(before.handle_due, unit, due=-1)


def _resolve(out: _Counts, before: Before, demand: Demand, at: datetime, cutoff_days) -> None:
    unit = demand.handling_unit_id
    if before.contacted_at is None and before.contact_due is not None and at <= before.contact_due:
        out.add(before.contact_due, unit, contacted_on_time=1)  # the result reached the resident in time
    if demand.handle_due is not None:
        due_day = local_day(demand.handle_due)
        cutoff = month_end(due_day) + timedelta(days=cutoff_days(due_day))
        completed = local_day(at) <= cutoff
        on_time = at <= demand.handle_due
        out.add(due_day, unit, completed=int(completed), completed_on_time=int(on_time))


def _within_round(out: _Counts, before: Before, demand: Demand, at: datetime) -> None:
    """A round goes on: a first contact, a suspension, a resumption, a moved deadline."""
    unit = demand.handling_unit_id
    if (before.contacted_at is None and demand.contacted_at is not None and demand.contact_due is not None
            and at <= demand.contact_due):
        out.add(demand.contact_due, unit, contacted_on_time=1)
    suspended_before, suspended_now = before.state == State.SUSPENDED, demand.state == State.SUSPENDED
    if suspended_now and not suspended_before:
        out.add(at, unit, suspended=1)
        out.add(before.handle_due, unit, due=-1)
    elif suspended_before and not suspended_now:
        out.add(demand.handle_due, unit, due=1)
    elif not suspended_now and before.handle_due != demand.handle_due:
        out.add(before.handle_due, unit, due=-1)
        out.add(demand.handle_due, unit, due=1)


def _revisit(out: _Counts, demand: Demand, event: DemandEvent) -> None:
    counts = {"revisited": 1}
    answer = solved_answer(event.payload)
    if answer:
        counts[answer] = 1
    satisfaction = event.payload.get("satisfaction")
    if satisfaction in Satisfaction.values:
        counts[satisfaction] = 1
    out.add(event.created_at, demand.handling_unit_id, **counts)


def _is_consultation(demand: Demand) -> bool:
    """Whether the demand is a consultation (咨询), the set 直接答复率 is computed over."""
    consultation = versioned.cached(("assessment.consultation_type",), lambda: DemandType.objects.filter(
        code=CONSULTATION).values_list("pk", flat=True).first(), keep_none=True)
    return consultation is not None and demand.demand_type_id == consultation


def _no_cutoff(day: date) -> int:
    return 0


def event_entries(before: Before | None, demand: Demand, event: DemandEvent, *, cutoff_days=_no_cutoff) -> list[Entry]:
    """The counters ``event`` adds, given the demand ``before`` it and ``demand`` once it is
    applied: (day, unit, counters) entries, on the demand's region and category.
    ``cutoff_days(due_day)`` is the assessment rule's grace after a deadline's month.

    Rounds are read from the states, not from action names, so that other apps' rows of the
    workflow (a station undertaking a case with a promised time) count like the engine's own: a
    round starts when the demand enters a handling state, ends when it leaves one."""
    if demand.kind != Kind.DEMAND:
        return []
    out, at, unit = _Counts(), event.created_at, demand.handling_unit_id
    was_handled = before is not None and before.state in HANDLING_STATES
    is_handled = demand.state in HANDLING_STATES
    match event.action:
        case "register":
            out.add(at, unit, registered=1, **({"consultations": 1} if _is_consultation(demand) else {}))
        case "answer_directly":
            # 直接答复率's numerator, on its denominator's row: the registration's day, no unit yet.
            out.add(demand.registered_at, 0, answered_directly=1)
            out.add(at, unit, closed=1)
        case "reject_invalid":
            out.add(at, unit, invalid=1)
        case "merge":
            out.add(at, unit, merged=1)
        case "resolve_on_spot":
            out.add(at, unit, resolved=1, on_spot=1)
        case "revisit":
            _revisit(out, demand, event)
        case "close":
            out.add(at, unit, closed=1)
        case "return" if before is not None:
            out.add(before.dispatched_at, before.handling_unit_id, returned=1)
        case "reopen" if before is not None:
            out.add(before.resolved_at, before.handling_unit_id, reopened=1)
    if is_handled and not was_handled:
        _start_round(out, demand, at)
    elif was_handled and not is_handled:
        if demand.state == State.RESOLVED:
            out.add(at, unit, resolved=1)
            _resolve(out, before, demand, at, cutoff_days)
        else:
            _end_round_unresolved(out, before, at)
    elif was_handled:
        _within_round(out, before, demand, at)
    return _merged(out.entries)


def _merged(entries: list[Entry]) -> list[Entry]:
    """Entries of one (day, unit) added together, zeros dropped (a move within one day is none)."""
    totals: dict[tuple[date, int], dict[str, int]] = {}
    for day, unit, counts in entries:
        slot = totals.setdefault((day, unit), {})
        for name, n in counts.items():
            slot[name] = slot.get(name, 0) + n
    result = []
    for (day, unit), counts in totals.items():
        counts = {name: n for name, n in counts.items() if n}
        if counts:
            result.append((day, unit, counts))
    return result


def entry_key(demand: Demand, day: date, unit_id: int, grid_id: int, community_id: int) -> Key:
    return Key(day, grid_id, unit_id, demand.category_id or 0, community_id)
