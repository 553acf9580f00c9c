"""The organisers' pages: register a volunteer found among the residents of one's own area, create
a team of "1+8+N", publish an activity.  Only organisers (community staff, street dispatchers,
administrators) reach them; bad input is shown on the form and creates nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from minsheng.core import clock
from minsheng.people.models import Resident
from minsheng.volunteers.models import Activity, Team, Volunteer

pytestmark = pytest.mark.django_db

PAGES = ["volunteers:new_volunteer", "volunteers:new_team", "volunteers:new_activity"]


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("name", ["staff1", "dispatcher1", "admin"])
def test_organisers_reach_the_pages_and_the_lists_link_them(world, login, name):
    client = login(name)
    for page in PAGES:
        assert client.get(reverse(page)).status_code == 200, page
    registry = client.get(reverse("volunteers:registry")).content.decode()
    assert reverse("volunteers:new_volunteer") in registry and reverse("volunteers:new_team") in registry
    assert reverse("volunteers:new_activity") in client.get(reverse("volunteers:activities")).content.decode()


@pytest.mark.parametrize("name", ["handler_cg", "gridworker", "leader", "volunteer", "resident", "nobody"])
def test_everyone_else_is_refused_and_creates_nothing(world, login, name):
    client = login(name)
    for page in PAGES:
        assert client.get(reverse(page)).status_code == 404, page
    client.post(reverse("volunteers:new_team"),
                {"kind": "team", "name": "偷建的队伍", "region": world.regions["c1"].pk})
    assert not Team.objects.exists()
    registry = client.get(reverse("volunteers:registry"))  # staff without the role see no link to them
    assert registry.status_code == 404 or reverse("volunteers:new_volunteer") not in registry.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("volunteers:new_volunteer"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_registering_a_resident_of_ones_area_as_a_volunteer(world, login):
    resident = Resident.objects.get(name="王奎")
    team = Team.objects.create(kind="team", name="玫瑰城银发服务队", region=world.regions["c1"])
    client = login("staff1")
    url = reverse("volunteers:new_volunteer")
    page = client.get(url, {"q": "王奎"}).content.decode()
    assert "王奎" in page and "138****1234" in page and "13812341234" not in page
    assert "玫瑰城银发服务队" in page
    # Found by phone number too.
    assert "王奎" in client.get(url, {"q": "13812341234"}).content.decode()
    response = client.post(url + "?q=王奎", {"resident": resident.pk, "region": world.regions["c1"].pk,
                                            "categories": ["medical", "general"], "skills": "会量血压",
                                            "availability": "周末上午", "teams": [team.pk]})
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:registry")
    volunteer = Volunteer.objects.get(resident=resident)
    assert volunteer.region == world.regions["c1"] and volunteer.categories == ["medical", "general"]
    assert volunteer.skills == "会量血压" and list(volunteer.teams.all()) == [team]
    registry = client.get(reverse("volunteers:registry")).content.decode()
    assert volunteer.card_number in registry and "王奎" in registry  # the message names the new card
    # Registered once: the resident is no longer offered, and a second registration says why.
    assert "138****1234" not in client.get(url, {"q": "王奎"}).content.decode()
    again = client.post(url, {"resident": resident.pk, "region": world.regions["c1"].pk, "categories": ["legal"]})
    assert again.status_code == 400 and "王奎 已是注册志愿者" in again.content.decode()
    assert Volunteer.objects.count() == 1


def test_a_resident_of_another_area_is_neither_found_nor_accepted(world, login):
    outsider = Resident.objects.create(name="王和平", phone="13655550555", region=world.regions["g2"])
    client = login("staff1")
    url = reverse("volunteers:new_volunteer")
    page = client.get(url, {"q": "王和平"}).content.decode()
    assert "13655550555"[-4:] not in page and "本辖区没有" in page
    response = client.post(url, {"resident": outsider.pk, "region": world.regions["c1"].pk,
                                 "categories": ["general"]})
    assert response.status_code == 400 and "请在搜索结果中选择一位本辖区的居民" in response.content.decode()
    # Staff of 雷锋 find and register them.
    assert "王和平" in login("staff2").get(url, {"q": "王和平"}).content.decode()
    assert not Volunteer.objects.exists()


def test_bad_input_is_shown_on_the_form_and_nothing_is_lost(world, login):
    resident = Resident.objects.get(name="王奎")
    client = login("staff1")
    url = reverse("volunteers:new_volunteer")
    response = client.post(url, {"resident": resident.pk, "region": world.regions["c1"].pk, "categories": [],
                                 "skills": "会修自行车", "availability": "工作日晚上"})
    page = response.content.decode()
    assert response.status_code == 400 and "请至少选择一个服务类别" in page
    # What was typed and picked is still there.
    assert 'value="会修自行车"' in page and 'value="工作日晚上"' in page
    assert f'value="{resident.pk}"' in page and "checked" in page and "王奎" in page
    response = client.post(url, {"region": world.regions["c1"].pk, "categories": ["general"]})
    assert response.status_code == 400 and "请先搜索并选择一位居民" in response.content.decode()
    response = client.post(url, {"resident": resident.pk, "region": world.regions["c2"].pk,
                                 "categories": ["general"]})
    assert response.status_code == 400  # another street's community is not on offer
    assert not Volunteer.objects.exists()


def test_creating_the_teams_of_one_plus_eight_plus_n(world, login):
    url = reverse("volunteers:new_team")
    response = login("dispatcher1").post(url, {"kind": "committee", "name": "光明街道志愿服务管理委员会",
                                               "region": world.regions["s1"].pk})
    assert response.status_code == 302
    committee = Team.objects.get(kind="committee")
    assert committee.region == world.regions["s1"] and committee.parent is None
    client = login("staff1")
    # The community's staff hang a category team under their street's committee.
    assert "光明街道志愿服务管理委员会" in client.get(url).content.decode()
    response = client.post(url, {"kind": "category", "name": "玫瑰城医疗保健分队", "region": world.regions["c1"].pk,
                                 "category": "medical", "parent": committee.pk})
    assert response.status_code == 302 and response["Location"].endswith("#teams")
    team = Team.objects.get(kind="category")
    assert (team.category, team.parent, team.region) == ("medical", committee, world.regions["c1"])
    assert "玫瑰城医疗保健分队" in client.get(reverse("volunteers:registry")).content.decode()


def test_a_bad_team_is_refused_on_the_form(world, login):
    client = login("staff1")
    url = reverse("volunteers:new_team")
    response = client.post(url, {"kind": "category", "name": "没有类别的分队", "region": world.regions["c1"].pk})
    page = response.content.decode()
    assert response.status_code == 400 and "服务分队须选择服务类别" in page and 'value="没有类别的分队"' in page
    response = client.post(url, {"kind": "team", "name": "越界的队伍", "region": world.regions["c2"].pk})
    assert response.status_code == 400  # 雷锋 is not 玫瑰城's staff's to organise
    response = client.post(url, {"kind": "team", "name": "  ", "region": world.regions["c1"].pk})
    assert response.status_code == 400
    assert not Team.objects.exists()


def test_publishing_an_activity(world, login):
    team = Team.objects.create(kind="team", name="玫瑰城环境保洁队", region=world.regions["c1"])
    starts = clock.now() + timedelta(days=3)
    client = login("staff1")
    response = client.post(reverse("volunteers:new_activity"), {
        "title": "清理小区楼道杂物", "description": "自带手套", "category": "environment",
        "region": world.regions["c1"].pk, "place": "玫瑰城5号楼", "starts_at": _local(starts),
        "ends_at": _local(starts + timedelta(hours=2)), "capacity": 8, "hours": "2", "team": team.pk})
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:activity", args=[activity.pk])
    assert (activity.capacity, activity.hours, activity.team, activity.region) == (
        8, Decimal("2.0"), team, world.regions["c1"])
    assert activity.organiser == world.users["staff1"] and activity.state == "open"
    assert abs((activity.starts_at - starts).total_seconds()) < 60
    assert "清理小区楼道杂物" in client.get(reverse("volunteers:activities")).content.decode()


@pytest.mark.parametrize(("change", "message"), [
    ({"ends_at": "earlier"}, "结束时间必须晚于开始时间"),
    ({"capacity": 0}, "名额必须是正整数"),
    ({"hours": "30"}, "服务时长须在0到24小时之间"),
    ({"title": ""}, "这个字段是必填项"),
    ({"starts_at": "明天上午"}, "输入一个有效的日期/时间"),
])
def test_a_bad_activity_is_refused_on_the_form(world, login, change, message):
    starts = clock.now() + timedelta(days=3)
    data = {"title": "义诊", "category": "medical", "region": world.regions["c1"].pk, "capacity": 5, "hours": "3",
            "starts_at": _local(starts), "ends_at": _local(starts + timedelta(hours=3)), "place": "社区卫生站"}
    data.update(change)
    if data["ends_at"] == "earlier":
        data["ends_at"] = _local(starts - timedelta(hours=1))
    response = login("staff1").post(reverse("volunteers:new_activity"), data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert 'value="社区卫生站"' in page  # nothing typed is lost
    assert not Activity.objects.exists()


def test_an_activity_outside_ones_territory_is_not_on_offer(world, login):
    starts = clock.now() + timedelta(days=3)
    response = login("staff1").post(reverse("volunteers:new_activity"), {
        "title": "义诊", "category": "medical", "region": world.regions["c2"].pk, "capacity": 5, "hours": "3",
        "starts_at": _local(starts), "ends_at": _local(starts + timedelta(hours=3))})
    assert response.status_code == 400 and not Activity.objects.exists()


def test_a_community_volunteer_joins_the_streets_teams_but_not_another_streets(world, login):
    resident = Resident.objects.get(name="王奎")
    street_team = Team.objects.create(kind="category", category="medical", name="光明街道医疗保健服务队",
                                      region=world.regions["s1"])
    far_team = Team.objects.create(kind="category", category="medical", name="和平街道医疗保健服务队",
                                   region=world.regions["s2"])
    client = login("staff1")
    url = reverse("volunteers:new_volunteer")
    page = client.get(url, {"q": "王奎"}).content.decode()
    assert "光明街道医疗保健服务队" in page and "和平街道医疗保健服务队" not in page
    data = {"resident": resident.pk, "region": world.regions["c1"].pk, "categories": ["medical"]}
    assert client.post(url, {**data, "teams": [far_team.pk]}).status_code == 400
    assert not Volunteer.objects.exists()
    assert client.post(url, {**data, "teams": [street_team.pk]}).status_code == 302
    assert list(Volunteer.objects.get().teams.all()) == [street_team]


def test_the_services_keep_teams_within_their_regions(world):
    from minsheng.core.errors import ValidationFailed
    from minsheng.volunteers import services

    staff = world.user("staff1")
    far = Team.objects.create(kind="committee", name="和平街道志愿服务管理委员会", region=world.regions["s2"])
    resident = Resident.objects.get(name="王奎")
    with pytest.raises(ValidationFailed) as err:
        services.register_volunteer(staff, resident=resident, region=world.regions["c1"], categories=["general"],
                                    teams=[far])
    assert "teams" in err.value.field_errors and not Volunteer.objects.exists()
    with pytest.raises(ValidationFailed) as err:
        services.create_team(staff, kind="team", name="玫瑰城服务队", region=world.regions["c1"], parent=far)
    assert "parent" in err.value.field_errors
    starts = clock.now() + timedelta(days=2)
    with pytest.raises(ValidationFailed) as err:
        services.create_activity(staff, title="义诊", category="medical", region=world.regions["c1"],
                                 starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=3, hours="2",
                                 team=far)
    assert "team" in err.value.field_errors
    assert Team.objects.count() == 1 and not Activity.objects.exists()


def test_an_organiser_of_several_communities_finds_the_resident_with_theirs_preselected(world, login):
    page = login("admin").get(reverse("volunteers:new_volunteer"), {"q": "王奎"}).content.decode()
    assert "138****1234" in page and f'<option value="{world.regions["c1"].pk}" selected>' in page
