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


OUTAGE = ["幸福里小区停水了，什么时候来水？", "家里水龙头一滴水都没有，做不了饭", "早上起来自来水就断了，物业说不清楚",
          "楼下管子爆了，整栋楼都没水用", "没水洗漱也冲不了厕所，请尽快恢复供水"]


def test_a_burst_of_differently_worded_outage_reports_is_grouped_but_not_another_area_or_the_next_day(world):
    """One water outage, five neighbours, five wordings (their texts share little): grouped by place,
    time and kind of problem.  The same kind of report in another community, or a day later, is not."""
    import random

    from minsheng.routing.duplicates import bigrams, jaccard

    rng = random.Random()
    start = clock.now() - timedelta(hours=8)
    burst = []
    for i, text in enumerate(rng.sample(OUTAGE, len(OUTAGE))):
        with time_machine.travel(start + timedelta(minutes=rng.randint(0, 150) + 10 * i), tick=False):
            burst.append(register(world, title=text[:12], description=text, category="construction.utilities",
                                  latitude=f"{41.8031 + rng.uniform(-0.001, 0.001):.6f}",
                                  longitude=f"{123.9051 + rng.uniform(-0.001, 0.001):.6f}"))
    elsewhere = register(world, region="g2", title="雷锋社区停水", description="雷锋社区今天停水了",
                         category="construction.utilities")
    with time_machine.travel(start - timedelta(hours=26), tick=False):
        yesterday = register(world, title="昨天供水中断", description="管网检修供水中断一整天",
                             category="construction.utilities", latitude="41.803100", longitude="123.905100")
    # The operator chose the category; a resident's words name it ("没水" is 供水).
    for newest, category in (("水压为零，拧开龙头什么也没有", "construction.utilities"),
                             ("拧开龙头没水，水压为零", None)):
        assert max(jaccard(bigrams("", newest), bigrams(d.title, d.description)) for d in burst) < 0.15  # words miss it
        with time_machine.travel(start + timedelta(hours=3), tick=False):
            matches = find_duplicates(world.user("admin"), title="", description=newest, region=world.regions["g1"],
                                      latitude=41.8032, longitude=123.9050, limit=10, category=category)
        found = {m.demand.pk for m in matches}
        assert found == {d.pk for d in burst}
        assert all(m.same_event and "同一时段、同一地点的同类问题" in m.reasons for m in matches)
        assert elsewhere.pk not in found and yesterday.pk not in found


def test_intake_shows_the_same_event_from_the_typed_address_before_a_grid_is_chosen(world, client):
    from minsheng.organisation.models import Region

    Region.objects.create(kind="building", name="幸福里小区1号楼", code="xf1", parent=world.regions["g1"])
    with time_machine.travel(clock.now() - timedelta(hours=1), tick=False):
        earlier = register(world, title="楼里停水", description="幸福里小区停水了，什么时候来水？",
                           category="construction.utilities")
    client.force_login(world.users["operator"])
    page = client.get("/work/intake/duplicates/", {
        "region": "", "title": "龙头没水", "description": "拧开龙头没水，水压为零", "address": "幸福里小区1号楼",
        "category": "construction.utilities"}).content.decode()
    assert earlier.number in page and "同一事件" in page
    # Nowhere to look yet: nothing is offered, and the page says what is missing.
    page = client.get("/work/intake/duplicates/", {"title": "龙头没水", "description": "拧开龙头没水"}).content.decode()
    assert earlier.number not in page and "填写地址" in page


def test_residents_see_the_same_event_before_they_submit(world, client):
    from minsheng.organisation.models import Region

    Region.objects.create(kind="building", name="幸福里小区1号楼", code="xf1", parent=world.regions["g1"])
    with time_machine.travel(clock.now() - timedelta(hours=2), tick=False):
        earlier = register(world, title="楼里停水", description="幸福里小区停水了，什么时候来水？",
                           category="construction.utilities", consent=True, publish_consent=True)
    page = client.get("/submit/similar/", {"description": "拧开龙头没水，水压为零",
                                           "address": "幸福里小区1号楼"}).content.decode()
    assert f'value="{earlier.pk}"' in page and "几小时内附近的同类问题" in page
