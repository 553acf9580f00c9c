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
