"""Addresses resolved to community, grid and building — or flagged, never guessed."""

import pytest

from minsheng.organisation.models import Region
from minsheng.routing.addresses import resolve_address


@pytest.fixture
def buildings(world):
    world.regions["c1"].aliases = "玫瑰城"
    world.regions["c1"].save()
    made = {}
    for key, grid in (("b1", "g1"), ("b2", "g2")):  # the same compound name in two communities
        made[key] = Region.objects.create(kind="building", name="幸福里小区5号楼", code=key, parent=world.regions[grid])
    made["b3"] = Region.objects.create(kind="building", name="幸福里小区6号楼", code="b3", parent=world.regions["g1b"])
    return made


@pytest.mark.parametrize("address", ["光明街道玫瑰城社区幸福里小区5号楼3单元201",
                                     "辽宁省抚顺市望花区玫瑰城幸福里5栋", "玫瑰城社区 5号楼 2单元"])
def test_resolved_to_community_grid_and_building(world, buildings, address):
    found = resolve_address(address)
    assert found.status == "resolved"
    assert (found.community, found.grid, found.building) == (world.regions["c1"], world.regions["g1"], buildings["b1"])
    assert "地址已识别" in found.message


def test_a_grid_named_without_a_building_resolves_to_the_grid(world, buildings):
    found = resolve_address("玫瑰城第二网格附近")
    assert found.status == "resolved" and found.grid == world.regions["g1b"] and found.building is None


@pytest.mark.parametrize("address", ["幸福里小区5号楼", "雷锋社区玫瑰城第一网格"])
def test_ambiguous_addresses_are_flagged_with_the_candidates(world, buildings, address):
    found = resolve_address(address)
    assert found.status == "ambiguous" and len(found.candidates) == 2
    assert found.grid is None and "请派单员确认" in found.message


@pytest.mark.parametrize("address, recognised", [("建设路123号", None), ("", None), ("玫瑰城社区", "c1")])
def test_unresolved_addresses_are_flagged_with_what_was_recognised(world, buildings, address, recognised):
    found = resolve_address(address)
    assert found.status == "unresolved" and found.grid is None and found.building is None
    assert [r.code for r in found.recognised][-1:] == ([recognised] if recognised else [])
    assert "请派单员确认" in found.message


def test_the_intake_and_the_dispatcher_see_the_resolution(world, buildings, client):
    from ..demands.helpers import bring_to

    client.force_login(world.users["operator"])
    page = client.get("/work/intake/address/", {"address": "幸福里小区5号楼"}).content.decode()
    assert "地址不明确" in page and "玫瑰城社区" in page and "雷锋社区" in page
    demand = bring_to(world, "pending_dispatch", address="玫瑰城幸福里5栋")
    client.force_login(world.users["dispatcher1"])
    page = client.get(f"/work/demands/{demand.pk}/").content.decode()
    assert "地址已识别：光明街道玫瑰城社区玫瑰城第一网格幸福里小区5号楼" in page


@pytest.fixture
def demo_like(world):
    """The demo city's naming: a community whose short name is also the street's (光明社区 under
    光明街道), estates named once per grid, grid boundaries as lattice cells."""
    world.regions["c1"].aliases = "玫瑰城"
    world.regions["c1"].save()
    c3 = Region.objects.create(kind="community", name="光明社区", code="c3", parent=world.regions["s1"], aliases="光明")
    Region.objects.create(kind="grid", name="光明第一网格", code="g3", parent=c3)
    cells = {"g1": (41.80, 123.90), "g1b": (41.81, 123.90)}
    for key, (lat, lng) in cells.items():
        grid = world.regions[key]
        grid.boundary = [[[lng, lat], [lng + 0.01, lat], [lng + 0.01, lat + 0.01], [lng, lat + 0.01], [lng, lat]]]
        grid.latitude, grid.longitude = lat + 0.005, lng + 0.005
        grid.save()
    made = {}
    for n in (1, 2):
        made[n] = Region.objects.create(kind="building", name=f"幸福里小区{n}号楼", code=f"xf{n}",
                                        parent=world.regions["g1"], latitude=41.80 + 0.003 * n, longitude=123.905)
    Region.objects.create(kind="building", name="玫瑰园1号楼", code="mg1", parent=world.regions["g1b"],
                          latitude=41.815, longitude=123.905)
    return made


@pytest.mark.parametrize("address", ["光明街道玫瑰城社区幸福里小区1号楼", "光明街道玫瑰城社区幸福里小区1号楼2单元302",
                                     "玫瑰城幸福里1栋", "光明街道幸福里小区1号楼"])
def test_a_real_address_resolves_past_the_street(world, demo_like, address):
    found = resolve_address(address)
    assert found.status == "resolved", found.message
    assert (found.community, found.grid, found.building) == (world.regions["c1"], world.regions["g1"], demo_like[1])


@pytest.mark.parametrize("address, grid", [("玫瑰城幸福里小区东门", "g1"), ("幸福里门口的路灯", "g1"),
                                           ("光明街道玫瑰园南侧", "g1b")])
def test_an_estate_named_without_a_building_names_its_grid(world, demo_like, address, grid):
    found = resolve_address(address)
    assert found.status == "resolved" and found.grid == world.regions[grid] and found.building is None


def test_the_community_sharing_the_street_name_is_still_found(world, demo_like):
    found = resolve_address("光明社区光明第一网格")
    assert found.status == "resolved" and found.grid.code == "g3"


@pytest.mark.parametrize("address", ["建设路123号", "光明街道", "幸福里小区5号楼"])
def test_residents_are_never_told_to_ask_a_dispatcher(world, demo_like, buildings, address):
    found = resolve_address(address)
    assert found.status != "resolved"
    assert "派单员" not in found.resident_message and "派单员" in found.message


def test_a_pin_names_its_grid_community_and_nearby_building(world, demo_like):
    from minsheng.routing.addresses import resolve_point

    found = resolve_point(41.8031, 123.9051)  # about 10 m from 幸福里小区1号楼
    assert (found.status, found.community, found.grid, found.building) == (
        "resolved", world.regions["c1"], world.regions["g1"], demo_like[1])
    assert "幸福里小区1号楼" in found.resident_message
    assert resolve_point(41.8095, 123.9095).building is None  # inside the grid, no building near
    assert resolve_point(41.8155, 123.901).grid == world.regions["g1b"]
    assert resolve_point(40.0, 120.0).status == "unresolved"

