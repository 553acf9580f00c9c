"""Estates in the region tree, the catalogue's rule to the estate's company, the yearly evaluation,
households and the chiefs (docs/estates.md)."""

import random

import pytest
from django.core.exceptions import ValidationError

from minsheng.catalogue.models import Category, DispatchRule
from minsheng.catalogue.selectors import dispatch_rule
from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.demands.models import Demand
from minsheng.grids import estates
from minsheng.grids.models import Chief, PropertyEvaluation
from minsheng.organisation.models import Region
from minsheng.organisation.scope import demand_filter, region_filter
from minsheng.people.models import Resident
from minsheng.routing.duplicates import grid_of
from tests.demands.helpers import register

from .estate_world import build_estate, make_chief, resident_account


@pytest.fixture
def ew(world):
    return build_estate(world)


def test_estate_sits_between_grid_and_building_and_scope_still_holds(world, ew):
    grid = world.regions["g1"]
    assert ew.estate.region.parent == grid and ew.building.parent == ew.estate.region
    assert ew.building.path.startswith(grid.path) and ew.entrances[0].path.startswith(ew.building.path)
    assert grid_of(ew.building) == grid and grid_of(ew.entrances[1]) == grid
    # the grid worker of g1 covers the estate's building and units; the other community's staff does not
    gw, other = world.user("gridworker"), world.user("staff2")
    assert Region.objects.filter(region_filter(gw, ""), pk=ew.entrances[0].pk).exists()
    assert not Region.objects.filter(region_filter(other, ""), pk=ew.entrances[0].pk).exists()
    demand = register(world, region="g1", category="construction.property")
    Demand.objects.filter(pk=demand.pk).update(region=ew.entrances[1])
    assert Demand.objects.filter(demand_filter(world.user("staff1")), pk=demand.pk).exists()
    assert not Demand.objects.filter(demand_filter(other), pk=demand.pk).exists()


def test_region_levels_estate_optional_unit_only_under_building(world, ew):
    grid = world.regions["g1"]
    Region(kind=Region.Kind.BUILDING, name="平房1号", code="x1", parent=grid).clean()  # no estate: fine
    Region(kind=Region.Kind.ESTATE, name="x", code="x2", parent=grid).clean()
    with pytest.raises(ValidationError):
        Region(kind=Region.Kind.ENTRANCE, name="1单元", code="x3", parent=grid).clean()
    with pytest.raises(ValidationError):
        Region(kind=Region.Kind.ESTATE, name="x", code="x4", parent=world.regions["c1"]).clean()
    Region(kind=Region.Kind.ENTRANCE, name="3单元", code="x5", parent=ew.building).clean()


def test_property_matter_goes_to_the_estate_company(world, ew):
    prop = Category.objects.get(code="construction.property")
    DispatchRule.objects.create(category=prop, unit=world.units["zj"], to_estate_property=True)
    assert dispatch_rule(prop, ew.entrances[0]).unit == ew.company
    assert dispatch_rule(prop, ew.building).unit == ew.company
    # outside an estate, and in an estate without a company, the rule's own unit answers
    assert dispatch_rule(prop, world.regions["g2"]).unit == world.units["zj"]
    ew.estate.property_company = None
    ew.estate.save()
    assert dispatch_rule(prop, ew.building).unit == world.units["zj"]


def test_dispatch_of_a_property_demand_names_the_company(world, ew):
    from minsheng.demands import services

    prop = Category.objects.get(code="construction.property")
    DispatchRule.objects.create(category=prop, unit=world.units["zj"], to_estate_property=True)
    demand = register(world, region="g1", category="construction.property")
    Demand.objects.filter(pk=demand.pk).update(region=ew.building)
    demand = services.verify_demand(world.user("staff1"), demand.pk, demand.version)
    demand = services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version)
    assert demand.handling_unit == ew.company


def _answers(rng):
    return {code: rng.choice(estates.ANSWER_CODES) for code, _label in estates.QUESTIONS}


def test_evaluation_once_a_year_and_tallies_equal_the_answers(world, ew):
    rng = random.Random()
    submitted = []
    for i, resident in enumerate(ew.residents):
        user = resident_account(resident, f"r{i}")
        answers = _answers(rng)
        estates.evaluate_property(user, answers=answers)
        submitted.append(answers)
        with pytest.raises(ValidationFailed, match="今年已评价"):
            estates.evaluate_property(user, answers=_answers(rng))
    tally = estates.tally(ew.estate, estates.current_year())
    assert tally.responses == len(ew.residents) == PropertyEvaluation.objects.count()
    pleased = 0
    for q in tally.questions:
        expected = {a: sum(1 for s in submitted if s[q.code] == a) for a in estates.ANSWER_CODES}
        assert q.counts == expected and q.total == len(submitted)
        assert all(0 <= r <= 100 for r in q.rates.values())
        assert abs(sum(q.rates.values()) - 100) < 0.2
        pleased += expected["satisfied"] + expected["basic"]
    assert tally.satisfaction == round(100 * pleased / (len(submitted) * len(estates.QUESTIONS)), 1)


def test_evaluation_refusals(world, ew):
    outsider = Resident.objects.get(name="王奎")  # lives in the grid, not in the estate
    with pytest.raises(PermissionDenied, match="没有找到您所住的小区"):
        estates.evaluate_property(outsider.user, answers=_answers(random.Random(1)))
    user = resident_account(ew.residents[0], "r0")
    with pytest.raises(ValidationFailed) as exc:
        estates.evaluate_property(user, answers={"attitude": "satisfied"})
    assert "cleaning" in exc.value.field_errors
    assert not PropertyEvaluation.objects.exists()


def test_household_linking_moves_the_resident_to_the_unit(world, ew):
    resident = Resident.objects.get(name="李秀英")
    estates.link_household(world.user("gridworker"), resident, ew.houses[2])
    resident.refresh_from_db()
    assert resident.house == ew.houses[2] and resident.region == ew.entrances[1]
    assert resident in estates.residents_in(ew.entrances[1]) and resident not in estates.residents_in(
        ew.entrances[0])
    with pytest.raises(PermissionDenied):
        estates.link_household(world.user("staff2"), resident, ew.houses[0])


def test_chiefs_scope_and_masked_list(world, ew, client):
    building_chief = make_chief(world, ew)
    unit_chief = make_chief(world, ew, Chief.Kind.ENTRANCE, ew.entrances[1], username="unitchief")
    assert estates.chief_covers(building_chief.user, ew.entrances[0])
    assert not estates.chief_covers(unit_chief.user, ew.entrances[0])
    assert not estates.chief_covers(building_chief.user, world.regions["g1"])
    with pytest.raises(ValidationFailed):
        estates.appoint_chief(world.user("staff1"), user=world.user("nobody"), region=ew.building, kind="entrance")
    with pytest.raises(PermissionDenied):
        estates.appoint_chief(world.user("staff2"), user=world.user("nobody"), region=ew.building, kind="building")
    client.force_login(unit_chief.user)
    page = client.get("/chief/").content.decode()
    assert "孙立" in page and "陈桂兰" not in page
    assert "13500000003" not in page and "135****0003" in page
    from minsheng.web.homes import home_url

    assert home_url(unit_chief.user) == "/chief/"


def test_estate_pages(world, ew, login):
    make_chief(world, ew)
    page = login("staff1").get(f"/work/estates/{ew.estate.pk}/").content.decode()
    assert "楼栋长" in page and "chief" in page
    assert "玫瑰园物业公司" in page and "业主委员会" in page and "玫瑰园小区党支部" in page and "玫瑰园1号楼" in page
    assert "玫瑰园" in login("staff1").get("/work/estates/").content.decode()
    assert login("staff2").get(f"/work/estates/{ew.estate.pk}/").status_code == 404


def test_addresses_resolve_through_the_estate(world, ew):
    from minsheng.routing.addresses import resolve_address

    found = resolve_address("玫瑰城社区玫瑰园1号楼2单元201")
    assert found.status == "resolved"
    assert (found.grid, found.building) == (world.regions["g1"], ew.building)
    found = resolve_address("光明街道玫瑰园")  # the estate named alone: its grid
    assert found.status == "resolved" and found.grid == world.regions["g1"] and found.building is None
