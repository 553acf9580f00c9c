"""Full-text search over demands: two-character words in any text of a demand, in the
viewer's scope only, the same on SQLite and PostgreSQL (the suite runs on both)."""

import random
from io import BytesIO

import pytest
from django.db import transaction
from openpyxl import load_workbook

from minsheng.demands import selectors
from minsheng.demands.imports import import_demands
from minsheng.demands.models import Demand
from minsheng.organisation.models import Region
from minsheng.search import index
from minsheng.search.segmenter import query_tokens, reload_dictionary, tokens
from minsheng.search.selectors import ranked

from ..demands.helpers import _do, bring_to, register
from ..integrations.conftest import keys  # noqa: F401  (the API keys fixture)


def _found(world, user: str, text: str) -> set[int]:
    qs = selectors.demands_visible_to(world.user(user)).filter(selectors.search_q(text))
    return set(qs.values_list("pk", flat=True))


def _noise_demands(world) -> tuple[Demand, Demand, Demand]:
    in_description = register(world, title="楼下饭店扰民", description="饭店夜里排风机的噪音很大，影响休息。")
    in_result = bring_to(world, "in_progress", title="空调外机问题", description="邻居空调外机声音大")
    in_result = _do(world, "handler_cg", in_result, "resolve", result="已协调邻居更换外机支架，噪音明显降低。")
    other = register(world, title="建设路井盖缺失", description="井盖丢失两天了，晚上很危险。")
    return in_description, in_result, other


def test_a_two_character_word_is_found_in_a_description_and_in_a_result(world):
    in_description, in_result, _other = _noise_demands(world)
    assert query_tokens("噪音") == ["噪音"]
    assert _found(world, "dispatcher", "噪音") == {in_description.pk, in_result.pk}
    assert _found(world, "dispatcher", "饭店噪音") == {in_description.pk}  # every word of the query
    assert _found(world, "dispatcher", "支架") == {in_result.pk}


def test_a_progress_note_is_searched(world):
    demand = bring_to(world, "in_progress", title="屋顶问题", description="顶楼住户反映屋顶有问题")
    assert _found(world, "dispatcher", "漏水") == set()
    _do(world, "handler_cg", demand, "record_progress", note="上门查看，确认屋顶防水层破损漏水。")
    assert _found(world, "dispatcher", "漏水") == {demand.pk}


def test_a_search_never_reaches_outside_the_viewers_scope(world):
    mine = register(world, region="g1", title="小区噪音扰民", description="广场舞噪音")
    theirs = register(world, region="g2", title="小区噪音扰民", description="广场舞噪音")
    assert _found(world, "staff1", "噪音") == {mine.pk}
    assert _found(world, "staff2", "噪音") == {theirs.pk}
    assert _found(world, "dispatcher", "噪音") == {mine.pk, theirs.pk}
    assert _found(world, "nobody", "噪音") == set()


def test_the_number_is_still_found_by_its_index_and_phone_numbers_are_not_indexed(world):
    demand = register(world, description="请联系我儿子 13912345678 或身份证 110101199003071234 核实")
    assert _found(world, "dispatcher", demand.number) == {demand.pk}
    assert _found(world, "dispatcher", "13912345678") == set()
    assert _found(world, "dispatcher", "110101199003071234") == set()
    assert _found(world, "dispatcher", "儿子") == {demand.pk}
    assert _found(world, "dispatcher", "，。！") == set()  # no word at all: nothing, not everything


def test_imported_demands_are_indexed_in_the_import(world):
    rows = [{"channel": "hotline", "demand_type": "complaint", "category": "construction.roads", "urgency": "",
             "title": f"第{i}号楼{'漏水' if i % 3 == 0 else '停电'}", "description": "请尽快处理", "address": "",
             "region": "g1", "latitude": "", "longitude": "", "reporter_name": "", "reporter_phone": "",
             "hide_name": "否", "consent": "是"} for i in range(12)]
    result = import_demands(world.user("operator"), rows)
    leaking = {d.pk for i, d in enumerate(result.demands) if i % 3 == 0}
    assert _found(world, "dispatcher", "漏水") == leaking


def test_the_index_rolls_back_with_its_transaction(world):
    before = index.stored_documents()
    with pytest.raises(RuntimeError), transaction.atomic():
        register(world, title="管道漏水", description="地下室管道漏水")
        assert len(index.stored_documents()) == len(before) + 1
        raise RuntimeError
    assert index.stored_documents() == before
    assert _found(world, "dispatcher", "漏水") == set()


def test_more_occurrences_rank_first(world):
    once = register(world, title="反映一个问题", description="夜里有噪音，其他都好，希望改善一下环境卫生状况")
    thrice = register(world, title="噪音扰民", description="噪音太大，夜里的噪音让老人睡不着觉，希望处理")
    qs = ranked(selectors.demands_visible_to(world.user("dispatcher")).filter(selectors.search_q("噪音")), "噪音")
    assert list(qs.values_list("pk", flat=True)) == [thrice.pk, once.pk]


# Four words each (the title's 小区 + three), so that only how often 噪音 occurs tells them apart:
# bm25 and ts_rank then order them alike.
_BY_OCCURRENCES = {1: "噪音，井盖，路灯", 2: "噪音，噪音，路灯", 3: "噪音，噪音，噪音"}


def test_a_window_ranks_the_newest_matches_in_the_viewers_scope_only(world):
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    mine, occurrences = [], {}
    for _ in range(rng.randint(5, 9)):
        if rng.random() < 0.3:  # newer matches outside staff1's community: never in its window
            register(world, region="g2", title="小区", description=_BY_OCCURRENCES[3])
        k = rng.choice([1, 2, 3])
        demand = register(world, region="g1", title="小区", description=_BY_OCCURRENCES[k])
        mine.append(demand.pk)
        occurrences[demand.pk] = k
    register(world, region="g1", title="小区", description="井盖，路灯，物业")  # no 噪音
    window = rng.randint(1, len(mine) - 1)
    found = ranked(selectors.demands_visible_to(world.user("staff1")).filter(selectors.search_q("噪音")), "噪音",
                   window=window)
    newest = sorted(mine)[-window:]
    expected = sorted(newest, key=lambda pk: (-occurrences[pk], pk))  # most occurrences first, then by key
    assert list(found.keys) == expected, f"seed {seed}"
    assert len(found) == window
    page = found[0:2]
    assert [d.pk for d in page] == expected[:2] and page[0].region.code == "g1"  # rows with their related rows
    assert found[-1].pk == expected[-1]
    # Without a window: every match, ranked the same way.
    everything = ranked(selectors.demands_visible_to(world.user("staff1")).filter(selectors.search_q("噪音")), "噪音")
    assert list(everything.values_list("pk", flat=True)) == sorted(mine, key=lambda pk: (-occurrences[pk], pk))


def test_the_staff_list_ranks_the_newest_matches_it_can_show_and_says_there_are_more(world, login, monkeypatch):
    from minsheng.web.views import staff

    monkeypatch.setattr(staff, "LIST_COUNT_CAP", 2)
    oldest_best = register(world, title="小区", description=_BY_OCCURRENCES[3])
    once = register(world, title="小区", description=_BY_OCCURRENCES[1])
    twice = register(world, title="小区", description=_BY_OCCURRENCES[2])
    newest_once = register(world, title="小区", description=_BY_OCCURRENCES[1])
    page = login("dispatcher").get("/work/demands/", {"q": "噪音"}).content.decode()
    assert "超过 2 件：按相关度排列的是其中最近登记的 2 件" in page  # the user is told what was ranked
    # The newest three ranked (the third tells the count there are more), the first two shown.
    assert twice.number in page and once.number in page and page.index(twice.number) < page.index(once.number)
    assert oldest_best.number not in page and newest_once.number not in page
    # The export is not windowed: every match, best first.
    export = login("dispatcher").get("/work/demands/export.xlsx", {"q": "噪音"})
    workbook = load_workbook(BytesIO(b"".join(export.streaming_content)), read_only=True)
    cells = [" ".join(str(v) for v in row) for row in list(workbook.active.values)[1:]]
    assert [next(d for d in (oldest_best, once, twice, newest_once) if d.number in c) for c in cells] == [
        oldest_best, twice, once, newest_once]


def test_place_names_of_the_region_tree_are_kept_whole(world):
    reload_dictionary()
    assert "翠湖锦苑" not in tokens("翠湖锦苑小区漏水")
    Region.objects.create(kind="building", name="翠湖锦苑", code="cuihu", parent=world.regions["g1"])
    reload_dictionary()
    try:
        assert "翠湖锦苑" in tokens("翠湖锦苑小区漏水")
        demand = register(world, title="翠湖锦苑小区漏水", description="地下车库")
        assert _found(world, "dispatcher", "翠湖锦苑") == {demand.pk}
    finally:
        Region.objects.filter(code="cuihu").delete()
        reload_dictionary()


def test_the_staff_list_finds_words_in_descriptions_best_match_first(world, login):
    in_description, in_result, other = _noise_demands(world)
    page = login("dispatcher").get("/work/demands/", {"q": "噪音"}).content.decode()
    assert in_description.number in page and in_result.number in page and other.number not in page
    sort = page.split('name="sort"')[1].split("</select>")[0]
    assert '<option value="">最相关</option>' in sort and "selected" not in sort  # the default: best match


def test_the_api_takes_q(client, world, keys):  # noqa: F811
    in_description, in_result, _other = _noise_demands(world)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {keys['hotline']}"}
    answer = client.get("/api/demands", {"q": "噪音"}, **auth)
    assert answer.status_code == 200
    assert {d["number"] for d in answer.json()["items"]} == {in_description.number, in_result.number}
    community = client.get("/api/demands", {"q": "噪音"}, HTTP_AUTHORIZATION=f"Bearer {keys['c2app']}")
    assert community.json()["items"] == []  # the key's region: g1 lies outside c2
    assert client.get("/api/demands", {"q": "噪" * 101}, **auth).status_code == 400


# --- the live index against a rebuilt one after a random workload --------------------------

_WORDS = ["噪音", "漏水", "停电", "井盖", "油烟", "路灯", "垃圾", "违建", "堵塞", "积水", "扰民", "物业"]


def _text(rng: random.Random, n: int) -> str:
    return "，".join(rng.choice(_WORDS) + rng.choice(["严重", "问题", "情况", ""]) for _ in range(n))


def test_the_rebuilt_index_equals_the_live_one_after_a_random_workload(world):
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    demands = []
    for _ in range(rng.randint(6, 10)):
        stop = rng.choice(["registered", "in_progress", "resolved", "closed", "invalid"])
        demands.append(bring_to(world, stop, title=_text(rng, 1), description=_text(rng, rng.randint(1, 5)),
                                region=rng.choice(["g1", "g1b"])))
    for demand in demands:
        demand.refresh_from_db()
        if demand.state == "in_progress":
            for _ in range(rng.randint(0, 3)):
                demand = _do(world, "handler_cg", demand, "record_progress", note=_text(rng, 2))
            if rng.random() < 0.5:
                demand = _do(world, "handler_cg", demand, "resolve", result=_text(rng, 2))
    rows = [{"channel": "hotline", "demand_type": "complaint", "category": "construction.roads", "urgency": "",
             "title": _text(rng, 1), "description": _text(rng, 3), "address": "", "region": "g1", "latitude": "",
             "longitude": "", "reporter_name": "", "reporter_phone": "", "hide_name": "否", "consent": "是"}
            for _ in range(rng.randint(1, 8))]
    import_demands(world.user("operator"), rows)
    live = index.stored_documents()
    live_results = {w: _found(world, "dispatcher", w) for w in _WORDS}
    assert len(live) == Demand.objects.count()
    assert index.rebuild() == Demand.objects.count()
    assert index.stored_documents() == live, f"seed {seed}"
    assert {w: _found(world, "dispatcher", w) for w in _WORDS} == live_results, f"seed {seed}"
    assert any(live_results.values())


def test_the_words_a_document_shares_with_a_text_are_those_it_holds(world):
    """similar_documents finds a text's words in each stored document (a regular expression over
    the stored words): exactly the words both hold, whatever their order, length or repetition."""
    from minsheng.search.selectors import similar_documents, stored_words, text_words

    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    demands = [register(world, title=_text(rng, 1), description=_text(rng, rng.randint(1, 6))) for _ in range(6)]
    text = _text(rng, rng.randint(1, 4))
    held = stored_words([d.pk for d in demands])
    wanted = set(text_words(text))
    shared = {d.pk: set(d.shared) for d in similar_documents(text, [d.pk for d in demands])}
    assert shared == {pk: wanted & words for pk, words in held.items() if wanted & words}, f"seed {seed}"


# --- a test's flush empties the index with the demands (both databases) ------------------------

@pytest.mark.django_db(transaction=True)
def test_a_transactional_tests_demands_are_indexed(default_catalogue, world):
    demand = register(world, title="管道漏水", description="地下室管道漏水")
    assert set(index.stored_documents()) == {demand.pk}


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_it_emptied_the_index(default_catalogue):
    assert index.stored_documents() == {}


def test_rebuild_search_restores_a_document_lost_from_the_index(world):
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    demand = register(world, title="路灯不亮", description="小区门口路灯坏了一周")
    live = index.stored_documents()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_demand WHERE rowid = %s", [demand.pk])
    assert _found(world, "dispatcher", "路灯") == set()
    out = StringIO()
    call_command("rebuild_search", stdout=out)
    assert out.getvalue().startswith(f"{Demand.objects.count()} documents indexed")
    assert index.stored_documents() == live
    assert _found(world, "dispatcher", "路灯") == {demand.pk}
