"""The mediation case's rows of the demand workflow (added from ``MediationConfig.ready``).

A mediation case is a demand of kind ``mediation``: registered by the engine's own ``register``,
then

accept_mediation          registered  → in progress  the mediator's unit answers for it; the
                                                      mediation period is its deadline
record_mediation_session  in progress → —            a session held (date, attendees, notes)
reach_mediation_agreement in progress → —            the parties signed; the follow-up visits are
                                                      due, the next one is the deadline
fail_mediation            in progress → closed       no agreement: referred to a court, an
                                                      arbitration body or another department
record_mediation_follow_up in progress → —           whether the agreement is kept; the next
                                                      visit becomes the deadline
close_mediation           in progress → closed       every follow-up done

and two rows on the plain demand (or station case) a case started from: ``refer_to_mediation``
(the case was opened) and ``mediation_result`` (its outcome, written by the system).  The handling
rows of plain demands do not apply to a mediation case (``workflow._NOT_DELIVERY``)."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.workflow import OPEN_STATES, Kind, State, _t
from minsheng.organisation.scope import SYSTEM_ROLE

from .access import MEDIATORS

S = State
MEDIATION = {Kind.MEDIATION}
ACCEPT = _t("accept_mediation", _("受理调解"), [S.REGISTERED], S.IN_PROGRESS, MEDIATORS, public=True,
            kinds=MEDIATION)
SESSION = _t("record_mediation_session", _("记录调解"), [S.IN_PROGRESS], None, MEDIATORS, kinds=MEDIATION)
AGREEMENT = _t("reach_mediation_agreement", _("达成调解协议"), [S.IN_PROGRESS], None, MEDIATORS, public=True,
               kinds=MEDIATION)
FAIL = _t("fail_mediation", _("调解未成功"), [S.IN_PROGRESS], S.CLOSED, MEDIATORS, public=True, kinds=MEDIATION)
FOLLOW_UP = _t("record_mediation_follow_up", _("协议履行回访"), [S.IN_PROGRESS], None, MEDIATORS, kinds=MEDIATION)
CLOSE = _t("close_mediation", _("调解结案"), [S.IN_PROGRESS], S.CLOSED, MEDIATORS, public=True, kinds=MEDIATION)
# On the source: a plain demand (a station case is one) that is still being worked on or awaits its
# revisit; the result comes back whatever the source's state, unless it was void or merged.
REFER = _t("refer_to_mediation", _("转人民调解"), OPEN_STATES | {S.RESOLVED, S.REVISITED}, None, MEDIATORS,
           public=True, kinds={Kind.DEMAND})
RESULT = _t("mediation_result", _("调解结果反馈"), set(State) - {S.INVALID, S.MERGED}, None, {SYSTEM_ROLE},
            public=True, kinds={Kind.DEMAND})

# What a case waits for (the staff's queues): acceptance by a mediator, then sessions until an
# agreement is signed (or the mediation fails), then the follow-up visits on the agreement.
NEXT_STEPS = {S.REGISTERED: (ACCEPT.action,), S.IN_PROGRESS: (SESSION.action, FOLLOW_UP.action)}


def next_step_of(case, steps: tuple[str, ...]) -> str:
    """A case in progress is at its follow-ups once an agreement gave it a result."""
    if case.state == S.IN_PROGRESS:
        return FOLLOW_UP.action if case.result else SESSION.action
    return steps[0]


def _due(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def project_accept(d: Demand, e: DemandEvent) -> None:
    p = e.payload
    d.handling_unit_id, d.assignee_id = p["unit_id"], p.get("mediator_user_id")
    d.accepted_at = e.created_at
    d.handle_due = _due(p.get("handle_due"))


def project_agreement(d: Demand, e: DemandEvent) -> None:
    d.result = e.payload["result"]
    d.handle_due = _due(e.payload.get("handle_due"))


def project_follow_up(d: Demand, e: DemandEvent) -> None:
    d.handle_due = _due(e.payload.get("handle_due"))


def project_end(d: Demand, e: DemandEvent) -> None:
    d.result = e.payload.get("result") or d.result
    d.close_reason = e.payload.get("reason", "")[:255]
    d.resolved_at = d.resolved_at or e.created_at
    d.closed_at, d.handle_due = e.created_at, None
