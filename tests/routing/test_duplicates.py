"""Duplicate search: similar open demands nearby, with reasons; merging one into the other."""

import re
from datetime import timedelta

import time_machine

from minsheng.core import clock
from minsheng.demands import services
from minsheng.demands.workflow import State
from minsheng.routing.duplicates import find_duplicates

from ..demands.helpers import bring_to, register

LIFT = {"title": "幸福里小区3号楼电梯坏了",
        "description": "幸福里小区3号楼电梯坏了三天了，老人上下楼很困难，物业一直不修。",
        "category": "construction.property"}
LIFT_AGAIN = {"title": "3号楼电梯又坏了没人修",
              "description": "我们幸福里3号楼的电梯坏了好几天，物业不管，老人下不了楼。"}


def _find(world, user="dispatcher1", region="g1", **text):
    return find_duplicates(world.user(user), region=world.regions[region], **{**LIFT_AGAIN, **text})


def test_a_similar_open_demand_nearby_is_found_with_its_reasons_and_merged(world, client):
    first = bring_to(world, "dispatched", **LIFT)
    unrelated = bring_to(world, "dispatched")  # the manhole cover on 建设路
    second = register(world, **{**LIFT_AGAIN, "category": "construction.property"})

    matches = _find(world, exclude=second.pk)
    assert [m.demand.pk for m in matches] == [first.pk]
    assert unrelated.pk not in [m.demand.pk for m in matches]
    reasons = "，".join(matches[0].reasons)
    assert "文字相似度" in reasons and "同一网格" in reasons and "今天登记" in reasons

    # The dispatcher sees it on the new demand's page and merges; the resident follows the first one.
    client.force_login(world.users["dispatcher1"])
    html = client.get(f"/work/demands/{second.pk}/").content.decode()
    assert first.number in html and "可能重复的诉求" in html
    merged = services.merge_demand(world.user("dispatcher1"), second.pk, second.version, into=first.number)
    assert merged.state == State.MERGED and merged.merged_into_id == first.pk
    page = client.post("/track/", {"number": second.number, "phone_last4": "1234"}).content.decode()
    merged_part = page[page.index('id="merged-progress"'):]
    assert re.search(r"当前状态</dt><dd><strong>已派单</strong>", merged_part)
    # A merged demand is no longer open: it is not offered again.
    assert second.pk not in [m.demand.pk for m in _find(world, title="电梯坏了", description="3号楼电梯坏了")]


def test_closed_far_away_old_or_out_of_scope_demands_are_not_offered(world):
    closed = bring_to(world, "closed", **{**LIFT, "category": "construction.roads"})
    far = register(world, region="g2", **LIFT)  # 雷锋社区: another street
    assert _find(world, user="admin") == []
    assert [m.demand.pk for m in _find(world, user="admin", region="g2")] == [far.pk]
    assert closed.pk not in [m.demand.pk for m in _find(world, user="admin", region="g1")]
    # dispatcher1 (光明街道) may not see 和平街道's demands, so they are not offered to them.
    assert _find(world, user="dispatcher1", region="g2") == []

    with time_machine.travel(clock.now() + timedelta(days=31)):
        assert _find(world, user="admin", region="g2") == []


def test_a_neighbouring_grid_counts_and_says_so(world):
    first = bring_to(world, "dispatched", **LIFT)
    matches = _find(world, region="g1b")
    assert [m.demand.pk for m in matches] == [first.pk] and "相邻网格" in matches[0].reasons


def test_when_many_open_demands_share_a_text_the_search_reads_a_bounded_sample_and_still_finds_them(world, monkeypatch):
    from minsheng.routing import duplicates

    same = [register(world, **LIFT) for _ in range(6)]
    other = register(world, title="建设路井盖缺失", description="建设路与光明街交叉口的井盖丢失两天了。")
    # Each demand stores 32 bands: 100 rows are fewer than the six demands' bands.
    monkeypatch.setattr(duplicates, "MAX_BAND_ROWS", 100)
    found = [m.demand.pk for m in _find(world, user="admin")]
    assert found and set(found) <= {d.pk for d in same} and other.pk not in found
    monkeypatch.setattr(duplicates, "MAX_BAND_ROWS", 10_000)
    assert {m.demand.pk for m in _find(world, user="admin", limit=10)} == {d.pk for d in same}
