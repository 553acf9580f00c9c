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



# --- real addresses: the administrative prefix (cpca), estates and roads with aliases, house numbers ---

@pytest.fixture
def register(world, demo_like):
    """The place-name register over demo_like: two estates (one with aliases), two roads (one
    with an alias) and house numbers on them, one at a building and one at an estate's gate."""
    from minsheng.grids.models import DoorPlate, Estate, Road

    Estate.objects.create(name="幸福里小区", aliases="幸福家园 幸福里花园", grid=world.regions["g1"],
                          latitude=41.8045, longitude=123.9050)
    rose = Estate.objects.create(name="玫瑰园", aliases="玫瑰花园", grid=world.regions["g1b"],
                                 latitude=41.8150, longitude=123.9050)
    jianshe = Road.objects.create(name="建设路", aliases="建设大路", region=world.regions["s1"])
    rose_road = Road.objects.create(name="玫瑰路", region=world.regions["s1"])
    Road.objects.create(name="丹东路", region=world.regions["s1"])
    Region.objects.create(kind="community", name="丹东路社区", code="c4", parent=world.regions["s1"])
    DoorPlate.objects.create(road=jianshe, number=12, place=demo_like[2], latitude=41.806, longitude=123.905)
    DoorPlate.objects.create(road=rose_road, number=8, place=world.regions["g1b"], latitude=41.8141,
                             longitude=123.9012)
    return {"rose": rose}


TEN_ADDRESSES = [
    ("辽宁省抚顺市望花区光明街道玫瑰城社区幸福里小区1号楼", "xf1"),
    ("抚顺市望花区玫瑰城幸福里小区2号楼3单元502室", "xf2"),
    ("望花区幸福家园1栋", "xf1"),  # an estate's alias
    ("辽宁省抚顺市望花区建设路12号", "xf2"),  # a house number at a building
    ("抚顺市建设大路12号2单元", "xf2"),  # a road's alias
    ("辽宁抚顺望花区光明街道幸福里花园２号楼", "xf2"),  # short province and city, full-width digit
    ("望花区 玫瑰城社区 幸福里 1号楼 东侧", "xf1"),
    ("辽宁省抚顺市望花区玫瑰花园1号楼2单元", "mg1"),  # the other estate's alias
    ("抚顺市望花区玫瑰路8号", "g1b"),  # a house number at an estate's gate: its grid
    ("辽宁省抚顺市望花区光明街道玫瑰园", "g1b"),  # an estate named without a building
]


@pytest.mark.parametrize("address, code", TEN_ADDRESSES)
def test_ten_real_shaped_addresses_resolve_to_their_building_or_estate(world, register, address, code):
    found = resolve_address(address)
    assert found.status == "resolved", (address, found.message)
    assert (found.building or found.grid).code == code
    assert found.point is not None  # a building, house number or estate with a point: the pin goes there


def test_an_address_is_read_in_its_parts(world, register):
    from minsheng.routing.addresses import parse

    parts = parse("辽宁省抚顺市望花区光明街道玫瑰城社区幸福家园2号楼")
    assert (parts.province, parts.city, parts.district) == ("辽宁省", "抚顺市", "望花区")
    assert (parts.street, parts.community, parts.estate, parts.building) == ("光明街道", "玫瑰城社区", "幸福里小区",
                                                                            "2号楼")
    road = parse("抚顺市望花区建设大路12号")
    assert (road.road, road.house_number, road.street) == ("建设路", "12", "光明街道")


def test_the_pin_goes_to_the_house_number_or_the_estate(world, register):
    assert resolve_address("望花区玫瑰路8号").point == (41.8141, 123.9012)
    assert resolve_address("光明街道玫瑰园").point == (41.815, 123.905)
    assert resolve_address("幸福里小区2号楼").point == (41.806, 123.905)  # the building's own


def test_another_district_is_outside_and_never_matched_on_its_words(world, register):
    found = resolve_address("辽宁省沈阳市浑南区光明街道幸福里小区1号楼")
    assert found.status == "unresolved" and found.building is None and "浑南区" in found.outside
    assert "不在本区" in found.resident_message and "派单员" not in found.resident_message


def test_a_local_name_that_starts_like_a_city_is_not_read_as_that_city(world, register):
    """丹东 is a city: "丹东路社区" is still the community, not 丹东市 and "路社区"."""
    found = resolve_address("丹东路社区")
    assert found.parts.city == "" and [r.code for r in found.recognised][-1:] == ["c4"]


def test_an_unknown_house_number_on_a_known_road_names_the_roads_street(world, register):
    found = resolve_address("望花区建设路999号")
    assert found.status == "unresolved" and [r.code for r in found.recognised] == ["s1"]
    assert found.parts.road == "建设路" and found.parts.house_number == "999"


def test_the_report_form_places_the_pin_from_a_typed_address_and_lists_candidates(world, register, buildings,
                                                                                  client):
    answer = client.get("/submit/place/", {"address": "望花区玫瑰路8号"}).json()
    assert answer["status"] == "resolved" and answer["pin"] == {"latitude": 41.8141, "longitude": 123.9012}
    tapped = client.get("/submit/place/", {"address": "望花区玫瑰路8号", "latitude": "41.8155",
                                           "longitude": "123.901"}).json()
    assert tapped["pin"] is None  # a pin the resident set stays where they set it
    several = client.get("/submit/place/", {"address": "幸福里小区5号楼"}).json()
    assert several["status"] == "ambiguous" and several["pin"] is None
    assert sorted(c["name"] for c in several["candidates"]) == [
        "光明街道玫瑰城社区玫瑰城第一网格幸福里小区5号楼", "和平街道雷锋社区雷锋第一网格幸福里小区5号楼"]


def test_intake_offers_the_candidates_and_the_point_of_an_address(world, register, buildings, client):
    client.force_login(world.users["operator"])
    page = client.get("/work/intake/address/", {"address": "幸福里小区5号楼"}).content.decode()
    assert page.count("data-fill-address=") == 2
    assert 'data-fill-address="光明街道玫瑰城社区玫瑰城第一网格幸福里小区5号楼"' in page
    page = client.get("/work/intake/address/", {"address": "望花区玫瑰路8号"}).content.decode()
    assert 'data-address-point="41.814100,123.901200"' in page and 'data-address-grid="g1b"' in page


def test_a_road_or_alias_inside_a_longer_name_is_not_read_as_the_road(world, register):
    from minsheng.grids.models import Road

    Road.objects.create(name="光明大街", aliases="光明街", region=world.regions["s1"])
    parts = resolve_address("光明街道玫瑰城社区幸福里小区1号楼").parts
    assert parts.road == "" and parts.street == "光明街道"
    assert resolve_address("光明街5号").parts.road == "光明大街"
