"""督办 and 吹哨报到: orders and summonses are demand events with their own rows; the
replies and reports are timed, and who is late is visible."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands import selectors
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.notifications.models import OutboxMessage
from minsheng.supervision import services
from minsheng.supervision.models import SummonedUnit, Summons, SupervisionOrder
from tests.demands.helpers import bring_to

CST = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 2, 9, tzinfo=CST)


def fresh(demand: Demand) -> Demand:
    return Demand.objects.get(pk=demand.pk)


def told(source_prefix: str) -> set[str]:
    return {m.recipient.username for m in OutboxMessage.objects.filter(source__startswith=source_prefix,
                                                                        channel="in_app")}


def test_a_leader_orders_a_written_reply_and_a_late_reply_shows_as_late(world):
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "in_progress")
        services.order_supervision(world.user("leader"), demand.pk, demand.version,
                                   instruction="请说明迟迟未修复的原因", reply_by=START + timedelta(days=1))
    order = SupervisionOrder.objects.get()
    assert order.event_seq == fresh(demand).version
    assert fresh(demand).events.get(seq=order.event_seq).action == "order_supervision"
    assert {"handler_cg", "dispatcher"} <= told("supervision:")  # the unit and its superior
    assert order.status(START + timedelta(hours=2)) == "waiting"
    assert order.status(START + timedelta(days=2)) == "overdue"
    with time_machine.travel(START + timedelta(days=1, hours=3), tick=False):
        d = fresh(demand)
        services.reply_supervision(world.user("handler_cg"), d.pk, d.version, reply="配件已到，明日施工")
    order.refresh_from_db()
    assert order.status(START + timedelta(days=3)) == "late" and order.reply == "配件已到，明日施工"
    d = fresh(demand)
    with pytest.raises(InvalidTransition):  # nothing left to reply to
        services.reply_supervision(world.user("handler_cg"), d.pk, d.version, reply="再次回复")
    assert [e.action for e in d.events.order_by("seq")][-2:] == ["order_supervision", "reply_supervision"]
    assert d.state == "in_progress"


def test_who_may_order_supervision_and_what_is_refused(world):
    demand = bring_to(world, "in_progress")
    with pytest.raises(PermissionDenied):
        services.order_supervision(world.user("handler_cg"), demand.pk, demand.version, instruction="x",
                                   reply_by=START + timedelta(days=400))
    with pytest.raises(OutOfScope):  # another street's dispatcher
        services.order_supervision(world.user("dispatcher2"), demand.pk, demand.version, instruction="x",
                                   reply_by=START + timedelta(days=400))
    with pytest.raises(ValidationFailed):
        services.order_supervision(world.user("dispatcher1"), demand.pk, demand.version, instruction="x",
                                   reply_by=START - timedelta(days=400))
    assert not SupervisionOrder.objects.exists() and fresh(demand).version == demand.version


def test_a_street_summons_two_departments_and_sees_who_came_late(world):
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "dispatched")
        # Before the summons, the housing department does not see the demand at all.
        assert not selectors.demands_visible_to(world.user("handler_zj")).filter(pk=demand.pk).exists()
        services.summon_units(world.user("dispatcher1"), demand.pk, demand.version, reason="井盖涉及管线权属",
                              units=[world.units["zj"], "cg"], report_hours=4)
    assert Summons.objects.get().unit == world.units["so1"]
    assert {"handler_zj", "handler_cg"} <= told("summons:")
    assert selectors.get_demand_for(world.user("handler_zj"), demand.pk)  # summoned: now it does
    demand.refresh_from_db()
    with pytest.raises(OutOfScope):  # seeing and reporting in, not taking the demand over
        demand_services.escalate_demand(world.user("handler_zj"), demand.pk, demand.version, reason="越权上报")
    assert [s.action for s in selectors.available_actions(world.user("handler_zj"), demand)] == ["report_in"]
    assert not selectors.demands_visible_to(world.user("staff2")).filter(pk=demand.pk).exists()

    with time_machine.travel(START + timedelta(hours=2), tick=False):
        d = fresh(demand)
        services.report_in(world.user("handler_zj"), d.pk, d.version, report="已到现场，管线属自来水公司")
        # Reported in: no longer offered (it would be refused), while it still is to the other unit.
        assert "report_in" not in [s.action for s in selectors.available_actions(world.user("handler_zj"), fresh(d))]
        assert "report_in" in [s.action for s in selectors.available_actions(world.user("handler_cg"), fresh(d))]
    with time_machine.travel(START + timedelta(hours=6), tick=False):
        d = fresh(demand)
        services.report_in(world.user("handler_cg"), d.pk, d.version, report="已到现场")
        d = fresh(demand)
        with pytest.raises(InvalidTransition):
            services.report_in(world.user("handler_zj"), d.pk, d.version, report="再报一次")
    statuses = {row.unit.code: row.status(START + timedelta(hours=7)) for row in SummonedUnit.objects.all()}
    assert statuses == {"zj": "on_time", "cg": "late"}
    assert fresh(demand).events.get(action="report_in", actor__username="handler_cg").payload["late"] is True
    assert SummonedUnit.objects.get(unit=world.units["cg"]).reported_at == START + timedelta(hours=6)


def test_a_department_not_summoned_cannot_report_in(world):
    demand = bring_to(world, "dispatched")
    services.summon_units(world.user("dispatcher1"), demand.pk, demand.version, reason="协调", units=["zj"])
    d = fresh(demand)
    with pytest.raises(OutOfScope):
        services.report_in(world.user("handler_cg"), d.pk, d.version, report="未被吹哨")
    with pytest.raises(ValidationFailed):
        services.summon_units(world.user("dispatcher1"), d.pk, d.version, reason="协调", units=[])
    with pytest.raises(PermissionDenied):
        services.summon_units(world.user("handler_cg"), d.pk, d.version, reason="协调", units=[world.units["zj"]])


def test_an_overdue_reply_is_reported_once_to_the_superior_and_the_one_who_ordered(world):
    from minsheng.supervision.sweeps import run_sweeps

    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "in_progress")
        services.order_supervision(world.user("dispatcher1"), demand.pk, demand.version, instruction="限期回复",
                                   reply_by=START + timedelta(hours=8))
    with time_machine.travel(START + timedelta(hours=7), tick=False):
        assert run_sweeps().replies_overdue == 0
    with time_machine.travel(START + timedelta(hours=9), tick=False):
        assert run_sweeps().replies_overdue == 1
        assert run_sweeps().replies_overdue == 0
    # 区城管局's superior is the district centre; the street dispatcher who ordered it is told too.
    assert {"dispatcher", "leader", "dispatcher1"} <= told("supervision-overdue:")
    assert "handler_zj" not in told("supervision-overdue:")


def test_the_admin_shows_supervision_orders_only_within_scope(world, client):
    from django.contrib.auth.models import Permission

    demand = bring_to(world, "in_progress")
    services.order_supervision(world.user("leader"), demand.pk, demand.version, instruction="限期回复整改情况",
                               reply_by=START + timedelta(days=400))
    for name, sees in [("dispatcher1", True), ("dispatcher2", False)]:
        user = world.users[name]
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="view_supervisionorder"))
        client.force_login(user)
        page = client.get("/admin/supervision/supervisionorder/").content.decode()
        assert (demand.number in page) is sees


def test_verify_events_rebuilds_demands_with_supervision_steps(world):
    from io import StringIO

    from django.core.management import call_command

    from minsheng.supervision.revisits import record_unanswered_call

    demand = bring_to(world, "in_progress")
    for step in (
        lambda d: services.order_supervision(world.user("leader"), d.pk, d.version, instruction="限期回复",
                                             reply_by=START + timedelta(days=400)),
        lambda d: services.reply_supervision(world.user("handler_cg"), d.pk, d.version, reply="已整改"),
        lambda d: services.summon_units(world.user("dispatcher1"), d.pk, d.version, reason="协调", units=["zj"]),
        lambda d: services.report_in(world.user("handler_zj"), d.pk, d.version, report="已到场"),
        lambda d: demand_services.resolve_demand(world.user("handler_cg"), d.pk, d.version, result="已修复"),
        lambda d: record_unanswered_call(world.user("operator"), d.pk, d.version),
    ):
        step(fresh(demand))
    out = StringIO()
    call_command("verify_events", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "mismatches=0 demands=1"
    assert fresh(demand).version == 10


def test_a_department_late_to_report_is_reminded_once_with_the_unit_that_summoned_it(world):
    from minsheng.supervision.sweeps import run_sweeps

    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "dispatched")
        services.summon_units(world.user("dispatcher1"), demand.pk, demand.version, reason="管线权属",
                              units=["zj", "cg"], report_hours=4)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        d = fresh(demand)
        services.report_in(world.user("handler_zj"), d.pk, d.version, report="已到场")
        assert run_sweeps().reports_overdue == 0
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        assert run_sweeps().reports_overdue == 1
        assert run_sweeps().reports_overdue == 0
    assert told("summons-overdue:") >= {"handler_cg", "dispatcher1"}
    assert "handler_zj" not in told("summons-overdue:")
