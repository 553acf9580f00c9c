"""消息 in a real browser: a resident reads the updates on their demand on a phone, in Chinese and
in English, and stops the text messages; a handler groups their inbox by demand on an office screen."""

from pathlib import Path

import pytest

from minsheng.demands import services
from minsheng.notifications import delivery
from minsheng.notifications.models import SmsOptOut

from ..demands.helpers import bring_to
from .test_workbench import assert_fits_the_screen

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13812341234"  # the world's resident with an account


def test_a_resident_reads_updates_and_stops_text_messages(site, screenshot_dir: Path):
    demand = bring_to(site.world, "resolved", reporter=services.ReporterInput(name="王奎", phone=PHONE))
    delivery.deliver_batch()

    page = site.signed_in("resident", phone=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/me/")
    page.get_by_role("link", name="消息（3）").first.click()
    main = page.locator("main")
    expect(main).to_contain_text(f"您的诉求 {demand.number} 已办结")
    expect(main).to_contain_text("办理结果：已补装井盖")
    expect(main).to_contain_text("138****1234")
    expect(main).not_to_contain_text(PHONE)
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "inbox-resident-zh.png", full_page=True)

    page.get_by_role("button", name="退订短信通知").click()
    expect(main).to_contain_text("已退订短信通知")
    assert SmsOptOut.objects.filter(phone=PHONE).exists()

    page.get_by_role("button", name="全部标为已读").click()
    expect(page.get_by_role("link", name="消息", exact=True).first).to_be_visible()

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site.url}])
    page.goto("/work/inbox/")
    expect(main).to_contain_text(f"Your demand {demand.number} has been resolved")
    expect(main).to_contain_text("Text me again")
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "inbox-resident-en.png", full_page=True)


def test_a_handler_groups_the_inbox_by_demand(site, screenshot_dir: Path):
    first = bring_to(site.world, "supervised")
    bring_to(site.world, "dispatched")
    delivery.deliver_batch()
    page = site.signed_in("handler_cg")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/inbox/")
    page.locator("#inbox-filters input[name=group]").check()
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("main table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=f"督办：{first.number}")).to_have_count(1)  # its latest message names the group
    page.screenshot(path=screenshot_dir / "inbox-staff-grouped-zh.png", full_page=True)
