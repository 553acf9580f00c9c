"""An elder who leaves the scheme (leave, or a review that finds them no longer eligible): their open
care tasks are cancelled on the demand engine with the reason, except a visit a provider took on for
a day while they were still served, which may still be recorded."""

from datetime import date
from decimal import Decimal

import pytest

from minsheng.core.errors import InvalidTransition, PermissionDenied
from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.demands.workflow import State
from minsheng.homecare import eligibility, quota, tasks
from minsheng.homecare.models import ServiceRecord
from minsheng.homecare.selectors import claimable_tasks, my_tasks
from minsheng.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _replayed(task) -> Demand:
    demand = Demand.objects.get(pk=task.demand_id)
    assert differences(demand, rebuild(list(demand.events.order_by("seq")))) == []
    return demand


def test_leaving_cancels_open_tasks_with_the_reason(care):
    elder = care.elder()
    unclaimed_future = care.task(elder, day=date(2026, 3, 25), hours="2")
    unclaimed_past = care.task(elder, service="cooking", day=date(2026, 3, 12), hours="1")
    claimed_future = care.claimed(elder, service="bathing", day=date(2026, 3, 24), hours="2")
    claimed_earlier = care.claimed(elder, service="haircut", day=date(2026, 3, 18), hours="1")
    recorded = care.claimed(elder, service="company", day=date(2026, 3, 10), hours="1")
    care.visit(recorded)

    eligibility.leave(care.user("dispatcher"), elder.pk, on=date(2026, 3, 20), reason="入住养老院")

    for task in (unclaimed_future, unclaimed_past, claimed_future):
        demand = _replayed(task)
        assert demand.state == State.CLOSED
        assert demand.close_reason == "服务对象退出居家养老：入住养老院"
        event = demand.events.order_by("-seq").first()
        assert event.action == "cancel_care_task" and event.actor == care.user("dispatcher")
    # The provider that had claimed the future visit is named in the event (it loses the task).
    assert _replayed(claimed_future).events.get(action="cancel_care_task").payload["from_provider_id"] == \
        care.providers["p1"].pk
    # The provider's workers are told the visit they had claimed is off.
    told = OutboxMessage.objects.filter(source="homecare.cancelled", channel="in_app")
    assert {m.recipient.username for m in told} == {"worker1", "worker1b"}
    assert "赵大爷 2026-03-24" in told.first().subject and "入住养老院" in told.first().body
    # A visit claimed for a day the elder was still served stays open and can be recorded late.
    assert _replayed(claimed_earlier).state == State.DISPATCHED
    care.visit(claimed_earlier)
    assert ServiceRecord.objects.filter(task=claimed_earlier).exists()
    assert _replayed(recorded).state == State.RESOLVED
    # Nothing cancelled is offered to workers or counted against the month any more.
    assert not claimable_tasks(care.user("worker2")).filter(elder=elder).exists()
    assert list(my_tasks(care.user("worker1")).filter(elder=elder)) == []
    assert quota.used_hours(elder.pk, date(2026, 3, 1)) == Decimal("2.00")  # the two recorded visits


def test_a_review_that_takes_someone_out_cancels_too(care):
    elder = care.elder()
    task = care.claimed(elder, day=date(2026, 3, 22), hours="2")
    eligibility.review(care.user("dispatcher"), elder.pk, still_eligible=False, note="家庭收入超标",
                       on=date(2026, 3, 20), false_information=True)
    demand = _replayed(task)
    assert demand.state == State.CLOSED and "提供虚假信息：家庭收入超标" in demand.close_reason
    # The worker's phone page no longer lists it.
    assert not my_tasks(care.user("worker1")).exists()


def test_a_refused_departure_cancels_nothing(care):
    elder = care.elder()
    task = care.task(elder, day=date(2026, 3, 25), hours="2")
    with pytest.raises(PermissionDenied):  # community staff may not take someone out
        eligibility.leave(care.user("staff1"), elder.pk, on=date(2026, 3, 20), reason="入住养老院")
    assert _replayed(task).state == State.REGISTERED


def test_an_active_elders_task_cannot_be_cancelled_through_the_engine(care):
    elder = care.elder()
    task = care.task(elder, day=date(2026, 3, 25), hours="2")
    with pytest.raises(InvalidTransition):
        tasks.cancel_by_demand(care.user("dispatcher"), task.demand_id, task.demand.version, reason="测试")
    assert _replayed(task).state == State.REGISTERED
