"""The system acts by rule (automatic dispatch, escalation, closing) and nothing more; its
events say so: no user, the role "system"."""

import pytest

from minsheng.core.errors import PermissionDenied
from minsheng.demands import services
from minsheng.demands.workflow import State
from minsheng.organisation.scope import SYSTEM, SYSTEM_ROLE, grants_for

from .helpers import bring_to


def test_the_system_dispatches_escalates_and_closes_and_is_recorded_as_itself(world):
    demand = bring_to(world, "pending_dispatch")
    demand = services.dispatch_demand(SYSTEM, demand.pk, demand.version)
    assert demand.state == State.DISPATCHED and demand.handling_unit is not None
    demand = services.escalate_demand(SYSTEM, demand.pk, demand.version, reason="超期未签收，自动上报")
    assert demand.state == State.ESCALATED
    event = demand.events.order_by("-seq").first()
    assert (event.actor, event.actor_role, event.actor_unit_id) == (None, SYSTEM_ROLE, None)

    resolved = bring_to(world, "resolved")
    closed = services.close_demand(SYSTEM, resolved.pk, resolved.version, reason="三次回访无人接听，自动结案")
    assert closed.state == State.CLOSED


@pytest.mark.parametrize("action, stop, kwargs", [
    ("accept", "dispatched", {}),
    ("resolve", "in_progress", {"result": "系统不能办结"}),
    ("verify", "registered", {}),
])
def test_the_system_cannot_do_a_persons_work(world, action, stop, kwargs):
    demand = bring_to(world, stop)
    with pytest.raises(PermissionDenied):
        services.SERVICE_FOR_ACTION[action](SYSTEM, demand.pk, demand.version, **kwargs)


def test_the_system_is_nobody_on_the_pages(world):
    assert not SYSTEM.is_authenticated
    assert [g.role for g in grants_for(SYSTEM)] == [SYSTEM_ROLE]
