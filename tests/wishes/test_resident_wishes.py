"""A signed-in resident makes a wish online: it is registered on the demand engine like any wish
(channel web), waits for the community, and the resident follows it on "my wishes"; on the wall
their identity stays hidden unless they chose to show their surname."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from minsheng.demands.models import Demand
from minsheng.demands.services import ReporterInput
from minsheng.organisation.models import Membership
from minsheng.organisation.roles import Role
from minsheng.wishes.models import Wish

from .helpers import act, party, promise, register_wish

pytestmark = pytest.mark.django_db

WISH = {"title": "想学用智能手机", "description": "孩子在外地，想学会视频通话，逢年过节能看看孙子。",
        "region": "g1", "address": "玫瑰城3号楼2单元", "consent": "on"}


def test_a_resident_makes_a_wish_and_follows_it_on_my_wishes(world, login):
    client = login("resident")
    page = client.get(reverse("wishes:new")).content.decode()
    assert "许个微心愿" in page and '<option value="g1" selected>' in page  # their own grid, preselected
    response = client.post(reverse("wishes:new"), WISH)
    assert response.status_code == 302 and response["Location"] == reverse("wishes:my_wishes")
    wish = Demand.objects.get(kind="wish")
    assert (wish.channel, wish.state, wish.reporter.name, wish.hide_name) == ("web", "registered", "王奎", True)
    assert wish.region == world.regions["g1"] and wish.registered_by == world.users["resident"]
    assert Wish.objects.filter(demand=wish).exists()
    mine = client.get(reverse("wishes:my_wishes")).content.decode()
    assert "想学用智能手机" in mine and wish.number in mine and "已登记" in mine
    # The community publishes it: on the wall without the wisher's identity, and "my wishes" says so.
    wish = act(world, "staff1", wish, "publish_wish")
    wall = client.get(reverse("wishes:wall")).content.decode()
    assert "想学用智能手机" in wall and "王奎" not in wall and "王*" not in wall and "匿名居民" in wall
    assert "心愿墙待认领" in client.get(reverse("wishes:my_wishes")).content.decode()
    party(world)
    act(world, "volunteer", wish, "claim_wish", promised_by=promise(5))
    mine = client.get(reverse("wishes:my_wishes")).content.decode()
    assert "已认领" in mine and promise(5).isoformat() in mine


def test_a_resident_may_show_their_surname_on_the_wall(world, login):
    client = login("resident")
    client.post(reverse("wishes:new"), {**WISH, "show_name": "on"})
    wish = act(world, "staff1", Demand.objects.get(kind="wish"), "publish_wish")
    assert wish.hide_name is False
    wall = client.get(reverse("wishes:wall")).content.decode()
    assert "王*" in wall and "王奎" not in wall and "13812341234" not in wall


def test_a_deferred_wish_shows_the_communitys_explanation(world, login):
    client = login("resident")
    client.post(reverse("wishes:new"), WISH)
    act(world, "staff1", Demand.objects.get(kind="wish"), "defer_wish", explanation="培训班下月开班，届时通知您")
    mine = client.get(reverse("wishes:my_wishes")).content.decode()
    assert "暂不具备条件" in mine and "培训班下月开班" in mine


@pytest.mark.parametrize(("change", "message"), [
    ({"consent": ""}, "请阅读并同意隐私告知后再提交"),
    ({"title": ""}, "这个字段是必填项"),
    ({"description": "  "}, "这个字段是必填项"),
    ({"region": "c1"}, "选择一个有效的选项"),  # a community is not a grid
])
def test_bad_input_is_shown_on_the_form_and_creates_nothing(world, login, change, message):
    response = login("resident").post(reverse("wishes:new"), {**WISH, **change})
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert 'value="玫瑰城3号楼2单元"' in page  # nothing typed is lost
    assert not Demand.objects.exists()


def test_my_wishes_lists_only_the_residents_own(world, login):
    # A wish staff took down from the resident's phone call is theirs too; another resident's is not.
    own = register_wish(world, title="想要一台轮椅", reporter=ReporterInput(name="王奎", phone="13812341234"))
    register_wish(world, title="别人的心愿", reporter=ReporterInput(name="李秀英", phone="13900001111"))
    mine = login("resident").get(reverse("wishes:my_wishes")).content.decode()
    assert "想要一台轮椅" in mine and own.number in mine and "别人的心愿" not in mine


@pytest.mark.parametrize("name", ["staff1", "volunteer", "nobody", "admin"])
def test_only_residents_reach_the_pages(world, login, name):
    client = login(name)
    assert client.get(reverse("wishes:new")).status_code == 404
    assert client.get(reverse("wishes:my_wishes")).status_code == 404
    client.post(reverse("wishes:new"), WISH)
    assert not Demand.objects.exists()


def test_a_resident_account_without_a_resident_record_is_refused(world, client):
    user = get_user_model().objects.create_user(username="newcomer", password="pw-newcomer")
    Membership.objects.create(user=user, unit=world.units["cc1"], role=Role.RESIDENT)
    client.force_login(user)
    assert client.get(reverse("wishes:new")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("wishes:new"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert reverse("wishes:new") not in client.get(reverse("wishes:wall")).content.decode()


def test_residents_find_the_pages_from_the_navigation_and_the_wall(world, login):
    client = login("resident")
    home = client.get(reverse("wishes:wall")).content.decode()
    assert reverse("wishes:my_wishes") in home and reverse("wishes:new") in home
    assert reverse("wishes:new") in client.get(reverse("wishes:my_wishes")).content.decode()
