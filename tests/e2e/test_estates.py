"""Estates and notices in a real browser: a community's notice to the elders living alone of a
building and its read count (1440×900), the estate's page, and a resident reading the notice and
replying on the phone (390×844), the reply then turned into a demand."""

import pytest

from minsheng.demands.models import Demand
from minsheng.notifications.models import NoticeReply
from tests.grids.estate_world import build_estate, resident_account

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.mark.slow
def test_notice_to_a_buildings_elders_read_and_replied(site, screenshot_dir):
    world = site.world
    ew = build_estate(world)
    elder = ew.residents[0]  # 陈桂兰, living alone
    world.users["elder"] = resident_account(elder, "elder")

    staff = site.signed_in("staff1")
    staff.goto(f"/work/estates/{ew.estate.pk}/")
    expect(staff.locator("#three-parties")).to_contain_text("玫瑰园物业公司")
    expect(staff.locator("#three-parties")).to_contain_text("业主委员会")
    expect(staff.locator("#three-parties")).to_contain_text("玫瑰园小区党支部")
    staff.screenshot(path=str(screenshot_dir / "estate-page.png"), full_page=True)

    staff.goto("/work/notices/new/")
    staff.select_option("#id_region", str(ew.building.pk))
    staff.select_option("#id_tag", label="独居老人")
    staff.fill("#id_title", "寒潮来临，请注意防寒保暖")
    staff.fill("#id_body", "本周气温将降至零下15度，请关好门窗；有困难请回复本通知。")
    staff.check("#id_by_letter")
    staff.get_by_role("button", name="发送").click()
    expect(staff.locator("#counts")).to_contain_text("接收居民")
    expect(staff.locator("#read-count")).to_have_text("0")

    phone = site.signed_in("elder", phone=True)
    phone.set_viewport_size(PHONE)
    phone.goto("/my/notices/")
    phone.get_by_role("link", name="寒潮来临，请注意防寒保暖").click()
    phone.fill("#id_body", "我家暖气不热，能帮忙看看吗？")
    phone.screenshot(path=str(screenshot_dir / "notice-resident-reply-phone.png"), full_page=True)
    phone.get_by_role("button", name="发送回复").click()
    expect(phone.locator("#reply")).to_contain_text("我家暖气不热")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    staff.reload()
    expect(staff.locator("#read-count")).to_have_text("1")
    staff.screenshot(path=str(screenshot_dir / "notice-elders-read-count.png"), full_page=True)
    staff.get_by_role("button", name="转为诉求").click()
    staff.wait_for_url("**/work/demands/**")
    reply = NoticeReply.objects.get()
    assert reply.demand == Demand.objects.get(reporter=elder)
