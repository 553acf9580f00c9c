"""A city above its districts: 直派 from the city centre, scope per level, figures per district."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from minsheng.assessment import selectors as figures
from minsheng.catalogue.models import Category, DispatchRule, TimeLimitPolicy
from minsheng.core import clock
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.organisation.levels import district_offset, level_of
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import demand_filter
from tests.conftest import World, _region, _unit, _user


@pytest.fixture
def city(db) -> World:
    w = World()
    _region(w, "city", "city", "示范市")
    for d in ("d1", "d2"):
        _region(w, d, "district", f"{d}区", "city")
        _region(w, f"{d}s", "street", f"{d}街道", d)
        _region(w, f"{d}c", "community", f"{d}社区", f"{d}s")
        _region(w, f"{d}g", "grid", f"{d}网格", f"{d}c")
    _unit(w, "cc", "city_centre", "示范市12345中心", "city")
    _user(w, "operator", "cc", Role.HOTLINE_OPERATOR)
    _user(w, "citydispatcher", "cc", Role.STREET_DISPATCHER)
    _user(w, "cityleader", "cc", Role.LEADER)
    for d in ("d1", "d2"):
        _unit(w, f"{d}centre", "district_centre", f"{d}区中心", d, "cc")
        _unit(w, f"{d}so", "street_office", f"{d}街道办", f"{d}s", f"{d}centre")
        _user(w, f"{d}leader", f"{d}centre", Role.LEADER)
        _user(w, f"{d}handler", f"{d}so", Role.DEPARTMENT_HANDLER)
    return w


def _register(w: World, grid: str, actor: str = "operator") -> Demand:
    return services.register_demand(
        w.user(actor), channel="hotline", demand_type="complaint", title="路灯不亮",
        description="小区门口的路灯坏了一周，晚上很黑。", region=w.regions[grid], category="construction.roads",
        reporter=services.ReporterInput(name="张伟", phone="13700001234"))


def test_the_tree_starts_at_a_province_a_city_or_a_district_and_steps_one_level_down(city):
    Region(kind="city", name="市", code="x1").clean()
    Region(kind="province", name="省", code="x2").clean()
    with pytest.raises(ValidationError):
        Region(kind="street", name="街道", code="x3").clean()
    with pytest.raises(ValidationError):
        Region(kind="street", name="街道", code="x4", parent=city.regions["city"]).clean()
    Region(kind="district", name="区", code="x5", parent=city.regions["city"]).clean()


def test_levels_count_from_the_district_whatever_stands_above_it(city):
    grid = city.regions["d2g"]
    assert district_offset(grid.path) == 1
    assert level_of(grid.path) == 3
    assert level_of(city.regions["city"].path) == -1
    assert level_of(city.regions["d1"].path) == 0


def test_the_city_centre_dispatches_straight_to_a_street_and_each_district_sees_its_own(city):
    demand = _register(city, "d2g")
    demand = services.verify_demand(city.user("citydispatcher"), demand.pk, demand.version)
    demand = services.dispatch_demand(city.user("citydispatcher"), demand.pk, demand.version,
                                      unit=city.units["d2so"].pk)
    assert demand.handling_unit == city.units["d2so"]
    demand = services.accept_demand(city.user("d2handler"), demand.pk, demand.version)
    demand = services.resolve_demand(city.user("d2handler"), demand.pk, demand.version, result="已修好路灯")
    demand = services.revisit_demand(city.user("operator"), demand.pk, demand.version,
                                     satisfaction="satisfied", solved="solved")
    demand = services.close_demand(city.user("operator"), demand.pk, demand.version)
    assert demand.state == "closed"

    def visible(name):
        return set(Demand.objects.filter(demand_filter(city.user(name))).values_list("pk", flat=True))

    assert demand.pk in visible("cityleader")
    assert demand.pk in visible("d2leader")
    assert demand.pk not in visible("d1leader")


def test_a_city_wide_catalogue_rule_routes_and_its_time_limit_binds_when_stricter(city):
    roads = Category.objects.get(code="construction.roads")
    utilities = TimeLimitPolicy.objects.get(code="utilities")
    DispatchRule.objects.create(category=roads, region=city.regions["city"], unit=city.units["d1so"],
                                time_limit=utilities)
    demand = _register(city, "d2g")
    demand = services.verify_demand(city.user("citydispatcher"), demand.pk, demand.version)
    general_due = clock.now() + timedelta(days=2)
    demand = services.dispatch_demand(city.user("citydispatcher"), demand.pk, demand.version)
    assert demand.handling_unit == city.units["d1so"]
    assert demand.urgency == utilities
    assert demand.handle_due < general_due


def test_a_city_leader_sees_the_figures_per_district_a_district_leader_only_its_own(city):
    rng = random.Random()
    counts = {"d1": rng.randint(1, 4), "d2": rng.randint(1, 4)}
    for d, n in counts.items():
        for _ in range(n):
            _register(city, f"{d}g")
    today = timezone.localdate(clock.now())
    rows = {r.label: r.figures.registered for r in figures.table(city.user("cityleader"), today, today, "district")}
    assert rows == {"d1区": counts["d1"], "d2区": counts["d2"]}
    streets = {r.label: r.figures.registered for r in figures.table(city.user("d1leader"), today, today, "street")}
    assert streets == {"d1街道": counts["d1"]}


def test_the_city_s_report_and_dashboard_break_down_by_district(city, client):
    for d in ("d1", "d2"):
        _register(city, f"{d}g")
    client.force_login(city.user("cityleader"))
    report = client.get(reverse("web:assessment_report"))
    assert report.status_code == 200
    assert {r.label for r in report.context["regions"]} == {"d1区", "d2区"}
    assert client.get(reverse("web:dashboard")).status_code == 200
    client.force_login(city.user("d1leader"))
    report = client.get(reverse("web:assessment_report"))
    assert {r.label for r in report.context["regions"]} == {"d1街道"}
