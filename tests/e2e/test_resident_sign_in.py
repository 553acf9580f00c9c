"""A resident signs in on a phone (390×844) with a text-message code, finds 我的诉求, opens one,
adds information and withdraws another that nobody handles yet — with screenshots."""

import re
from pathlib import Path

import pytest

from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.notifications.sms import LocmemSmsBackend

from ..demands.helpers import PATH, _do, register
from .test_workbench import assert_fits_the_screen

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13812341234"  # the world's resident 王奎
RESIDENT_VIEWPORT = {"width": 390, "height": 844}


def _filed_by_the_resident(world, stop: str, title: str) -> Demand:
    demand = register(world, title=title, reporter=services.ReporterInput(name="王奎", phone=PHONE))
    for actor, action, kwargs in PATH[stop]:
        demand = _do(world, actor, demand, action, **kwargs)
    return Demand.objects.get(pk=demand.pk)


def test_a_resident_signs_in_with_a_text_code_and_follows_their_demands(site, settings, screenshot_dir: Path):
    settings.MINSHENG_SMS_BACKEND = "minsheng.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.sent.clear()
    handled = _filed_by_the_resident(site.world, "in_progress", "小区路灯不亮")
    waiting = _filed_by_the_resident(site.world, "registered", "楼道堆放杂物")
    someone_elses = register(site.world, title="别人的井盖诉求")

    page = site.page(phone=True)
    page.set_viewport_size(RESIDENT_VIEWPORT)
    page.goto("/")
    page.get_by_role("link", name="手机号登录").click()
    expect(page.locator("h1")).to_have_text("居民登录")
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "resident-sign-in-phone-zh.png", full_page=True)

    page.fill("#id_phone", PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#code-step")).to_contain_text("138****1234")
    sms = LocmemSmsBackend.sent[-1]
    phone, text = sms.phone, sms.text
    assert phone == PHONE
    code = re.search(r"\d{6}", text).group()
    page.fill("#id_code", code)
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "resident-sign-in-code-zh.png", full_page=True)
    page.get_by_role("button", name="登录", exact=True).click()

    page.wait_for_url("**/me/")
    mine = page.locator("#my-demands")
    expect(mine).to_contain_text(handled.number)
    expect(mine).to_contain_text("办理中")
    expect(mine).to_contain_text(waiting.number)
    expect(mine).not_to_contain_text(someone_elses.number)
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "resident-my-demands-zh.png", full_page=True)

    # The handled one: its timeline, and more information for the unit.
    mine.get_by_role("link", name=handled.title).click()
    expect(page.locator("#demand-state")).to_have_text("办理中")
    expect(page.locator(".timeline")).to_contain_text("签收")
    expect(page.locator("#withdraw")).to_have_count(0)
    page.fill("#id_text", "晚上九点以后整条路都是黑的")
    page.get_by_role("button", name="提交补充").click()
    expect(page.locator(".messages")).to_contain_text("补充信息已提交")
    expect(page.locator(".timeline")).to_contain_text("晚上九点以后整条路都是黑的")
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "resident-demand-detail-zh.png", full_page=True)

    # The one nobody handles yet can be withdrawn.
    page.goto("/me/")
    page.locator("#my-demands").get_by_role("link", name=waiting.title).click()
    page.fill("#id_reason", "已经自行清理")
    page.get_by_role("button", name="撤回", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("诉求已撤回")
    expect(page.locator(".timeline")).to_contain_text("撤回")
    expect(page.locator("#withdrawn")).to_contain_text("已经自行清理")
    page.screenshot(path=screenshot_dir / "resident-demand-withdrawn-zh.png", full_page=True)
    assert Demand.objects.get(pk=waiting.pk).state == "closed"

    # The same sign-in page in English still fits the phone.
    english = site.page(phone=True)
    english.set_viewport_size(RESIDENT_VIEWPORT)
    english.goto("/signin/")
    with english.expect_navigation():
        english.select_option("header select[name=language]", "en")
    expect(english.locator("h1")).to_have_text("Resident sign-in")
    expect(english.get_by_role("button", name="Send code")).to_be_visible()
    assert_fits_the_screen(english)
    english.screenshot(path=screenshot_dir / "resident-sign-in-phone-en.png", full_page=True)


def test_my_demands_shows_what_i_reported_and_what_i_joined_together(site, screenshot_dir: Path):
    """我的诉求 at 390×844: one demand the resident filed and one they joined with 我也遇到,
    each in its own list with its state; the join's update reached their inbox."""
    reported = _filed_by_the_resident(site.world, "dispatched", "小区路灯不亮")
    joined = register(site.world, title="建设路井盖缺失", consent=True, publish_consent=True)
    services.join_demand(joined.pk, reporter=services.ReporterInput(name="王奎", phone=PHONE), consent=True)
    _do(site.world, "staff1", Demand.objects.get(pk=joined.pk), "verify")

    page = site.signed_in("resident", phone=True)
    page.goto("/me/")
    expect(page.locator("#my-demands")).to_contain_text(reported.number)
    expect(page.locator("#my-demands")).to_contain_text("已派单")
    expect(page.locator("#my-demands")).not_to_contain_text(joined.number)
    expect(page.locator("#joined-demands")).to_contain_text(joined.number)
    expect(page.locator("#joined-demands")).to_contain_text("待派单")
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "resident-my-demands-reported-and-joined-zh.png", full_page=True)
