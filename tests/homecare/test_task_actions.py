"""A care task is paid for by a recorded visit of a contracted provider: the engine's general
handling rows that would bypass the contract or the record do not apply to it."""

from datetime import date

import pytest

from minsheng.core.errors import InvalidTransition
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.selectors import available_actions
from minsheng.demands.workflow import State
from minsheng.homecare import tasks
from minsheng.organisation.scope import SYSTEM

BYPASSES = {"dispatch", "resolve", "resolve_on_spot", "merge"}


def _offered(user, demand_id):
    return {t.action for t in available_actions(user, Demand.objects.get(pk=demand_id))}


def test_no_menu_offers_a_way_round_the_contract_or_the_record(care):
    elder = care.elder()
    waiting = care.task(elder, day=date(2026, 3, 21))
    for name in ("staff1", "dispatcher", "operator"):
        assert not _offered(care.user(name), waiting.demand_id) & BYPASSES, name
    claimed = care.claimed(elder, day=date(2026, 3, 22))
    services.accept_demand(care.user("worker1"), claimed.demand_id, claimed.demand.version)
    offered = _offered(care.user("worker1"), claimed.demand_id)
    assert "record_care_visit" in offered and "resolve" not in offered


def test_the_services_refuse_them_too(care):
    elder = care.elder()
    task = care.task(elder, day=date(2026, 3, 21))
    demand = Demand.objects.get(pk=task.demand_id)
    with pytest.raises(InvalidTransition):
        services.resolve_on_spot(care.user("staff1"), demand.pk, demand.version, result="已办")
    with pytest.raises(InvalidTransition):
        services.dispatch_demand(care.user("dispatcher"), demand.pk, demand.version,
                                 unit=care.providers["p3"])
    claimed = care.claimed(elder, day=date(2026, 3, 22))
    demand = services.accept_demand(care.user("worker1"), claimed.demand_id, claimed.demand.version)
    with pytest.raises(InvalidTransition):
        services.resolve_demand(care.user("worker1"), demand.pk, demand.version, result="已服务")
    assert Demand.objects.get(pk=demand.pk).state == State.IN_PROGRESS


def test_an_escalated_task_goes_back_to_a_contracted_provider(care):
    # Escalation goes to the unit above the provider: the district centre that contracted it.
    care.providers["p1"].parent = care.world.units["centre"]
    care.providers["p1"].save(update_fields=["parent"])
    elder = care.elder()
    task = care.claimed(elder, day=date(2026, 3, 22))
    demand = services.escalate_demand(SYSTEM, task.demand_id, task.demand.version, reason="超期未服务")
    assert demand.state == State.ESCALATED
    assert "transfer_care_task" in _offered(care.user("dispatcher"), demand.pk)
    demand = tasks.transfer_by_demand(care.user("dispatcher"), demand.pk, demand.version, unit=care.providers["p2"])
    assert demand.state == State.DISPATCHED and demand.handling_unit == care.providers["p2"]
