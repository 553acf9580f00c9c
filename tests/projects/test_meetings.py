"""Joint meetings: each decision becomes an action item (a demand, a project, a list item) with an owner
and a deadline, and the next meeting opens with the items still open, read live from what they became."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from minsheng.core import clock
from minsheng.core.errors import OutOfScope, ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.projects import selectors, services
from minsheng.projects.models import Decision

from .conftest import make_project

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date):
    return clock.frozen_at(datetime(day.year, day.month, day.day, 15, tzinfo=TZ))


def _meeting(world, held_on=None, kind="joint"):
    return services.record_meeting(world.user("staff1"), region=world.regions["c1"], kind=kind, held_on=held_on,
                                   place="社区党群服务中心", agenda="1. 小区停车难\n2. 楼道堆物",
                                   attendees="社区书记周红\n物业经理李明\n居民代表王奎")


def test_meetings_fall_on_tuesdays_by_default(world, settings):
    with at(date(2026, 3, 5)):  # a Thursday
        meeting = _meeting(world)
    assert meeting.held_on == date(2026, 3, 10) and meeting.held_on.weekday() == 1
    settings.MINSHENG_MEETING_WEEKDAY = 3
    assert services.next_meeting_day(date(2026, 3, 5)) == date(2026, 3, 5)


def test_a_decision_becomes_a_demand_and_is_reported_at_the_next_meeting(world, party):
    with at(date(2026, 3, 3)):
        first = _meeting(world, date(2026, 3, 3))
        services.write_minutes(world.user("staff1"), first.pk, minutes="议定：清理3号楼楼道堆物，物业负责。")
        decision = services.record_decision(world.user("staff1"), first.pk, text="清理3号楼楼道堆物",
                                            owner_label="物业经理李明", due=date(2026, 3, 9), became="demand")
        done = services.record_decision(world.user("staff1"), first.pk, text="增设临时停车位",
                                        owner_label="社区居委会", due=date(2026, 3, 6), became="list_item",
                                        organisation=party.community1)
    demand = decision.demand
    assert (demand.channel, demand.region, demand.title) == ("meeting", world.regions["c1"], "清理3号楼楼道堆物")
    assert Demand.objects.get(meeting_decision=decision) == demand
    assert done.list_item.meeting == first and done.list_item.decision == done
    with at(date(2026, 3, 6)):
        services.tick_off(world.user("staff1"), done.list_item.pk, evidence="已施划12个车位")

    with at(date(2026, 3, 10)):
        second = _meeting(world)
        carried = selectors.open_items_carried_into(second, date(2026, 3, 10))
    assert selectors.previous_meeting(second) == first
    assert [d.pk for d in carried] == [decision.pk]  # the done list item is not carried
    assert carried[0].state_label == f"{demand.number} 已登记"

    # The live state is read from the demand: once it is resolved the item is no longer open.
    with at(date(2026, 3, 12)):
        demand_services.resolve_on_spot(world.user("staff1"), demand.pk, demand.version, result="楼道已清理")
    assert selectors.open_items_carried_into(second, date(2026, 3, 17)) == []
    # Other formats are series of their own.
    with at(date(2026, 3, 10)):
        bench = _meeting(world, date(2026, 3, 10), kind="bench")
    assert selectors.previous_meeting(bench) is None


def test_a_decision_can_be_a_secretary_projects_task(world, party):
    with at(date(2026, 2, 3)):
        project = make_project(world, party)
        meeting = _meeting(world, date(2026, 2, 3))
        decision = services.record_decision(world.user("staff1"), meeting.pk, text="电梯加装纳入书记项目",
                                            owner_label="社区书记周红", due=date(2026, 12, 31), became="project",
                                            project=project.pk)
        later = _meeting(world, date(2026, 2, 10))
    assert list(project.decisions.all()) == [decision]
    [carried] = selectors.open_items_carried_into(later, date(2026, 2, 10))
    assert carried.state_label == "老旧小区加装电梯 正常推进"


def test_refusals_write_nothing(world, party):
    with at(date(2026, 3, 3)):
        meeting = _meeting(world, date(2026, 3, 3))
        with pytest.raises(ValidationFailed):  # a deadline before the meeting
            services.record_decision(world.user("staff1"), meeting.pk, text="清理楼道", owner_label="物业",
                                     due=date(2026, 3, 1), became="demand")
        with pytest.raises(OutOfScope):
            services.record_decision(world.user("staff2"), meeting.pk, text="清理楼道", owner_label="物业",
                                     due=date(2026, 3, 9), became="demand")
        with pytest.raises(ValidationFailed):  # a project of another community
            project = make_project(world, party, actor="staff2", org=party.community2)
            services.record_decision(world.user("staff1"), meeting.pk, text="x", owner_label="物业",
                                     due=date(2026, 3, 9), became="project", project=project.pk)
    assert not Decision.objects.exists() and not Demand.objects.exists()
