"""The pages: the public board (page, poster, PDF, large screen) shows nothing personal; staff pages
list what is in their scope and drive the services."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from minsheng.core import clock
from minsheng.projects import services
from minsheng.projects.models import CollectedNeed, Meeting

from .conftest import make_project

pytestmark = pytest.mark.django_db
AT = datetime(2026, 4, 14, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen():
    with clock.frozen_at(AT):
        yield


@pytest.fixture
def board_data(world, party, frozen):
    project = make_project(world, party)
    services.add_practical_thing(world.user("staff1"), region=world.regions["c1"], title="修缮活动室",
                                 owner_label="社区居委会", due=date(2026, 6, 30), organisation=party.community1)
    make_project(world, party, actor="staff2", org=party.community2, name="雷锋社区停车改造")
    return project


def test_the_public_board_shows_projects_and_nothing_personal(client, world, party, board_data):
    response = client.get(reverse("projects:board", args=["c1"]) + "?year=2026")
    html = response.content.decode()
    assert response.status_code == 200
    assert "老旧小区加装电梯" in html and "周红" in html and "玫瑰城社区党委书记" in html and "修缮活动室" in html
    assert "黄 · 进度滞后" in html  # the first milestone (2026-03-31) is past and undone: yellow, as due soon
    assert "13655550001" not in html and "5550001" not in html
    assert "雷锋社区停车改造" not in html  # another community's project


def test_the_poster_prints_as_a_pdf_and_the_screen_renders(client, world, party, board_data):
    poster = client.get(reverse("projects:poster", args=["c1"]) + "?year=2026")
    assert poster.status_code == 200 and "<svg" in poster.content.decode()  # the QR code to the live board
    pdf = client.get(reverse("projects:poster_pdf", args=["c1"]) + "?year=2026")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    screen = client.get(reverse("projects:screen", args=["c1"]) + "?year=2026")
    assert screen.status_code == 200 and "老旧小区加装电梯" in screen.content.decode()
    assert client.get(reverse("projects:board", args=["g1"])).status_code == 404  # not a community


def test_staff_see_their_scope_only(client, world, party, board_data):
    client.force_login(world.user("staff2"))
    html = client.get(reverse("projects:projects") + "?year=2026").content.decode()
    assert "雷锋社区停车改造" in html and "老旧小区加装电梯" not in html
    assert client.get(reverse("projects:project", args=[board_data.pk])).status_code == 404


def test_a_secretary_updates_their_project_on_the_page(client, world, party, board_data):
    client.force_login(world.user("secretary1"))
    page = client.get(reverse("projects:project", args=[board_data.pk]))
    assert page.status_code == 200
    first = board_data.milestones.order_by("due").first()
    response = client.post(reverse("projects:project_update", args=[board_data.pk]), {
        "version": 0, "note": "方案已通过", "progress_percent": 30, "milestones_done": [first.pk]})
    assert response.status_code == 302
    board_data.refresh_from_db()
    first.refresh_from_db()
    assert board_data.progress_percent == 30 and first.done_on == date(2026, 4, 14)
    # A stale version is shown on the form, not a server error.
    stale = client.post(reverse("projects:project_update", args=[board_data.pk]), {
        "version": 0, "note": "again", "progress_percent": 40})
    assert stale.status_code == 400 and "已被他人更新" in stale.content.decode()


def test_a_meeting_with_minutes_and_a_decision_through_the_pages(client, world, party, frozen):
    client.force_login(world.user("staff1"))
    response = client.post(reverse("projects:meetings"), {
        "kind": "red_hall", "region": "c1", "held_on": "2026-04-14", "place": "红色议事厅",
        "agenda": "楼道堆物", "attendees": "周红\n李明"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.kind == "red_hall"
    client.post(reverse("projects:meeting_minutes", args=[meeting.pk]), {"minutes": "议定由物业清理。"})
    client.post(reverse("projects:meeting_decide", args=[meeting.pk]), {
        "text": "清理楼道堆物", "owner_label": "物业", "due": "2026-04-21", "became": "demand",
        "demand_type": "help"})
    html = client.get(reverse("projects:meeting", args=[meeting.pk])).content.decode()
    assert "议定由物业清理。" in html and "清理楼道堆物" in html and "已登记" in html
    # A volunteer of the same community holds a grant there, but the minutes are the staff's papers.
    client.force_login(world.user("volunteer"))
    assert client.get(reverse("projects:meeting", args=[meeting.pk])).status_code == 404
    assert "楼道堆物" not in client.get(reverse("projects:meetings")).content.decode()


def test_needs_are_recorded_and_converted_through_the_pages(client, world, party, frozen):
    client.force_login(world.user("staff1"))
    client.post(reverse("projects:needs"), {"kind": "opinion_form", "region": "c1", "held_on": "2026-04-14",
                                            "households": 30, "needs": "增加休息座椅\n修理路灯"})
    need = CollectedNeed.objects.get(title="修理路灯")
    client.post(reverse("projects:convert_need", args=[need.pk]), {"into": "demand", "demand_type": "help"})
    need.refresh_from_db()
    assert need.demand.channel == "meeting"
    html = client.get(reverse("projects:needs")).content.decode()
    assert need.demand.number in html


def test_the_needs_page_names_what_each_need_became_without_a_query_per_need(client, world, party, frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.user("staff1"))

    def record_and_convert(titles: list[str]) -> None:
        client.post(reverse("projects:needs"), {"kind": "opinion_form", "region": "c1", "held_on": "2026-04-14",
                                                "households": 30, "needs": "\n".join(titles)})
        for title in titles:
            need = CollectedNeed.objects.get(title=title)
            client.post(reverse("projects:convert_need", args=[need.pk]), {"into": "demand", "demand_type": "help"})

    def queries() -> int:
        client.get(reverse("projects:needs"))  # a warm-up: per-process caches (the operator's seats) fill once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("projects:needs")).status_code == 200
        return len(captured)

    record_and_convert(["修理路灯"])
    one = queries()
    record_and_convert(["增加休息座椅", "清理楼道", "更换井盖"])
    assert CollectedNeed.objects.exclude(demand=None).count() == 4
    assert queries() == one


def test_the_practical_list_page_ticks_off_and_shows_the_quota(client, world, party, board_data):
    client.force_login(world.user("staff1"))
    item = party.community1.practical_things.get()
    response = client.post(reverse("projects:tick_off", args=[item.pk]), {"evidence": "已完工验收"})
    assert response.status_code == 302
    html = client.get(reverse("projects:practical") + "?year=2026").content.decode()
    assert "已销号" in html and "玫瑰城社区党委" in html


def test_the_action_forms_on_every_row_are_rendered_once_a_page(client, world, party, board_data):
    """销号 on each open item of the yearly list and 转办 on each open need: one blank form, its
    widgets rendered once however many rows offer it, and still there on every row."""
    from unittest import mock

    from django.forms.boundfield import BoundField

    client.force_login(world.user("staff1"))
    for i in range(3):
        services.add_practical_thing(world.user("staff1"), region=world.regions["c1"], title=f"清单事项{i}",
                                     owner_label="社区居委会", due=date(2026, 6, 30), organisation=party.community1)
    client.post(reverse("projects:needs"), {"kind": "opinion_form", "region": "c1", "held_on": "2026-04-14",
                                            "households": 30, "needs": "增加休息座椅\n修理路灯\n清理楼道"})
    real = BoundField.as_widget
    for url, field, rows in ((reverse("projects:practical") + "?year=2026", "evidence", 4),
                             (reverse("projects:needs"), "into", 3)):
        with mock.patch.object(BoundField, "as_widget", autospec=True, side_effect=real) as widgets:
            html = client.get(url).content.decode()
        assert html.count(f'name="{field}"') == rows, url  # on every open row
        assert [c.args[0].name for c in widgets.call_args_list].count(field) == 1, url  # rendered once


def test_a_secretary_whose_projects_are_for_next_year_is_shown_the_way_to_them(client, world, party, frozen):
    from minsheng.projects.services import MilestoneInput

    project = make_project(world, party, name="明年的加装电梯", deadline=date(2027, 3, 31),
                           milestones=[MilestoneInput("完成方案", date(2027, 1, 31))])
    client.force_login(world.user("secretary1"))
    html = client.get(reverse("projects:projects")).content.decode()  # this year, 2026: none
    assert "本年度还没有书记项目。" in html and "明年的加装电梯" not in html
    assert 'href="?year=2027">2027 年（1 项）</a>' in html
    assert project.name in client.get(reverse("projects:projects") + "?year=2027").content.decode()
    client.cookies["django_language"] = "en"
    assert 'href="?year=2027">2027 (1 project)</a>' in client.get(reverse("projects:projects")).content.decode()


def test_each_table_of_the_yearly_list_turns_its_own_pages(client, world, party, board_data, monkeypatch, settings):
    """A city's list holds hundreds of items and organisations: the items and the quota table each
    page on their own parameter, each link keeping the other's page and the year; the organisations
    short of their quota come first; nothing is shown twice or left out."""
    import re

    from minsheng.projects import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(3):
        services.add_practical_thing(world.user("staff1"), region=world.regions["c1"], title=f"清单事项{i}",
                                     owner_label="社区居委会", due=date(2026, 7, 1 + i), organisation=party.community1)
    client.force_login(world.user("admin"))
    url = reverse("projects:practical")
    seen = []
    for page in (1, 2):
        html = client.get(url, {"year": 2026, "page": page, "quota_page": 2}).content.decode()
        seen += re.findall(r"修缮活动室|清单事项\d", html)
        assert f"第 {page} / 2 页" in html
        links = set(re.findall(r'href="(\?[^"]*page=[^"]*)"', html))
        assert f"?year=2026&amp;page={3 - page}&amp;quota_page=2" in links, links  # the other page, the rest kept
    assert sorted(seen) == ["修缮活动室", "清单事项0", "清单事项1", "清单事项2"]
    # 玫瑰城 (listed first by name) meets a quota of one; 雷锋 does not and comes first.
    settings.MINSHENG_PARTY_QUOTAS = {**settings.MINSHENG_PARTY_QUOTAS, "organisation_practical_things": 1}
    services.tick_off(world.user("staff1"), party.community1.practical_things.first().pk, evidence="已完工")
    html = client.get(url, {"year": 2026}).content.decode()
    quota = html[html.index('id="quota"'):html.index("</table>", html.index('id="quota"'))]
    assert re.findall(r"雷锋社区党委|玫瑰城社区党委|已达标|未达标", quota) == [
        "雷锋社区党委", "未达标", "玫瑰城社区党委", "已达标"]
    assert "已达标 1 个，未达标 1 个" in html
