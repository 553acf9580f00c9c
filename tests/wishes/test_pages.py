"""The wish pages: the public wall, a party member's claim, fulfilment with evidence, the resident's
confirmation on the tracking page, and the staff pages (actions on the demand page, quota boards)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.demands.services import ReporterInput
from minsheng.demands.workflow import State
from minsheng.wishes.models import WishClaim

from .helpers import act, party, promise, register_wish, wish_at

pytestmark = pytest.mark.django_db


def test_the_wall_shows_published_wishes_without_the_wishers_identity(client, world):
    hidden = wish_at(world, "published")
    shown = register_wish(world, title="想学用智能手机", hide_name=False,
                          reporter=ReporterInput(name="李秀英", phone="13900001111"))
    act(world, "staff1", shown, "publish_wish")
    register_wish(world, title="还没发布的心愿")
    page = client.get(reverse("wishes:wall")).content.decode()
    assert "想要一台助听器" in page and "想学用智能手机" in page and "还没发布的心愿" not in page
    assert "张桂兰" not in page and "匿名居民" in page  # hidden by default
    assert "李秀英" not in page and "李**" in page  # shown masked when the resident allowed it
    assert "13700005678" not in page
    other_street = client.get(reverse("wishes:wall"), {"region": "c2"}).content.decode()
    assert "想要一台助听器" not in other_street
    assert f'id="wish-{hidden.pk}"' in page


def test_a_party_member_claims_from_the_page_and_fulfils_with_a_photo(world, login, tiny_jpeg):
    party(world)
    wish = wish_at(world, "published")
    client = login("volunteer")
    url = reverse("wishes:claim", args=[wish.pk])
    assert "确认认领" in client.get(url).content.decode()
    response = client.post(url, {"version": wish.version, "promised_by": promise(3).isoformat()})
    assert response.status_code == 302 and response["Location"] == reverse("wishes:mine")
    claim = WishClaim.objects.get(demand=wish)
    assert claim.claimer_kind == "party_member"
    # A second claim of the same wish is refused: the wish has left the wall, and so has its page.
    again = client.post(url, {"version": wish.version, "promised_by": promise(3).isoformat()})
    assert again.status_code == 404 and WishClaim.objects.filter(demand=wish).count() == 1
    assert client.get(url).status_code == 404
    mine = client.get(reverse("wishes:mine")).content.decode()
    assert "想要一台助听器" in mine and "提交实现情况" in mine
    wish.refresh_from_db()
    response = client.post(reverse("wishes:mine"), {"claim": claim.pk, "version": wish.version,
                                                    "result": "已送去并调试", "hours": "2", "photos": tiny_jpeg()})
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.state == State.RESOLVED and wish.attachments.count() == 1


def test_someone_without_a_volunteer_record_is_told_so(world, login):
    wish = wish_at(world, "published")
    response = login("volunteer").post(reverse("wishes:claim", args=[wish.pk]),
                                       {"version": wish.version, "promised_by": promise().isoformat()})
    assert response.status_code == 403 and "你还不是注册志愿者" in response.content.decode()


def test_the_resident_confirms_on_the_tracking_page(client, world):
    party(world)
    wish = wish_at(world, "fulfilled")
    page = client.post(reverse("web:track"), {"number": wish.number, "phone_last4": "5678"}).content.decode()
    assert "已实现，待居民确认" in page and "已送去助听器并调试好" in page
    client.post(reverse("web:rate"), {"number": wish.number, "phone_last4": "5678", "satisfaction": "satisfied",
                                      "comment": "非常感谢"})
    assert Demand.objects.get(pk=wish.pk).state == State.REVISITED


def test_staff_take_wish_actions_on_the_demand_page(world, login):
    wish = register_wish(world)
    client = login("staff1")
    page = client.get(reverse("web:demand", args=[wish.pk])).content.decode()
    for label in ("发布到心愿墙", "转为诉求办理", "领导包案", "暂缓办理并说明"):
        assert label in page
    assert 'id="action-verify"' not in page and 'id="action-dispatch"' not in page
    response = client.post(reverse("web:act", args=[wish.pk, "defer_wish"]), {"version": wish.version,
                                                                               "explanation": ""})
    assert response.status_code == 400 and "请填写向居民的说明" in response.content.decode()
    response = client.post(reverse("web:act", args=[wish.pk, "assign_wish_to_leader"]), {
        "version": wish.version, "leader": world.users["leader"].pk, "promised_by": promise(60).isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("web:demand", args=[wish.pk])).content.decode()
    assert "长期难题" in page and "包案领导" in page


def test_the_staff_list_and_quota_boards(world, login):
    p = party(world)
    wish_at(world, "fulfilled")
    client = login("staff1")
    page = client.get(reverse("wishes:staff_list")).content.decode()
    assert "想要一台助听器" in page and "已实现，待居民确认" in page
    boards = client.get(reverse("wishes:quotas")).content.decode()
    assert p.community.name in boards and "孙丽" in boards and "尚未完成认领任务的党员 1 名" in boards
    assert login("staff2").get(reverse("wishes:staff_list")).content.decode().count("想要一台助听器") == 0


def test_staff_register_a_wish_collected_in_person(world, login):
    client = login("staff1")
    response = client.post(reverse("wishes:intake"), {
        "channel": "station", "title": "想给孙子买套课外书", "description": "孙子读三年级，家里困难，想要几本课外书。",
        "region": "g1", "name": "王大妈", "phone": "13711112222"})
    wish = Demand.objects.get(title="想给孙子买套课外书")
    assert response.status_code == 302 and wish.kind == "wish" and wish.hide_name


def test_a_wish_not_on_the_wall_has_no_public_page(world, login):
    unpublished = register_wish(world, title="还没发布的心愿", description="家里的热水器坏了，想请人看看")
    client = login("resident")
    assert client.get(reverse("wishes:claim", args=[unpublished.pk])).status_code == 404


def test_the_quota_boards_turn_their_own_pages_with_those_behind_first(world, login, monkeypatch):
    """A city's boards hold hundreds of rows: the members' board pages on its own parameter (the
    organisations' page kept), the members behind their quota first, every member once."""
    import re

    from minsheng.party.models import PartyMember
    from minsheng.wishes import views

    party(world)
    wish_at(world, "fulfilled")
    monkeypatch.setattr(views, "QUOTA_PAGE_SIZE", 1)
    client = login("staff1")
    rows, number = [], 1
    while True:
        page = client.get(reverse("wishes:quotas"), {"member_page": number, "organisation_page": 1}).content.decode()
        board = page[page.index('id="member-board"'):]
        rows += re.findall(r'<tr( class="behind")?><td data-label="[^"]*">([^<]+)', board)
        if f"member_page={number + 1}" not in board:
            break
        link = re.search(rf'href="\?([^"]*member_page={number + 1}[^"]*)"', board).group(1)
        assert "organisation_page=1" in link.split("&amp;")  # the other board's page kept
        number += 1
    names = [name.strip() for _behind, name in rows]
    behind = [bool(flag) for flag, _name in rows]
    assert sorted(names) == sorted(m.resident.name for m in PartyMember.objects.all()) and len(names) > 1
    assert behind == sorted(behind, reverse=True) and any(behind)


def test_the_quota_boards_default_to_the_local_year(world, login):
    party(world)
    # 00:30 on 1 January 2027 in Beijing, as the clock gives it (timezone.now(): UTC, still 2026).
    new_years_first_hour = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    with clock.frozen_at(new_years_first_hour):
        page = login("staff1").get(reverse("wishes:quotas")).content.decode()
    assert "<h1>2027 年任务完成情况</h1>" in page
