"""Staff pages for time limits and supervision: colours in words, the inbox, supervision and
whistle lists with who is late, the revisit list, and the new actions on a demand's page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from minsheng.notifications.delivery import deliver_batch
from minsheng.supervision import services
from minsheng.supervision.revisits import record_unanswered_call

from ..demands.helpers import bring_to

CST = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 2, 9, tzinfo=CST)


def test_the_queue_list_detail_and_tracking_say_the_colour_in_words(login, client, world):
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "in_progress")
    with time_machine.travel(START + timedelta(days=30), tick=False):
        for url in ("/work/", "/work/demands/", f"/work/demands/{demand.pk}/"):
            page = login("handler_cg").get(url).content.decode()
            assert 'class="badge time-red">超期' in page, url
        client.logout()
        page = client.post("/track/", {"number": demand.number, "phone_last4": "1234"}).content.decode()
        assert 'id="time-status">超期' in page


def test_the_inbox_shows_delivered_messages_and_marks_them_read(login, world):
    demand = bring_to(world, "dispatched")
    deliver_batch()
    client = login("handler_cg")
    assert "消息（1）" in client.get("/work/").content.decode()
    page = client.get("/work/inbox/").content.decode()
    assert f"新派工单：{demand.number}" in page and f"/work/demands/{demand.pk}/" in page
    client.post("/work/inbox/read/")
    assert "消息（1）" not in client.get("/work/").content.decode()


def test_the_supervision_page_shows_who_reported_late(login, world):
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "dispatched")
        services.summon_units(world.user("dispatcher1"), demand.pk, demand.version, reason="管线权属不清",
                              units=["zj", "cg"], report_hours=2)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        demand.refresh_from_db()
        services.report_in(world.user("handler_zj"), demand.pk, demand.version, report="已到场")
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        demand.refresh_from_db()
        services.order_supervision(world.user("leader"), demand.pk, demand.version, instruction="请说明未签收原因",
                                   reply_by=START + timedelta(hours=4))
        page = login("dispatcher1").get("/work/supervision/").content.decode()
        assert 'class="lateness-on_time">按时' in page and 'class="lateness-overdue">已超期' in page
        assert "请说明未签收原因" in page and 'class="lateness-waiting">待完成' in page
        detail = login("handler_zj").get(f"/work/demands/{demand.pk}/").content.decode()  # summoned: may see it
        assert "吹哨报到" in detail and "区城管局" in detail
        assert login("staff2").get("/work/supervision/").content.decode().count("lateness-") == 0


def test_a_demand_page_offers_and_performs_the_new_actions(login, world):
    demand = bring_to(world, "in_progress")
    client = login("leader")
    page = client.get(f"/work/demands/{demand.pk}/").content.decode()
    assert 'id="action-order_supervision"' in page and 'id="action-reply_supervision"' not in page
    response = client.post(f"/work/demands/{demand.pk}/order_supervision/", {
        "version": demand.version, "instruction": "请尽快办理", "reply_by": "2099-01-01T10:00"})
    assert response.status_code == 302
    page = login("handler_cg").get(f"/work/demands/{demand.pk}/").content.decode()
    assert 'id="action-reply_supervision"' in page and "请尽快办理" in page
    demand.refresh_from_db()
    refused = login("leader").post(f"/work/demands/{demand.pk}/order_supervision/", {
        "version": demand.version, "instruction": "", "reply_by": "2099-01-01T10:00"})
    assert refused.status_code == 400 and "请填写督办要求" in refused.content.decode()


def test_the_revisit_list_counts_the_tries(login, world):
    demand = bring_to(world, "resolved")
    record_unanswered_call(world.user("operator"), demand.pk, demand.version)
    page = login("operator").get("/work/revisits/").content.decode()
    assert demand.number in page and '<td data-label="已回访次数">1</td>' in page
    assert login("handler_cg").get("/work/revisits/").status_code == 200  # a staff page, but not their list
    assert demand.number not in login("handler_cg").get("/work/revisits/").content.decode()
