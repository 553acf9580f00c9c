"""The demand workflow as an explicit transition table.

Each row says which states an action may start from, the state it leads to, which
roles may take it, over which scope, and whether residents see it on their tracking
timeline.  ``services.py`` has one function per row; nothing else changes a demand.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.roles import Role
from minsheng.organisation.scope import SYSTEM_ROLE, ScopeKind


class State(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    PENDING_DISPATCH = "pending_dispatch", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("已退单")
    ESCALATED = "escalated", _("已上报")
    SUSPENDED = "suspended", _("挂账")
    RESOLVED = "resolved", _("已办结")
    REVISITED = "revisited", _("已回访")
    CLOSED = "closed", _("已结案")
    INVALID = "invalid", _("无效诉求")
    MERGED = "merged", _("已合并")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345热线")
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信H5")
    STATION = "station", _("代办站")
    PATROL = "patrol", _("网格巡查")
    MEETING = "meeting", _("会议")
    POLICE_110 = "police_110", _("110转办")
    EMAIL = "email", _("邮件")
    API = "api", _("系统对接")


class Kind(models.TextChoices):
    """What a case is.  Wishes and care tasks are demands of their own kind: they run on this
    engine (its events, scoping, deadlines and notifications) with rows of their own added to
    the table by their apps (``register_actions``)."""
    DEMAND = "demand", _("诉求")
    WISH = "wish", _("微心愿")
    CARE_TASK = "care_task", _("养老服务任务")
    MEAL_DELIVERY = "meal_delivery", _("助餐送餐任务")
    MEDIATION = "mediation", _("矛盾纠纷调解")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Solved(models.TextChoices):
    """The revisit's first question, 是否解决, asked apart from satisfaction (满意度): a resident
    may be satisfied with how a unit dealt with a problem it could not solve, and the reverse."""
    SOLVED = "solved", _("已解决")
    PARTLY_SOLVED = "partly_solved", _("部分解决")
    UNSOLVED = "unsolved", _("未解决")


def needs_another_round(demand) -> bool:
    """Whether the revisit's answers allow a reopening: the resident was dissatisfied or the
    problem is not solved (a partial solution is the handling unit's to explain, not to redo)."""
    return demand.satisfaction == Satisfaction.DISSATISFIED or demand.solved == Solved.UNSOLVED


OPEN_STATES = frozenset({State.REGISTERED, State.PENDING_DISPATCH, State.DISPATCHED, State.IN_PROGRESS,
                         State.RETURNED, State.ESCALATED, State.SUSPENDED})
TERMINAL_STATES = frozenset({State.CLOSED, State.INVALID, State.MERGED})
# States in which a unit answers for the demand under a deadline.
HANDLING_STATES = frozenset({State.DISPATCHED, State.IN_PROGRESS, State.SUSPENDED})

_HANDLERS = frozenset({Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF, Role.STATION_AGENT, Role.ADMINISTRATOR})
_DISPATCHERS = frozenset({Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# The system acts by rule: automatic dispatch above a confidence threshold, escalation after
# a configured overdue time, closing after unanswered revisits.
_SYSTEM = frozenset({SYSTEM_ROLE})
_INTAKE = frozenset({Role.HOTLINE_OPERATOR, Role.STATION_AGENT, Role.GRID_WORKER, Role.COMMUNITY_STAFF,
                     Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
_REVISITORS = frozenset({Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# 督办: dispatchers and leaders order a handling unit to reply in writing by a date.
_SUPERVISORS = frozenset({Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR})
# 吹哨报到: a street office or a community summons departments to one demand.
_WHISTLERS = frozenset({Role.STREET_DISPATCHER, Role.COMMUNITY_STAFF, Role.ADMINISTRATOR})
# The handling rows (a unit dispatched under a deadline) do not apply to a micro-wish: it is
# published, claimed and fulfilled through the wishes app's own rows.
# A meal delivery is a volunteer's errand, claimed and confirmed through the meals app's rows only:
# no unit handles it under a deadline, so none of the handling rows apply to it.
# A mediation case (矛盾纠纷调解) is accepted, mediated, concluded and followed up through the mediation
# app's rows only: the mediator answers for it, no unit is dispatched to it.
_NOT_DELIVERY = frozenset(set(Kind) - {Kind.MEAL_DELIVERY, Kind.MEDIATION})
_NOT_WISH = frozenset(set(Kind) - {Kind.WISH}) & _NOT_DELIVERY
# A care task goes only to a provider contracted for the elder's community and the service, and is
# done only by a recorded visit (the homecare app's rows): dispatching it to any unit, resolving it
# without a record, or on the spot, would pay or count hours nobody can prove.
_NOT_CARE = frozenset(set(Kind) - {Kind.CARE_TASK}) & _NOT_DELIVERY
_PLAIN_DEMAND = _NOT_WISH & _NOT_CARE


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[State]
    target: State | None  # None: the demand stays in its state
    roles: frozenset[str]
    scope: ScopeKind = "territory"
    public: bool = False
    # The kinds of case the action applies to; None: every kind.
    kinds: frozenset[str] | None = None
    # The channels the case must have come in through; None: any channel.
    channels: frozenset[str] | None = None
    # A further condition on the case itself (e.g. that an app's side table has its row); None: none.
    condition: Callable[[Any], bool] | None = None
    # The demand's one-to-one relations ``condition`` reads (e.g. "station_case"): a page of rows
    # loads them for all its demands at once (``selectors.prepare_for_actions``), not one per row.
    reads: frozenset[str] = frozenset()

    def applies_to(self, kind: str, channel: str | None = None) -> bool:
        """Whether the row applies to cases of ``kind`` that came in on ``channel``, without looking
        at one case (a row limited to some channels does not apply when the channel is not given)."""
        return ((self.kinds is None or kind in self.kinds)
                and (self.channels is None or channel in self.channels))

    def applies_to_case(self, demand) -> bool:
        """Whether the row applies to this case: the one test both of what is offered
        (``actions_for``) and of what the services allow (``services._check_state``)."""
        return (self.applies_to(demand.kind, demand.channel)
                and (self.condition is None or self.condition(demand)))


def _t(action, label, sources, target, roles, scope="territory", public=False, kinds=None, channels=None,
       condition=None, reads=()) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(roles), scope, public,
                      frozenset(kinds) if kinds is not None else None,
                      frozenset(channels) if channels is not None else None, condition, frozenset(reads))


S = State
TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    _t("register", _("登记"), [], S.REGISTERED, _INTAKE | {Role.RESIDENT}, public=True),
    _t("verify", _("核实"), [S.REGISTERED], S.PENDING_DISPATCH, _INTAKE, public=True, kinds=_NOT_WISH),
    _t("reject_invalid", _("判定无效"), [S.REGISTERED, S.PENDING_DISPATCH], S.INVALID,
       _INTAKE - {Role.STATION_AGENT}, public=True),
    _t("resolve_on_spot", _("立接立办"), [S.REGISTERED, S.PENDING_DISPATCH], S.RESOLVED,
       _INTAKE - {Role.STREET_DISPATCHER}, public=True, kinds=_NOT_CARE),
    _t("dispatch", _("派单"), [S.PENDING_DISPATCH, S.RETURNED, S.ESCALATED], S.DISPATCHED, _DISPATCHERS | _SYSTEM,
       public=True, kinds=_PLAIN_DEMAND),
    _t("accept", _("签收"), [S.DISPATCHED], S.IN_PROGRESS, _HANDLERS, scope="handling", public=True, kinds=_NOT_WISH),
    _t("return", _("退单"), [S.DISPATCHED, S.IN_PROGRESS], S.RETURNED, _HANDLERS, scope="handling", kinds=_NOT_WISH),
    _t("record_progress", _("记录进展"), [S.IN_PROGRESS, S.SUSPENDED], None, _HANDLERS, scope="handling",
       kinds=_NOT_WISH),
    _t("request_extension", _("申请延期"), [S.IN_PROGRESS], None, _HANDLERS, scope="handling", kinds=_NOT_WISH),
    _t("approve_extension", _("批准延期"), [S.IN_PROGRESS], None, _DISPATCHERS, public=True, kinds=_NOT_WISH),
    _t("deny_extension", _("驳回延期"), [S.IN_PROGRESS], None, _DISPATCHERS, kinds=_NOT_WISH),
    _t("request_suspension", _("申请挂账"), [S.IN_PROGRESS], None, _HANDLERS, scope="handling", kinds=_NOT_WISH),
    _t("approve_suspension", _("批准挂账"), [S.IN_PROGRESS], S.SUSPENDED, _DISPATCHERS, public=True, kinds=_NOT_WISH),
    _t("deny_suspension", _("驳回挂账"), [S.IN_PROGRESS], None, _DISPATCHERS, kinds=_NOT_WISH),
    _t("resume", _("恢复办理"), [S.SUSPENDED], S.IN_PROGRESS, _HANDLERS, scope="handling", public=True,
       kinds=_NOT_WISH),
    _t("escalate", _("上报"), [S.REGISTERED, S.PENDING_DISPATCH, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED,
                             S.ESCALATED], S.ESCALATED,
       _INTAKE | {Role.DEPARTMENT_HANDLER} | _SYSTEM, public=True, kinds=_NOT_WISH),
    _t("resolve", _("办结"), [S.IN_PROGRESS], S.RESOLVED, _HANDLERS, scope="handling", public=True,
       kinds=_PLAIN_DEMAND),
    _t("revisit", _("回访"), [S.RESOLVED], S.REVISITED, _REVISITORS | {Role.RESIDENT}, public=True),
    _t("close", _("结案"), [S.RESOLVED, S.REVISITED], S.CLOSED, _REVISITORS | _SYSTEM, public=True),
    _t("reopen", _("重新办理"), [S.REVISITED], S.DISPATCHED, _REVISITORS | {Role.RESIDENT}, public=True,
       kinds=_NOT_WISH),
    # The resident who filed the demand, signed in (web "我的诉求"): more words or photos while it is
    # open, and withdrawal while no unit handles it yet (it ends closed, counted by no unit).
    _t("supplement", _("补充信息"), OPEN_STATES, None, {Role.RESIDENT}, public=True, kinds=_PLAIN_DEMAND),
    _t("withdraw", _("撤回"), [S.REGISTERED, S.PENDING_DISPATCH], S.CLOSED, {Role.RESIDENT}, public=True,
       kinds=_PLAIN_DEMAND),
    # 我也遇到: a resident who met the same problem joins an open demand as one more reporter.
    _t("join", _("我也遇到"), OPEN_STATES, None, {Role.RESIDENT}, public=True, kinds=_PLAIN_DEMAND),
    # A note from the system that passed the demand on (12345 platform, 110 centre): recorded
    # until the demand is closed, never changing its state; that system does not run our workflow.
    _t("external_update", _("外部系统更新"), set(State) - TERMINAL_STATES, None, _INTAKE),
    _t("order_supervision", _("督办"), [S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED], None, _SUPERVISORS),
    _t("reply_supervision", _("督办回复"), [S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED], None,
       _HANDLERS, scope="handling"),
    _t("summon", _("吹哨"), [S.PENDING_DISPATCH, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED,
                            S.SUSPENDED], None, _WHISTLERS),
    _t("report_in", _("报到"), [S.PENDING_DISPATCH, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED,
                              S.SUSPENDED, S.RESOLVED], None, _HANDLERS, scope="summoned"),
    _t("revisit_attempt", _("回访未果"), [S.RESOLVED], None, _REVISITORS | _SYSTEM),
    # The knowledge base at intake (knowledge.services): a consultation answered on the call from a
    # published article (its id and version on the event) is closed at once; one whose article is
    # kept by an expert seat (专家座席) goes straight to the article's owner unit under a deadline.
    _t("answer_directly", _("直接答复"), [S.REGISTERED], S.CLOSED, _INTAKE, public=True, kinds=[Kind.DEMAND]),
    _t("refer_to_expert", _("转专家座席"), [S.REGISTERED, S.PENDING_DISPATCH], S.DISPATCHED, _INTAKE, public=True,
       kinds=[Kind.DEMAND]),
    _t("merge", _("合并"), [S.REGISTERED, S.PENDING_DISPATCH, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED,
                          S.ESCALATED], S.MERGED, _DISPATCHERS | {Role.HOTLINE_OPERATOR}, public=True,
       kinds=_NOT_CARE),
]}


def transition(action: str) -> Transition:
    return TRANSITIONS[action]


def action_label(action: str) -> str:
    """The action's name for people, or its code when the table no longer has it."""
    spec = TRANSITIONS.get(action)
    return str(spec.label) if spec else action


# Taken only by other systems through the integrations, never offered on the staff pages.
INTEGRATION_ACTIONS = frozenset({"external_update"})
# Taken by residents on their own pages (services.join_demand), never on the staff pages nor through
# the API's action document.
RESIDENT_ACTIONS = frozenset({"join"})
# Taken at intake with a knowledge-base article (knowledge.services), never offered on a demand's page.
KNOWLEDGE_ACTIONS = frozenset({"answer_directly", "refer_to_expert"})


def actions_from(state: State, kind: str | None = None, channel: str | None = None) -> list[Transition]:
    """The transitions that may start from ``state`` for a case of ``kind`` that came in on
    ``channel`` (no kind: every row from ``state``)."""
    return [t for t in TRANSITIONS.values() if state in t.sources and (kind is None or t.applies_to(kind, channel))]


def actions_for(demand) -> list[Transition]:
    """The transitions that may start from this case's state and apply to it (for menus)."""
    return [t for t in TRANSITIONS.values() if demand.state in t.sources and t.applies_to_case(demand)]


def add_transition(spec: Transition) -> None:
    """Add another app's row to the table (see ``services.register_actions``)."""
    if spec.action in TRANSITIONS and TRANSITIONS[spec.action] != spec:
        raise ValueError(f"transition {spec.action!r} is already in the table")
    TRANSITIONS[spec.action] = spec


# --- what a case waits for next (the staff's queues) -----------------------------------------
# The engine's rows that move a case on from each state (the queue's 下一步 picks one of them,
# ``selectors.next_step``).  A kind that moves on through its own app's rows declares them
# (``add_next_steps``), and may declare none for a state: a wish on the wall waits for a volunteer's
# claim and a meal delivery for a volunteer, no staff member's step, so no staff queue lists them.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    State.REGISTERED: ("verify",),
    State.PENDING_DISPATCH: ("dispatch",),
    State.RETURNED: ("dispatch",),
    State.ESCALATED: ("dispatch",),
    State.DISPATCHED: ("accept",),
    State.IN_PROGRESS: ("record_progress", "resolve", "approve_extension", "approve_suspension"),
    State.SUSPENDED: ("resume",),
    State.RESOLVED: ("revisit",),
    State.REVISITED: ("reopen", "close"),
}
_KIND_NEXT_STEPS: dict[tuple[str, str], tuple[str, ...]] = {}
# Per kind: which of a state's declared steps a case is at, read from the case alone (no database).
_KIND_STEP_PICKERS: dict[str, Callable[[Any, tuple[str, ...]], str]] = {}


def add_next_steps(kind: str, steps: dict[str, tuple[str, ...]],
                   pick: Callable[[Any, tuple[str, ...]], str] | None = None) -> None:
    """Declare, from an app's ``ready``, the rows that move cases of ``kind`` on from each of these
    states (an empty tuple: nobody on the staff's side); ``pick(case, steps)`` names the one a case
    is at when a state has several (default: the first the viewer may take)."""
    for state, actions in steps.items():
        _KIND_NEXT_STEPS[(kind, state)] = tuple(actions)
    if pick is not None:
        _KIND_STEP_PICKERS[kind] = pick


def next_steps(kind: str, state: str) -> tuple[str, ...]:
    """The rows that move a case of ``kind`` on from ``state``."""
    return _KIND_NEXT_STEPS.get((kind, state), NEXT_STEPS.get(state, ()))


def has_own_steps(kind: str, state: str) -> bool:
    """Whether ``kind``'s app declared its own steps from ``state`` (else the engine's apply)."""
    return (kind, state) in _KIND_NEXT_STEPS


def pick_own_step(case, roles: set[str]) -> str:
    """The declared step ``case`` is at, for a viewer with ``roles``; "" when none is theirs."""
    steps = next_steps(case.kind, case.state)
    picker = _KIND_STEP_PICKERS.get(case.kind)
    candidates = [picker(case, steps)] if picker is not None and steps else steps
    return next((a for a in candidates if a in TRANSITIONS and roles & TRANSITIONS[a].roles), "")


def waits_on(role: str, kind: str, state: str) -> bool:
    """Whether a case of ``kind`` in ``state`` waits for someone in ``role``: one of the rows that
    move it on is open to the role and applies to the kind."""
    return any(action in TRANSITIONS and role in TRANSITIONS[action].roles and TRANSITIONS[action].applies_to(kind)
               for action in next_steps(kind, state))
