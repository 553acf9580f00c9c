"""Deadlines on Chinese working days under a frozen clock, the colours they give, and the
worker's sweeps: yellow and red notices (once per deadline) to the handling unit and its
superior, automatic escalation one level up after the configured time overdue."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.selectors import time_status
from minsheng.demands.workflow import State
from minsheng.notifications.models import OutboxMessage
from minsheng.organisation.scope import SYSTEM_ROLE
from minsheng.supervision.models import DeadlineNotice, DeadlineWatch
from minsheng.supervision.sweeps import run_sweeps
from tests.demands.helpers import bring_to

CST = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def colour(demand: Demand, moment: datetime) -> str:
    demand.refresh_from_db()
    return time_status(demand, moment)


def recipients(kind: str) -> set[str]:
    return {m.recipient.username for m in OutboxMessage.objects.filter(source__startswith=f"{kind}:",
                                                                        channel="in_app")}


def act(world, actor, demand, action, **kwargs) -> Demand:
    demand.refresh_from_db()
    return services.SERVICE_FOR_ACTION[action](world.user(actor), demand.pk, demand.version, **kwargs)


@pytest.fixture
def sweep():
    def run(moment: datetime):
        with time_machine.travel(moment, tick=False):
            result = run_sweeps()
        return result.yellow, result.red, result.escalated
    return run


def test_across_national_day_green_yellow_extension_red_and_escalation(world, settings, sweep):
    settings.MINSHENG_ESCALATE_AFTER_HOURS = 24
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        demand = bring_to(world, "in_progress")  # general: 7 working days
    # Oct 1–7 are holidays, Sat Oct 10 is a make-up working day: Oct 8, 9, 10, 12, 13, 14, 15.
    assert demand.handle_due == at(2026, 10, 15, 10)
    # Yellow when less than a quarter of the 15 days (90 hours) is left: from Oct 11 16:00.
    assert colour(demand, at(2026, 10, 11, 15, 59)) == "green"
    assert sweep(at(2026, 10, 11, 15, 59)) == (0, 0, 0)
    assert colour(demand, at(2026, 10, 11, 16, 1)) == "yellow"
    assert sweep(at(2026, 10, 11, 16, 1)) == (1, 0, 0)
    assert sweep(at(2026, 10, 11, 18)) == (0, 0, 0)  # once per deadline
    # The handling unit (区城管局) and its superior (the district centre) are told.
    assert {"handler_cg", "dispatcher", "leader", "admin"} <= recipients("yellow")
    assert not recipients("yellow") & {"handler_zj", "dispatcher1", "staff1"}

    with time_machine.travel(at(2026, 10, 12, 9), tick=False):
        act(world, "handler_cg", demand, "request_extension", until=at(2026, 10, 22, 10), reason="等待配件")
        act(world, "dispatcher", demand, "approve_extension")
    assert demand.events.filter(action="approve_extension").exists()
    assert colour(demand, at(2026, 10, 12, 9)) == "green"  # the new deadline leaves time again
    assert sweep(at(2026, 10, 21, 12)) == (1, 0, 0)  # a new deadline earns its own notice
    assert colour(demand, at(2026, 10, 22, 10, 1)) == "red"
    assert sweep(at(2026, 10, 22, 10, 1)) == (0, 1, 0)
    assert sweep(at(2026, 10, 22, 12)) == (0, 0, 0)
    assert {"handler_cg", "leader"} <= recipients("red")

    assert sweep(at(2026, 10, 23, 9, 59)) == (0, 0, 0)  # not yet 24 hours overdue
    assert sweep(at(2026, 10, 23, 10, 1)) == (0, 0, 1)
    demand.refresh_from_db()
    assert demand.state == State.ESCALATED and demand.handling_unit == world.units["centre"]
    event = demand.events.order_by("-seq").first()
    assert (event.action, event.actor, event.actor_role) == ("escalate", None, SYSTEM_ROLE)
    assert sweep(at(2026, 10, 24)) == (0, 0, 0)
    assert colour(demand, at(2026, 10, 24)) == ""  # back with the dispatchers, no running deadline


def test_across_spring_festival_a_suspension_stops_the_clock(world, sweep):
    with time_machine.travel(at(2026, 2, 13, 9), tick=False):
        demand = bring_to(world, "in_progress")
    # Sat Feb 14 and Sat Feb 28 are make-up working days; Feb 15–23 is the holiday.
    assert demand.handle_due == at(2026, 3, 2, 9)
    with time_machine.travel(at(2026, 2, 24, 9), tick=False):
        act(world, "handler_cg", demand, "request_suspension", reason="冻土期无法施工")
        act(world, "dispatcher1", demand, "approve_suspension")
    for moment in (at(2026, 2, 25), at(2026, 3, 5)):
        assert colour(demand, moment) == "blue"
        assert sweep(moment) == (0, 0, 0)  # suspended: no notices though the old deadline passed
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        act(world, "handler_cg", demand, "resume")
    demand.refresh_from_db()
    assert demand.handle_due == at(2026, 3, 2, 9) + timedelta(days=14)  # moved by the 14 days suspended
    assert colour(demand, at(2026, 3, 10, 9)) == "yellow"  # 6 of 31 days left
    assert sweep(at(2026, 3, 10, 9)) == (1, 0, 0)
    assert colour(demand, at(2026, 3, 16, 9)) == "red"
    assert [e.action for e in demand.events.order_by("seq")][-3:] == [
        "request_suspension", "approve_suspension", "resume"]


def test_a_dissatisfied_revisit_reopens_with_a_new_deadline_and_new_notices(world, sweep):
    with time_machine.travel(at(2026, 9, 28, 10), tick=False):
        demand = bring_to(world, "resolved")
        assert colour(demand, at(2026, 9, 28, 10)) == ""
    # Yellow notice for the first round, before it was resolved, is not needed for this test.
    with time_machine.travel(at(2026, 9, 29, 10), tick=False):
        act(world, "operator", demand, "revisit", satisfaction="dissatisfied", solved="unsolved")
        act(world, "operator", demand, "reopen", reason="井盖松动")
    demand.refresh_from_db()
    assert demand.state == State.DISPATCHED and demand.reopen_count == 1
    # Sep 30, then Oct 8, 9, 10 (make-up), 12, 13, 14.
    assert demand.handle_due == at(2026, 10, 14, 10)
    assert colour(demand, at(2026, 10, 14, 10)) == "red"
    assert sweep(at(2026, 10, 14, 10)) == (0, 1, 0)
    assert OutboxMessage.objects.filter(source__startswith="demand:", subject__startswith="重办工单").exists()


def test_the_top_of_the_tree_is_not_escalated_and_not_tried_again(world, settings, sweep):
    settings.MINSHENG_ESCALATE_AFTER_HOURS = 1
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        demand = bring_to(world, "pending_dispatch")
        demand = act(world, "dispatcher", demand, "dispatch", unit=world.units["centre"].pk, urgency="danger")
    assert sweep(at(2026, 11, 2, 12)) == (0, 1, 0)  # went red between sweeps: no yellow notice any more
    assert DeadlineWatch.objects.get(demand=demand).yellow_at is None  # and out of the yellow range
    assert DeadlineNotice.objects.get(kind="escalation").note == "已是最高层级，无法继续上报。"
    assert sweep(at(2026, 11, 2, 13)) == (0, 0, 0)
    demand.refresh_from_db()
    assert demand.state == State.DISPATCHED


def test_the_deadline_watch_follows_the_deadline_and_is_cleared_by_the_yellow_notice(world, sweep):
    def yellow_at():
        return DeadlineWatch.objects.filter(demand=demand).values_list("yellow_at", flat=True).first()

    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        demand = bring_to(world, "in_progress")  # 7 working days: due Nov 11 09:00
    assert yellow_at() == at(2026, 11, 11, 9) - timedelta(days=9) * 0.25
    assert sweep(at(2026, 11, 9, 10)) == (1, 0, 0)
    assert DeadlineWatch.objects.filter(demand=demand).exists() and yellow_at() is None
    with time_machine.travel(at(2026, 11, 9, 11), tick=False):
        act(world, "handler_cg", demand, "request_extension", until=at(2026, 11, 20, 9), reason="等待配件")
        act(world, "dispatcher", demand, "approve_extension")
    assert yellow_at() == at(2026, 11, 20, 9) - timedelta(days=18) * 0.25
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        act(world, "handler_cg", demand, "request_suspension", reason="待评估")
        act(world, "dispatcher1", demand, "approve_suspension")
    assert not DeadlineWatch.objects.filter(demand=demand).exists()
    with time_machine.travel(at(2026, 11, 12, 9), tick=False):
        act(world, "handler_cg", demand, "resume")
    assert yellow_at() == at(2026, 11, 22, 9) - timedelta(days=20) * 0.25
