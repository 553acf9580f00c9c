"""Every read of demands, already scoped to the viewer."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial

from django.conf import settings
from django.db.models import Case, Count, F, Q, QuerySet, Value, When, prefetch_related_objects
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import NotFound
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import demand_filter, grants_for, preload_summons
from minsheng.people.models import Resident
from minsheng.search.selectors import matches_q

from .models import CoReporter, Demand, DemandAttachment, DemandEvent
from .workflow import (
    HANDLING_STATES,
    INTEGRATION_ACTIONS,
    KNOWLEDGE_ACTIONS,
    NEXT_STEPS,
    RESIDENT_ACTIONS,
    TRANSITIONS,
    Channel,
    Kind,
    State,
    Transition,
    action_label,
    has_own_steps,
    needs_another_round,
    pick_own_step,
    transition,
    waits_on,
)

# A demand number: the registration day and its sequence (services.reserve_numbers).
_NUMBER = re.compile(r"\d{13,}")


def search_q(text: str) -> Q:
    """What a search box's text selects: a demand number by its unique index alone, other text
    through the full-text index (``search.selectors.matches_q``: every word of it in the title,
    description, result or progress notes, two-character words such as 噪音 included)."""
    text = text.strip()
    return Q(number=text) if is_demand_number(text) else matches_q(text)


def is_demand_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.strip()))


def demands_visible_to(user) -> QuerySet[Demand]:
    """The demands ``user`` may see; empty for a user with no role."""
    return Demand.objects.filter(demand_filter(user)).select_related(
        "region", "handling_unit", "demand_type", "category", "urgency", "reporter")


def visible_ids(user, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` whose demand ``user`` may open (for a page that links to several)."""
    return set(Demand.objects.filter(demand_filter(user), pk__in=list(ids)).values_list("pk", flat=True))


def reported_by(resident, kind: str = Kind.DEMAND) -> QuerySet[Demand]:
    """What one resident filed, of one kind (demands, wishes), newest first."""
    return (Demand.objects.filter(kind=kind, reporter=resident)
            .select_related("region", "category").order_by("-registered_at", "-pk"))


def joined_by(resident) -> QuerySet[Demand]:
    """The demands a resident joined with "我也遇到" (filed by someone else), newest join first."""
    return (Demand.objects.filter(co_reporters__resident=resident).exclude(reporter=resident)
            .select_related("region", "category").order_by("-co_reporters__joined_at", "-pk"))


def get_demand_for(user, demand_id: int) -> Demand:
    """One demand, or NotFound when it does not exist or lies outside the user's scope
    (the two are indistinguishable on purpose)."""
    try:
        return demands_visible_to(user).get(pk=demand_id)
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("诉求不存在或不在你的管辖范围内。")) from None


def history_of(demand: Demand) -> QuerySet[DemandEvent]:
    """A demand's events, bounded below by its registration (no event is older than its
    register event): on PostgreSQL the planner then skips every monthly partition before it, so a
    recent demand's page reads a few partitions, not all of them (docs/operations.md, Partitions)."""
    events = demand.events.all()
    return events.filter(created_at__gte=demand.registered_at) if demand.registered_at else events


def events_of(demand: Demand, *, public_only: bool = False) -> QuerySet[DemandEvent]:
    events = history_of(demand).select_related("actor", "actor_unit").order_by("seq")
    return events.filter(public=True) if public_only else events


def available_actions(user, demand: Demand) -> list[Transition]:
    """The transitions ``user`` may take on ``demand`` now (for menus; the services still decide).

    Mirrors the services' checks that depend only on the demand: role and scope per the
    transition table, and the pending-request and satisfaction preconditions."""
    grants = grants_for(user)
    roles = {g.role for g in grants}
    pending = (demand.pending_request or {}).get("kind")
    result = []
    # The rows of the table open from this state (``actions_for``), the user's roles checked before a
    # row's condition: some conditions read other tables (a station case, a care visit), and a row
    # none of the user's roles may take needs no such read — once per row of the queue otherwise.
    for spec in TRANSITIONS.values():
        if demand.state not in spec.sources or not roles & spec.roles or not spec.applies_to_case(demand):
            continue
        if spec.action in INTEGRATION_ACTIONS or spec.action in RESIDENT_ACTIONS or spec.action in KNOWLEDGE_ACTIONS:
            continue
        usable = [g for g in grants if g.role in spec.roles and g.covers(demand, spec.scope)]
        if not usable:
            continue
        if spec.action == "resolve_on_spot" and all(g.unit_id is None for g in usable):
            continue  # resolving on the spot is done in the name of one's unit
        if spec.action in ("approve_extension", "deny_extension") and pending != "extension":
            continue
        if spec.action in ("approve_suspension", "deny_suspension") and pending != "suspension":
            continue
        if spec.action in ("request_extension", "request_suspension") and pending:
            continue
        if spec.action == "reopen" and not needs_another_round(demand):
            continue
        if spec.action == "reply_supervision" and not _awaits_supervision_reply(demand):
            continue  # only while a supervision order waits for its reply
        if spec.action == "report_in" and not any(g.awaits_report(demand) for g in usable):
            continue  # only while one's unit has a summons to report in for
        result.append(spec)
    return result


# Set on a loaded demand by ``prepare_for_actions``: whether a supervision order waits for its reply.
_PRELOADED_SUPERVISION = "_awaits_supervision_reply"


def _awaits_supervision_reply(demand: Demand) -> bool:
    preloaded = getattr(demand, _PRELOADED_SUPERVISION, None)
    if preloaded is not None:
        return preloaded
    return demand.supervision_orders.filter(replied_at__isnull=True).exists()


def prepare_for_actions(demands: Iterable[Demand]) -> None:
    """For a page that offers the actions of many demands (the queue): what ``available_actions``
    reads from other tables — the supervision orders awaiting a reply, the summoned units and the
    relations the table's conditions read (``Transition.reads``: a station case, a care visit) — is
    loaded for all of them in one query each and kept on each demand, instead of queries per row."""
    demands = list(demands)
    relations = sorted({name for spec in TRANSITIONS.values() for name in spec.reads})
    prefetch_related_objects(demands, *relations)  # a missing one is kept as "none" too
    orders = Demand._meta.get_field("supervision_orders").related_model.objects
    waiting = set(orders.filter(demand_id__in=[d.pk for d in demands], replied_at__isnull=True)
                  .values_list("demand_id", flat=True))
    for demand in demands:
        setattr(demand, _PRELOADED_SUPERVISION, demand.pk in waiting)
    preload_summons(demands)


_URGENCY_ORDER = ["danger", "utilities", "general", "complex"]
# Reports no staff member took down (a resident's web or WeChat form, another system's API call):
# nobody's intake queue holds them, so they go to the dispatchers of their territory at once.
SELF_SERVICE_CHANNELS = (Channel.WEB, Channel.WECHAT, Channel.API)
# A deadline this close counts as "due soon" in the queue's order (the rows still show the colour).
DUE_SOON = timedelta(hours=24)


def revisit_window() -> timedelta:
    """How long after resolution a demand still waits for its revisit: the revisit link's validity or
    the automatic closing (MINSHENG_REVISIT_LINK_DAYS, MINSHENG_AUTO_CLOSE_DAYS), whichever is longer.
    Past it the sweeps have closed what could be closed; an operator's call a year later helps nobody."""
    return timedelta(days=max(settings.MINSHENG_REVISIT_LINK_DAYS, settings.MINSHENG_AUTO_CLOSE_DAYS))


def queue_for(user, now: datetime | None = None) -> QuerySet[Demand]:
    """What waits for ``user`` now, by role: handlers their unit's open work, dispatchers what needs
    dispatching or approving and the reports no staff member took down, intake roles what they
    registered and must verify, revisit roles what was resolved within the revisit window.

    What someone else holds (accepted by another person, unless overdue; for the district-wide hotline,
    what another staff member registered) is not this user's to do.  Most urgent first: overdue, then due within
    DUE_SOON, then the rest; within each, vulnerable residents first, then urgency, deadline and the
    longest waiting.

    Every filter is on an indexed column pair ((state, …), (handling_unit, state), (region, state),
    the partial (state, resolved_at)); the order is computed over those matches only.  A long queue
    (the administrator's: every open demand of the city) is paged by ``queue_runs`` instead of being
    sorted whole."""
    return _queue(user, now or clock.now(), Q())


def queue_runs(user, now: datetime) -> Iterator[QuerySet[Demand]]:
    """``queue_for(user, now)`` cut into consecutive runs by its leading keys, each a queryset in
    the queue's order: overdue running work of vulnerable residents, then the other overdue work,
    the same two for what falls due within DUE_SOON, then the same two for the rest; the overdue and
    due-soon runs left out when the user's queue holds no running state (the hotline's).

    For ``CappedPaginator(runs=…)``: a long queue's page is read run by run, each run sorted alone,
    until it is full.  Each run's filter is also set inside each role's branch of the queue's OR, so
    that SQLite's OR plan can take an index per branch that serves it: the partial running-deadline
    index for the overdue runs (the administrator's queue at 1M: 1,900 overdue rows instead of all
    23,900 open ones, 255 ms), the partial vulnerable one for the rest (the hotline's 11,700
    revisits: the first page is filled by its 380 vulnerable residents' ones).  Yielded one at a
    time: a page read from the first run builds no other."""
    overdue, due_soon, rest = _due_tiers(now)
    _q, states = _queue_filter(user, now, Q())
    for tier in (overdue, due_soon, rest) if states & set(_RUNNING_STATES) else (rest,):
        for vulnerable in (True, False):
            yield _queue(user, now, tier & Q(vulnerable=vulnerable))


def _queue(user, now: datetime, run: Q) -> QuerySet[Demand]:
    """The queue's rows that ``run`` selects (all for an empty Q), in the queue's order."""
    q, _states = _queue_filter(user, now, run)
    urgency_rank = Case(*[When(urgency__code=code, then=Value(i)) for i, code in enumerate(_URGENCY_ORDER)],
                        default=Value(len(_URGENCY_ORDER)))
    overdue, due_soon, _rest = _due_tiers(now)
    due_rank = Case(When(overdue, then=Value(0)), When(due_soon, then=Value(1)), default=Value(2))
    return demands_visible_to(user).filter(q, run).annotate(due_rank=due_rank, urgency_rank=urgency_rank).order_by(
        "due_rank", "-vulnerable", "urgency_rank", F("handle_due").asc(nulls_last=True), "registered_at", "pk")


# The states whose deadline runs (suspended work's does not): the queue's overdue and due-soon tiers,
# in ``overdue_q``'s order (the partial running-deadline index's condition).
_RUNNING_STATES = (State.DISPATCHED, State.IN_PROGRESS)


def _due_tiers(now: datetime) -> tuple[Q, Q, Q]:
    """The queue's three tiers, in its order: running and overdue, running and due within
    DUE_SOON, the rest (no deadline, a later one, or not running).  Together they hold every demand
    exactly once (``handle_due`` may be NULL: the rest says so)."""
    running = Q(state__in=_RUNNING_STATES)
    overdue = overdue_q(now)
    due_soon = running & Q(handle_due__gte=now, handle_due__lt=now + DUE_SOON)
    rest = ~running | Q(handle_due__isnull=True) | Q(handle_due__gte=now + DUE_SOON)
    return overdue, due_soon, rest


def _at(role: str, run: Q, **conditions) -> Q:
    """The cases in the state(s) these conditions name (``state`` or ``state__in``) that wait for
    someone in ``role``, in the run ``run``: a case none of whose next steps is open to the role (a
    wish on the wall, a meal delivery waiting for a volunteer) is not this role's work."""
    states = frozenset(conditions["state__in"] if "state__in" in conditions else [conditions["state"]])
    q = Q(**conditions) & run
    if other := _not_waiting_on(role, states):
        q &= ~other
    return q


@cache
def _not_waiting_on(role: str, states: frozenset[str]) -> Q | None:
    """The cases in ``states`` whose next steps are none of them open to ``role`` (``workflow.waits_on``),
    by state; None when there are none.  Worked out on first use, once the apps have declared their
    steps."""
    q = None
    for state in sorted(states):
        if kinds := sorted(kind for kind in Kind if not waits_on(role, kind, state)):
            q = Q(state=state, kind__in=kinds) if q is None else q | Q(state=state, kind__in=kinds)
    return q


def _queue_filter(user, now: datetime, run: Q) -> tuple[Q, set[str]]:
    """``queue_for``'s filter, and the states it can match; ``run`` is set beside each state
    condition (see ``queue_runs``)."""

    window_start = now - revisit_window()
    # Work a colleague accepted is theirs, until it runs overdue: then anyone of the unit may have to step in.
    mine = Q(assignee__isnull=True) | Q(assignee=user.pk) | Q(handle_due__lt=now)
    own_intake = Q(registered_by__isnull=True) | Q(registered_by=user.pk)
    q, states = Q(pk__in=[]), set()
    for grant in grants_for(user):
        role = grant.role
        at = partial(_at, role, run)
        waiting = Q(pk__in=[])
        if role in (Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF, Role.STATION_AGENT, Role.ADMINISTRATOR):
            waiting |= grant.demand_q("handling") & at(state__in=HANDLING_STATES) & mine
            states |= HANDLING_STATES
        if role in (Role.STREET_DISPATCHER, Role.ADMINISTRATOR):
            waiting |= grant.demand_q() & (at(state__in=transition("dispatch").sources)
                                           | at(state=State.IN_PROGRESS, pending_request__isnull=False)
                                           | at(state=State.REGISTERED, channel__in=SELF_SERVICE_CHANNELS))
            states |= {*transition("dispatch").sources, State.IN_PROGRESS, State.REGISTERED}
        if role in (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STATION_AGENT):
            waiting |= grant.demand_q() & at(state=State.REGISTERED)  # who verifies on the spot
            states.add(State.REGISTERED)
        if role == Role.HOTLINE_OPERATOR:
            # The hotline covers the whole district: what a grid worker, an agent or a committee took
            # down is theirs to verify, not every operator's.
            waiting |= grant.demand_q() & at(state=State.REGISTERED) & own_intake
            states.add(State.REGISTERED)
        if role in (Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF):
            waiting |= grant.demand_q() & at(state__in=[State.RESOLVED, State.REVISITED],
                                            resolved_at__gte=window_start)
            states |= {State.RESOLVED, State.REVISITED}
        q |= waiting
    if any(grant.unit_path == "" for grant in grants_for(user)):
        # A grant over everything (an administrator) leaves nothing indexed in the OR above, and SQLite
        # would read every demand: the states this queue can hold, stated once, let it walk the state index.
        q &= Q(state__in=sorted(states))
    return q, states


def held_by_colleagues(user, now: datetime | None = None) -> QuerySet[Demand]:
    """Open work of the user's units that a colleague accepted and that is not overdue: what
    ``queue_for`` leaves out as someone else's (the queue page says how many, so that an empty
    queue is not read as a unit with nothing to do)."""
    now = now or clock.now()
    q = Q(pk__in=[])
    for grant in grants_for(user):
        if grant.role in (Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF, Role.STATION_AGENT, Role.ADMINISTRATOR):
            q |= grant.demand_q("handling")
    return Demand.objects.filter(q, state__in=HANDLING_STATES, assignee__isnull=False, handle_due__gte=now).exclude(
        assignee=user.pk)


def next_step(user, demand: Demand) -> str:
    """The action ``demand`` waits for from ``user``, named for the queue's row (the demand's page
    offers it first, with the others); "" when none does.  Reads no database."""
    action = next_action(user, demand)
    return action_label(action) if action else ""


def next_action(user, demand: Demand) -> str:
    """The code of the action ``next_step`` names; "" when none applies."""
    roles = {g.role for g in grants_for(user)}
    own = has_own_steps(demand.kind, demand.state)
    action = pick_own_step(demand, roles) if own else _engine_step(demand, roles)
    return action if action and transition(action).applies_to_case(demand) else ""


def _engine_step(demand: Demand, roles: set[str]) -> str:
    """Which of the engine's steps from its state (``workflow.NEXT_STEPS``) a case is at, for a
    viewer with ``roles``: in progress, a pending request's approval for those who approve it, else
    the first contact and then the result; revisited, another round or the close."""
    state = demand.state
    if state == State.IN_PROGRESS:
        if pending := (demand.pending_request or {}).get("kind"):
            approve = "approve_extension" if pending == "extension" else "approve_suspension"
            if roles & transition(approve).roles:
                return approve
        return "record_progress" if demand.contacted_at is None else "resolve"
    if state == State.REVISITED:
        return "reopen" if needs_another_round(demand) else "close"
    return next(iter(NEXT_STEPS.get(state, ())), "")


def overdue_q(now: datetime) -> Q:
    """Demands past their handling deadline and still being handled (suspended ones are not)."""
    return Q(state__in=list(_RUNNING_STATES), handle_due__lt=now)


def time_status(demand: Demand, now: datetime) -> str:
    """green / yellow / red / blue for a demand under a deadline, "" otherwise."""
    if demand.state == State.SUSPENDED:
        return "blue"
    if demand.state not in HANDLING_STATES or demand.handle_due is None:
        return ""
    if now >= demand.handle_due:
        return "red"
    return "yellow" if now > turns_yellow_at(demand) else "green"


def turns_yellow_at(demand: Demand) -> datetime:
    """When less than MINSHENG_YELLOW_SHARE of the handling time (from dispatch or reopening
    to the deadline) is left."""
    start = demand.dispatched_at or demand.registered_at
    return demand.handle_due - (demand.handle_due - start) * settings.MINSHENG_YELLOW_SHARE


def merge_target(demand: Demand) -> Demand | None:
    """The demand that finally carries a merged one (following merges of merges)."""
    seen = {demand.pk}
    while demand.merged_into_id and demand.merged_into_id not in seen:
        seen.add(demand.merged_into_id)
        demand = Demand.objects.get(pk=demand.merged_into_id)
    return demand if len(seen) > 1 else None


# The steps whose note is written for the resident: a progress note only when its handler ticked
# 居民可见 (the event is public then), and the result of a resolution.  Other public steps carry
# notes between units (an escalation's reason, an approver's remark) that stay on the staff page.
RESIDENT_NOTE_ACTIONS = frozenset({"record_progress", "resolve", "resolve_on_spot", "fulfil_wish", "defer_wish"})
# The one step whose photos show the problem as reported (反映时); every other step that adds
# photos (resolve, a wish's fulfilment) shows the result (办理后).
BEFORE_ACTIONS = frozenset({"register"})


@dataclass(frozen=True)
class PendingRequest:
    """An extension or suspension request waiting for its approver: what was asked (the date
    for an extension), why, and the step that asked (who and when)."""
    kind: str  # "extension" / "suspension"
    until: datetime | None
    reason: str
    event: DemandEvent | None


def pending_request_of(demand: Demand) -> PendingRequest | None:
    """The request the approver decides on, read from the projection (``pending_request``) and
    its request event; None when nothing waits."""
    pending = demand.pending_request or {}
    kind = pending.get("kind")
    if kind not in ("extension", "suspension"):
        return None
    until = datetime.fromisoformat(pending["until"]) if pending.get("until") else None
    event = (history_of(demand).filter(action=f"request_{kind}").select_related("actor_unit").order_by("-seq")
             .first())
    return PendingRequest(kind=kind, until=until, reason=pending.get("reason", ""), event=event)


def public_timeline(demand: Demand, *, photos: bool = True, photos_after_only: bool = False) -> list[DemandEvent]:
    """The steps a resident sees when tracking their demand, each with ``resident_note`` (the note
    written for them, else "") and ``photos`` (see ``with_photos``).

    ``photos_after_only``: leave out the photos of the report itself — for the demand another one
    was merged into, whose report came from another resident."""
    events = list(history_of(demand).filter(public=True).select_related("actor_unit").order_by("seq"))
    for event in events:
        event.resident_note = event.note if event.action in RESIDENT_NOTE_ACTIONS else ""
    if photos:
        with_photos(demand, events)
        if photos_after_only:
            for event in events:
                if event.photo_stage == "before":
                    event.photos = []
    return events


def with_photos(demand: Demand, events: list[DemandEvent]) -> list[DemandEvent]:
    """Give each event the photos its step added (``photos``, attachments in upload order) and
    their stage (``photo_stage``: "before" for the report, "after" for a result), so that a
    timeline shows every photo on the step that added it instead of one unlabelled strip.

    An attachment records the sequence number of its event (``event_seq``), so the link is the
    (demand, seq) pair; one query for the whole timeline."""
    by_seq: dict[int, list[DemandAttachment]] = {}
    seqs = [e.seq for e in events]
    if seqs:
        for item in DemandAttachment.objects.filter(demand=demand, event_seq__in=seqs).order_by("event_seq", "pk"):
            by_seq.setdefault(item.event_seq, []).append(item)
    for event in events:
        event.photos = by_seq.get(event.seq, [])
        event.photo_stage = "before" if event.action in BEFORE_ACTIONS else "after"
    return events


def events_in_scope(user) -> QuerySet[DemandEvent]:
    """Events of the demands ``user`` may see."""
    return DemandEvent.objects.filter(demand__in=Demand.objects.filter(demand_filter(user))).select_related(
        "demand", "actor_unit")


def latest_events_in_scope(user, action: str, limit: int = 10) -> list[DemandEvent]:
    """The latest ``limit`` events of ``action`` on demands ``user`` may see, newest first.

    Walks the events of ``action`` newest first (the partial index ``event_escalation_recent``
    for escalations) in growing pages and keeps those on visible demands: filtering
    ``events_in_scope`` instead makes the database collect every event of every visible demand
    before sorting, seconds at a million demands."""
    visible = Demand.objects.filter(demand_filter(user))
    events = DemandEvent.objects.filter(action=action).order_by("-created_at", "-id")
    found: list[DemandEvent] = []
    last, page = None, 5 * limit
    while len(found) < limit:
        batch = events if last is None else events.filter(
            Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, id__lt=last.id))
        batch = list(batch[:page])
        if not batch:
            break
        seen = set(visible.filter(pk__in={e.demand_id for e in batch}).values_list("pk", flat=True))
        found += [e for e in batch if e.demand_id in seen]
        last, page = batch[-1], min(2 * page, 5000)
    # With their demand and unit, as events_in_scope gives them.
    loaded = DemandEvent.objects.select_related("demand", "actor_unit").in_bulk([e.pk for e in found[:limit]])
    return [loaded[e.pk] for e in found[:limit]]


def residents_following(demand: Demand) -> list[Resident]:
    """Everyone who reported ``demand``: its reporter first, then the residents who joined it
    ("我也遇到") in the order they joined — the people its updates go to."""
    joined = list(Resident.objects.filter(joined_demands__demand=demand).select_related("user").order_by(
        "joined_demands__joined_at", "joined_demands__pk"))
    reporter = [demand.reporter] if demand.reporter_id else []
    return reporter + [r for r in joined if r.pk != demand.reporter_id]


def reporter_count(demand: Demand) -> int:
    """How many residents reported ``demand``: the reporter and those who joined it."""
    return (1 if demand.reporter_id else 0) + CoReporter.objects.filter(demand=demand).count()


def reporter_counts(demand_ids: Iterable[int]) -> dict[int, int]:
    """Co-reporters per demand for a list of demands (one query): id → number who joined."""
    return dict(CoReporter.objects.filter(demand_id__in=list(demand_ids)).values_list("demand_id")
                .annotate(n=Count("pk")).values_list("demand_id", "n"))
