"""The four ways of handling a station case, end to end on the demand engine, with the six
steps read from the events and every case rebuildable from its events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.demands import selectors as demand_selectors
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.demands.workflow import Channel, State
from minsheng.stations import actions, selectors, services
from minsheng.stations.models import StationCase

from ..demands.helpers import register

pytestmark = pytest.mark.django_db


def take(world, station, *, actor="agent", phone="13900001111", name="李秀英", **extra) -> Demand:
    fields = {"title": "代缴水费", "description": "老人腿脚不便，请代缴本季度水费。", "service_item": "bill_payment",
              "reporter": engine.ReporterInput(name=name, phone=phone), "consent": True}
    fields.update(extra)
    return services.take_in(world.user(actor) if actor else None, station, **fields)


def steps_of(demand) -> dict[str, str]:
    return {s.label: "done" if s.done else "skipped" if s.skipped else "open"
            for s in selectors.case_steps(Demand.objects.get(pk=demand.pk))}


def assert_replays(demand) -> None:
    stored = Demand.objects.get(pk=demand.pk)
    assert differences(stored, rebuild(list(stored.events.order_by("seq")))) == []


def test_on_the_spot_resolves_at_once_and_skips_reporting_up(world, stations):
    demand = take(world, stations["family"])
    assert demand.channel == Channel.STATION and demand.vulnerable  # 李秀英 is an elderly person living alone
    demand = services.handle_on_spot(world.user("agent"), demand.pk, demand.version, result="已当场代缴水费并交回收据")
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.state == State.RESOLVED and stored.handling_unit_id == world.units["st1"].pk
    case = StationCase.objects.get(demand=demand)
    assert case.way == "on_spot" and case.agent == stations["agent"]
    assert steps_of(demand) == {"受理": "done", "核实": "done", "告知": "done", "上报": "skipped", "代办": "done",
                                "反馈": "done"}
    assert_replays(demand)


def test_timed_handling_promises_a_time_that_becomes_the_deadline(world, stations):
    demand = take(world, stations["family"], title="代购药品", service_item="medicine")
    promise = clock.now() + timedelta(days=2)
    demand = services.undertake_case(world.user("agent"), demand.pk, demand.version, way="timed",
                                     promised_at=promise, note="后天下午前把药送到家")
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.state == State.IN_PROGRESS
    assert stored.handle_due == promise and stored.handling_unit_id == world.units["st1"].pk
    assert stored.assignee_id == world.users["agent"].pk
    assert StationCase.objects.get(demand=demand).promised_at == promise
    assert steps_of(demand)["告知"] == "done" and steps_of(demand)["反馈"] == "open"
    # Past the promise, the case shows red like any overdue demand.
    assert demand_selectors.time_status(stored, promise + timedelta(minutes=1)) == "red"
    demand = engine.resolve_demand(world.user("agent"), demand.pk, stored.version, result="药品已送到")
    assert Demand.objects.get(pk=demand.pk).state == State.RESOLVED
    assert steps_of(demand) == {"受理": "done", "核实": "done", "告知": "done", "上报": "skipped", "代办": "done",
                                "反馈": "done"}
    assert_replays(demand)


def test_a_promise_in_the_past_is_refused_and_nothing_is_written(world, stations):
    demand = take(world, stations["family"])
    with pytest.raises(ValidationFailed) as err:
        services.undertake_case(world.user("agent"), demand.pk, demand.version, way="timed",
                                promised_at=clock.now() - timedelta(hours=1), note="昨天办")
    assert "promised_at" in err.value.field_errors
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.state == State.REGISTERED and stored.events.count() == 1  # not even the verification
    assert StationCase.objects.get(demand=demand).way == ""
    with pytest.raises(ValidationFailed):
        services.undertake_case(world.user("agent"), demand.pk, demand.version, way="timed", note="没有时间")


def test_guided_handling_goes_with_the_resident(world, stations):
    demand = take(world, stations["family"], title="办理高龄补贴", service_item="elderly_allowance")
    with pytest.raises(ValidationFailed):
        services.undertake_case(world.user("agent"), demand.pk, demand.version, way="guided", note="")
    demand = services.undertake_case(world.user("agent"), demand.pk, demand.version, way="guided",
                                     note="周三上午陪同到街道便民服务中心，带身份证和户口本")
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.state == State.IN_PROGRESS and stored.handle_due is None
    engine.resolve_demand(world.user("agent"), demand.pk, stored.version, result="已陪同办理，补贴下月到账")
    assert StationCase.objects.get(demand=demand).way == "guided"
    assert steps_of(demand)["反馈"] == "done"
    assert_replays(demand)


def test_reported_up_cases_are_dispatched_through_the_engine(world, stations):
    demand = take(world, stations["family"], title="楼前路面塌陷", category="construction.roads",
                  service_item="house_repair", description="5号楼前路面塌陷，需要城管处理。")
    demand = services.report_up(world.user("agent"), demand.pk, demand.version, reason="涉及市政道路，需部门处理")
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.state == State.PENDING_DISPATCH
    assert [e.action for e in stored.events.order_by("seq")] == ["register", "verify", "station_report"]
    assert steps_of(demand)["上报"] == "done" and steps_of(demand)["代办"] == "open"
    stored = engine.dispatch_demand(world.user("dispatcher1"), stored.pk, stored.version)
    assert stored.handling_unit_id == world.units["cg"].pk
    stored = engine.accept_demand(world.user("handler_cg"), stored.pk, stored.version)
    stored = engine.resolve_demand(world.user("handler_cg"), stored.pk, stored.version, result="已修复路面")
    engine.revisit_demand(world.user("operator"), stored.pk, stored.version, satisfaction="satisfied", solved="solved")
    assert all(v == "done" for v in steps_of(demand).values())
    assert StationCase.objects.get(demand=demand).way == "joint"
    assert_replays(demand)


def test_a_resident_files_at_the_station_page_without_an_account(world, stations):
    demand = take(world, stations["community"], actor=None, phone="13512345678", name="赵敏")
    assert demand.channel == Channel.STATION and demand.registered_by_id is None and not demand.vulnerable
    case = StationCase.objects.get(demand=demand)
    assert case.station == stations["community"] and case.agent is None
    assert demand.region_id == world.regions["c1"].pk
    with pytest.raises(ValidationFailed) as err:
        take(world, stations["community"], actor=None, phone="13512345679", consent=False)
    assert "consent" in err.value.field_errors
    assert StationCase.objects.count() == 1


def test_a_service_item_the_station_does_not_offer_is_refused(world, stations):
    stations["family"].service_items.remove(*stations["family"].service_items.filter(code="legal_aid"))
    with pytest.raises(ValidationFailed):
        take(world, stations["family"], service_item="legal_aid")
    assert not Demand.objects.exists()


def test_station_rows_refuse_a_demand_that_did_not_come_through_a_station(world, stations):
    hotline = register(world)
    with pytest.raises(InvalidTransition):
        actions.undertake(world.user("agent"), hotline.pk, hotline.version, way="guided", note="试试")
    with pytest.raises(NotFound):
        services.report_up(world.user("agent"), hotline.pk, hotline.version, reason="试试")
    assert Demand.objects.get(pk=hotline.pk).version == hotline.version


def test_the_agents_list_serves_vulnerable_residents_first(world, stations):
    first = take(world, stations["family"], phone="13512340000", name="孙强")
    vulnerable = take(world, stations["family"])
    queue = list(selectors.agent_queue(world.user("agent")))
    assert [d.pk for d in queue] == [vulnerable.pk, first.pk]


def test_a_broken_promise_is_flagged_by_the_deadline_sweeps(world, stations):
    from minsheng.notifications.models import OutboxMessage
    from minsheng.supervision.sweeps import run_sweeps

    demand = take(world, stations["family"], title="代购药品")
    promise = clock.now() + timedelta(hours=4)
    services.undertake_case(world.user("agent"), demand.pk, demand.version, way="timed", promised_at=promise,
                            note="四小时内送到")
    run_sweeps(promise + timedelta(minutes=5))
    told = OutboxMessage.objects.filter(recipient=world.users["agent"], subject__startswith="超期提醒")
    assert told.exists() and demand.number in told.first().subject


def test_station_rows_are_offered_only_on_station_cases(world, stations):
    """The rows apply to station cases only, in the table itself: neither offered nor allowed elsewhere."""
    agent = world.user("agent")
    station_rows = {actions.UNDERTAKE, actions.REPORT}

    def offered(demand) -> set[str]:
        return {spec.action for spec in demand_selectors.available_actions(agent, Demand.objects.get(pk=demand.pk))}

    case = take(world, stations["family"])
    assert actions.UNDERTAKE in offered(case)
    hotline = register(world)
    # Through the engine's own intake, even on the station channel, there is no station case.
    counter = register(world, actor="agent", channel="station")
    wish = register(world, actor="agent", channel="station", kind="wish")
    for demand in (hotline, counter, wish):
        assert not offered(demand) & station_rows, demand.channel
        with pytest.raises(InvalidTransition):
            actions.undertake(agent, demand.pk, demand.version, way="guided", note="试试")
        assert Demand.objects.get(pk=demand.pk).version == demand.version
    verified = engine.verify_demand(world.user("operator"), hotline.pk, hotline.version)
    assert not offered(verified) & station_rows
    with pytest.raises(InvalidTransition):
        actions.report(agent, verified.pk, verified.version, reason="试试")


def test_a_kept_and_a_broken_promise_count_in_the_stations_figures(world, stations):
    """A station's undertaking is a round of handling like a dispatch: its promise is the
    deadline the completion rates are computed over, and no rate passes 100 %."""
    from minsheng.assessment import selectors as figures

    kept = take(world, stations["family"], title="代购药品", service_item="medicine")
    kept = services.undertake_case(world.user("agent"), kept.pk, kept.version, way="timed",
                                   promised_at=clock.now() + timedelta(days=2), note="后天下午前把药送到家")
    engine.resolve_demand(world.user("agent"), kept.pk, kept.version, result="药品已送到")
    broken = take(world, stations["family"], title="代缴电费", phone="13900002222", name="王建国")
    promise = clock.now() + timedelta(days=1)
    broken = services.undertake_case(world.user("agent"), broken.pk, broken.version, way="timed",
                                     promised_at=promise, note="明天缴清")
    with clock.frozen_at(promise + timedelta(days=1)):
        engine.resolve_demand(world.user("agent"), broken.pk, broken.version, result="已缴清")
    today = timezone.localdate(clock.now())
    with clock.frozen_at(clock.now() + timedelta(days=60)):
        f = figures.figures(world.user("leader"), today, today + timedelta(days=30),
                            figures.Filters(unit=world.units["st1"]))
    assert (f.dispatched, f.due, f.completed, f.completed_on_time, f.resolved) == (2, 2, 2, 1, 2)
    assert f.on_time == 50 and f.completion == 100


def test_the_agents_list_keeps_what_waits_for_the_station_overdue_first(world, stations):
    reported = take(world, stations["family"], phone="13512340001", name="赵六")
    reported = services.report_up(world.user("agent"), reported.pk, reported.version, reason="需要街道协调")
    waiting = take(world, stations["family"], phone="13512340002", name="钱七")
    promised = take(world, stations["family"], phone="13512340003", name="周八")
    promised = services.undertake_case(world.user("agent"), promised.pk, promised.version, way="timed",
                                       promised_at=clock.now() + timedelta(hours=2), note="两小时内办好")
    Demand.objects.filter(pk=promised.pk).update(handle_due=clock.now() - timedelta(minutes=5))
    queue = [d.pk for d in selectors.agent_queue(world.user("agent"))]
    # The case reported up waits for the street, not the station; the broken promise comes first.
    assert queue == [promised.pk, waiting.pk]
