"""Hot issues: a burst of similar demands in one community becomes a ranked cluster, shown to
leaders, who turn it into a proactive-governance item."""

from datetime import timedelta

import time_machine

from minsheng.core import clock
from minsheng.demands import services
from minsheng.routing.hot_issues import hot_issues
from minsheng.routing.models import GovernanceItem

from ..demands.helpers import register

NOISE = {"title": "玫瑰城工地夜间施工噪音扰民", "category": "environment.noise"}
NOISE_TEXTS = ["玫瑰城小区旁边的工地每天晚上十一点以后还在施工，噪音很大，孩子老人都睡不着。",
               "工地夜间施工噪音扰民，晚上十二点了还在打桩，玫瑰城居民无法休息。",
               "玫瑰城旁工地夜里施工噪音太大，天天到凌晨，影响休息，请管一管。",
               "小区旁工地夜间施工，噪音扰民严重，晚上睡不着觉。"]


def _burst(world, n_residents: int):
    made = []
    for i, text in enumerate(NOISE_TEXTS):
        phone = f"1370000{i % n_residents:04d}"
        made.append(register(world, description=text, reporter=services.ReporterInput(name="居民", phone=phone),
                             **NOISE))
    return made


def test_a_burst_forms_a_hot_issue_ranked_by_residents(world):
    with time_machine.travel(clock.now() - timedelta(days=20)):
        old = register(world, description=NOISE_TEXTS[0], **NOISE)  # outside the 7-day window
    noise = _burst(world, n_residents=3)
    lifts = [register(world, region="g2", title="雷锋社区电梯坏了", category="construction.property",
                      description=f"雷锋社区{n}号楼电梯坏了好几天，老人上下楼困难，请物业尽快维修。",
                      reporter=services.ReporterInput(name="居民", phone=f"1390000{n:04d}")) for n in range(5, 9)]
    register(world, title="路灯不亮", description="建设路路灯不亮了，晚上很黑。")  # a single, unrelated demand

    issues = hot_issues(world.user("leader"))
    assert [(i.size, i.residents) for i in issues] == [(4, 4), (4, 3)]  # more residents rank first
    assert {d.pk for d in issues[0].demands} == {d.pk for d in lifts}
    assert {d.pk for d in issues[1].demands} == {d.pk for d in noise} and old not in issues[1].demands
    assert issues[1].community == world.regions["c1"] and issues[1].category.code == "environment.noise"
    # A community staff member of 雷锋 sees only their own community's issue.
    assert [i.size for i in hot_issues(world.user("staff2"))] == [4]


def test_growth_counts_the_second_half_of_the_window_against_the_first(world):
    with time_machine.travel(clock.now() - timedelta(days=5)):
        register(world, description=NOISE_TEXTS[0], **NOISE)
    _burst(world, n_residents=4)
    assert [(i.size, i.growth) for i in hot_issues(world.user("leader"))] == [(5, 3)]


def test_a_leader_turns_a_hot_issue_into_a_governance_item(world, client):
    noise = _burst(world, n_residents=2)
    client.force_login(world.users["leader"])
    page = client.get("/work/hot/").content.decode()
    assert "玫瑰城工地夜间施工噪音扰民" in page and all(d.number in page for d in noise)
    assert "转为主动治理" in page
    overview = client.get("/work/overview/").content.decode()
    assert 'id="hot-issues"' in overview and noise[0].number in overview

    response = client.post("/work/hot/", {"title": "玫瑰城工地夜间施工治理", "demand": [d.pk for d in noise]})
    assert response.status_code == 302
    item = GovernanceItem.objects.get()
    assert item.region == world.regions["c1"] and item.created_by == world.users["leader"]
    assert set(item.demands.all()) == set(noise)
    assert "玫瑰城工地夜间施工治理" in client.get("/work/hot/").content.decode()


def test_only_leaders_govern_and_only_demands_in_scope(world, client):
    noise = _burst(world, n_residents=2)
    client.force_login(world.users["dispatcher1"])
    page = client.get("/work/hot/").content.decode()
    assert "转为主动治理" not in page
    assert client.post("/work/hot/", {"title": "x", "demand": [noise[0].pk]}).status_code == 403
    client.force_login(world.users["staff2"])  # 雷锋社区: cannot see 玫瑰城's demands
    assert client.post("/work/hot/", {"title": "x", "demand": [noise[0].pk]}).status_code in (400, 403)
    client.force_login(world.users["leader"])
    assert client.post("/work/hot/", {"title": "", "demand": [noise[0].pk]}).status_code == 400
    assert not GovernanceItem.objects.exists()


def test_a_demand_joins_the_first_cluster_it_is_similar_enough_to_as_one_by_one_comparison_would():
    """The clusters compare a demand with all their first demands at once; on random signatures
    (some near-copies, some at the threshold's edge) each joins the very cluster the one-by-one
    comparison of ``mean() >= SIMILARITY`` picks."""
    import numpy as np

    from minsheng.routing.duplicates import N_HASHES
    from minsheng.routing.hot_issues import SIMILARITY, HotIssue, _Clusters

    rng = np.random.default_rng(7)
    bases = rng.integers(0, 50, size=(12, N_HASHES), dtype=np.uint32)
    for _round in range(20):
        fast, slow = _Clusters(), []
        for _demand in range(150):
            signature = bases[rng.integers(len(bases))].copy()
            changed = rng.random(N_HASHES) < rng.choice([0.1, 0.6, 0.69, 0.7, 0.72, 0.9])
            signature[changed] = rng.integers(50, 10**6, size=int(changed.sum()), dtype=np.uint32)
            expected = next((i for i, (leader, _issue) in enumerate(slow)
                             if (leader == signature).mean() >= SIMILARITY), None)
            found = fast.first_similar(signature)
            assert (None if found is None else [id(i) for i in fast.issues].index(id(found))) == expected
            if expected is None:
                issue = HotIssue(community=None)
                fast.add(signature, issue)
                slow.append((signature, issue))
        assert len(fast.issues) > 12  # clusters were both joined and begun
