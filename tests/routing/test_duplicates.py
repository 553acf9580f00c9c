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
    assert "关键词吻合" in reasons and "同一网格" in reasons and "今天登记" in reasons

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


def test_when_many_open_demands_are_around_the_search_weighs_the_most_recent_and_still_finds_them(world, monkeypatch):
    from minsheng.routing import duplicates

    same = []
    for hours in (9, 7, 5, 3, 2, 1):
        with time_machine.travel(clock.now() - timedelta(hours=hours), tick=False):
            same.append(register(world, **LIFT))
    with time_machine.travel(clock.now() - timedelta(hours=10), tick=False):
        other = register(world, title="建设路井盖缺失", description="建设路与光明街交叉口的井盖丢失两天了。")
    # Four are read: the four most recent, all of them the lift.
    monkeypatch.setattr(duplicates, "TEXT_ROWS", 4)
    found = [m.demand.pk for m in _find(world, user="admin", limit=10)]
    assert found == [d.pk for d in reversed(same[2:])] and other.pk not in found
    monkeypatch.setattr(duplicates, "TEXT_ROWS", 10_000)
    assert {m.demand.pk for m in _find(world, user="admin", limit=10)} == {d.pk for d in same}


OUTAGE = ["幸福里小区停水了，什么时候来水？", "家里水龙头一滴水都没有，做不了饭", "早上起来自来水就断了，物业说不清楚",
          "楼下管子爆了，整栋楼都没水用", "没水洗漱也冲不了厕所，请尽快恢复供水"]


def test_a_burst_of_differently_worded_outage_reports_is_grouped_but_not_another_area_or_the_next_day(world):
    """One water outage, five neighbours, five wordings (their texts share little): grouped by place,
    time and kind of problem.  The same kind of report in another community, or a day later, is not."""
    import random

    from minsheng.search.selectors import similar_documents

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
        assert len(similar_documents(newest, [d.pk for d in burst], minimum=0.2)) < len(burst)  # words miss some
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



LEAK = {"title": "卫生间天花板漏水", "description": "卫生间天花板漏水，墙面发霉。"}
LEAK_AGAIN = {"title": "楼上漏水", "description": "楼上漏水了，一晚上没停"}


def _bigram_jaccard(a: dict, b: dict) -> float:
    """What the MinHash panel estimated: the Jaccard similarity of the texts' character bigrams."""
    from minsheng.routing.duplicates import bigrams

    x, y = set(bigrams(a["title"], a["description"]).tolist()), set(bigrams(b["title"], b["description"]).tolist())
    return len(x & y) / len(x | y)


def test_a_differently_worded_report_sharing_a_two_character_word_is_found_through_the_index(world):
    """卫生间天花板漏水 / 楼上漏水了: one bigram in common (under MinHash's 0.15), the telling word 漏水 in
    common (the index's).  Registered a day earlier and in another category, so it is not the same event."""
    with time_machine.travel(clock.now() - timedelta(days=1), tick=False):
        leak = register(world, category="construction.property", **LEAK)
        unrelated = register(world)  # the manhole cover, same grid, same day
    assert _bigram_jaccard(LEAK, LEAK_AGAIN) < 0.15

    matches = _find(world, user="admin", **LEAK_AGAIN)
    assert [m.demand.pk for m in matches] == [leak.pk]
    assert not matches[0].same_event and matches[0].shared[0] == "漏水"
    assert any("漏水" in r and "关键词吻合" in r for r in matches[0].reasons)
    assert unrelated.pk not in [m.demand.pk for m in matches]


def test_the_words_weighed_are_the_indexs_own_on_both_databases(world):
    """The one part that differs by database — reading the stored words — gives the segmenter's words,
    two-character words kept and a phone number left out, on SQLite and PostgreSQL alike."""
    from minsheng.search.index import document_words
    from minsheng.search.selectors import similar_documents, stored_words

    leak = register(world, title="厨房漏水", description="厨房水管漏水，电话13912345678，请尽快处理")
    assert stored_words([leak.pk]) == {leak.pk: frozenset(document_words(leak.title, leak.description))}
    assert "漏水" in stored_words([leak.pk])[leak.pk] and not any("139" in w for w in stored_words([leak.pk])[leak.pk])
    # The phone in the text being typed finds nothing by itself; the words it holds rank as without it.
    assert similar_documents("13912345678", [leak.pk]) == []
    assert similar_documents("水管漏水 13912345678", [leak.pk]) == similar_documents("水管漏水", [leak.pk])


def test_only_demands_in_the_viewers_scope_are_weighed_ranked_or_shown(world):
    """handler_cg sees the demands dispatched to 区城管局: a leak report it may not open (registered, not
    dispatched) is never offered, and its words do not change what the handler is shown."""
    with time_machine.travel(clock.now() - timedelta(days=2), tick=False):
        theirs = bring_to(world, "dispatched", **LEAK)  # construction.roads → 区城管局
    before = [(m.demand.pk, m.similarity, m.shared) for m in _find(world, user="handler_cg", **LEAK_AGAIN)]
    assert [pk for pk, _s, _w in before] == [theirs.pk]

    with time_machine.travel(clock.now() - timedelta(days=1), tick=False):
        hidden = register(world, title="楼上漏水", description="楼上漏水了，一晚上没停，天花板漏水")
    assert hidden.pk in [m.demand.pk for m in _find(world, user="admin", **LEAK_AGAIN)]
    after = [(m.demand.pk, m.similarity, m.shared) for m in _find(world, user="handler_cg", **LEAK_AGAIN)]
    assert after == before
