"""Needs collected at a door-to-door visit, each recorded once, become a demand, a wish, a secretary
project's need or an item of the yearly list, with the link kept both ways."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, ValidationFailed
from minsheng.demands.models import Demand
from minsheng.projects import selectors, services
from minsheng.projects.models import CollectedNeed
from minsheng.projects.services import NeedInput

from .conftest import make_project

pytestmark = pytest.mark.django_db
AT = datetime(2026, 4, 14, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _visit(world, *titles, actor="gridworker", region="g1"):
    return services.record_collection(world.user(actor), kind="visit", region=world.regions[region],
                                      held_on=date(2026, 4, 14), place="幸福里3号楼", households=12,
                                      needs=[NeedInput(t, t + "，居民入户时反映。") for t in titles])


def test_each_need_of_a_visit_becomes_one_thing_linked_both_ways(world, party):
    with clock.frozen_at(AT):
        visit = _visit(world, "楼道灯不亮", "独居老人想要一台收音机", "小区没有电梯", "健身器材损坏")
        project = make_project(world, party)
        lamp, radio, lift, gym = visit.needs.order_by("pk")
        services.convert_need(world.user("gridworker"), lamp.pk, into="demand", demand_type="help")
        services.convert_need(world.user("gridworker"), radio.pk, into="wish")
        services.convert_need(world.user("staff1"), lift.pk, into="project", project=project.pk)
        services.convert_need(world.user("staff1"), gym.pk, into="list_item",
                              list_item={"owner_label": "社区居委会", "due": date(2026, 6, 30),
                                         "organisation": party.community1})

    demand = Demand.objects.get(collected_need__pk=lamp.pk)
    assert (demand.kind, demand.channel, demand.title, demand.region) == ("demand", "patrol", "楼道灯不亮",
                                                                          world.regions["g1"])
    assert demand.collected_need.collection == visit  # and back from the demand to its source
    wish = Demand.objects.get(collected_need__pk=radio.pk)
    assert wish.kind == "wish" and wish.state == "registered"
    assert list(project.needs.all()) == [CollectedNeed.objects.get(pk=lift.pk)]
    gym.refresh_from_db()
    assert gym.list_item.collected_need == gym and gym.list_item.title == "健身器材损坏"
    assert gym.list_item.organisation == party.community1

    stats = selectors.collection_stats(world.user("staff1"), 2026)
    assert (stats.visits, stats.households, stats.needs) == (1, 12, 4)
    assert stats.became == {"demand": 1, "wish": 1, "project": 1, "list_item": 1}


def test_a_need_is_converted_once_only(world):
    with clock.frozen_at(AT):
        need = _visit(world, "楼道灯不亮").needs.get()
        services.convert_need(world.user("gridworker"), need.pk, into="demand")
        with pytest.raises(InvalidTransition):
            services.convert_need(world.user("gridworker"), need.pk, into="wish")
    assert Demand.objects.count() == 1


def test_the_same_need_is_not_recorded_twice_on_one_visit(world):
    with clock.frozen_at(AT), pytest.raises(ValidationFailed) as err:
        _visit(world, "楼道灯不亮", "楼道灯不亮")
    assert "needs" in err.value.field_errors
    assert not CollectedNeed.objects.exists()


def test_visits_outside_ones_territory_are_refused(world):
    with clock.frozen_at(AT), pytest.raises(OutOfScope):
        _visit(world, "路灯坏了", actor="staff2", region="g1")


def test_a_refused_conversion_writes_nothing(world):
    with clock.frozen_at(AT):
        need = _visit(world, "楼道灯不亮").needs.get()
        with pytest.raises(ValidationFailed):
            services.convert_need(world.user("gridworker"), need.pk, into="demand", demand_type="no-such-type")
    need.refresh_from_db()
    assert need.became == "" and need.demand is None and not Demand.objects.exists()
