"""A resident's micro-wish end to end in a real browser: registered at the station, published on
the wall, claimed by a party member on their phone, fulfilled, confirmed by the resident on the
tracking page and closed (销号) — with screenshots of each page."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.ledger.models import Account, Measure
from minsheng.wishes.models import WishClaim

from ..wishes.helpers import party
from .test_workbench import DETAIL_URL, act_ok, assert_fits_the_screen, rate, state_of, track

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)

WISH = "想要一台助听器"


def test_a_residents_wish_is_claimed_by_a_party_member_and_confirmed(site, screenshot_dir: Path):
    p = party(site.world)

    # The community worker registers the wish the resident brought to the station, and publishes it.
    staff = site.login("staff1")
    staff.goto("/work/wishes/new/")
    staff.select_option("#id_channel", "station")
    staff.fill("#id_title", WISH)
    staff.fill("#id_description", "我今年82岁，耳朵越来越背，想要一台助听器，方便和家人说话。")
    staff.select_option("#id_region", "g1")
    staff.fill("#id_name", "张桂兰")
    staff.fill("#id_phone", "13700005678")
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(DETAIL_URL)
    expect(state_of(staff)).to_have_text("已登记")
    act_ok(staff, "publish_wish")
    expect(state_of(staff)).to_have_text("心愿墙待认领")
    wish = Demand.objects.get(title=WISH)

    # The party member finds it on the wall (no name shown) and claims it with a promised date.
    member = site.signed_in("volunteer", phone=True)
    member.goto("/wishes/")
    card = member.locator(f"#wish-{wish.pk}")
    expect(card).to_contain_text(WISH)
    expect(card).to_contain_text("匿名居民")
    expect(member.locator("main")).not_to_contain_text("张桂兰")
    assert_fits_the_screen(member)
    member.screenshot(path=screenshot_dir / "wish-wall-zh.png", full_page=True)
    card.get_by_role("link", name="我来认领").click()
    promised = timezone.localdate(clock.now()) + timedelta(days=3)
    member.fill("#id_promised_by", promised.isoformat())
    member.screenshot(path=screenshot_dir / "wish-claim-zh.png", full_page=True)
    with member.expect_navigation():
        member.get_by_role("button", name="确认认领").click()
    member.wait_for_url("**/wishes/mine/")
    expect(member.locator(".messages li.success")).to_contain_text("认领成功")
    claim = WishClaim.objects.get(demand=wish)
    assert claim.party_member == p.member and claim.promised_by == promised

    # Fulfilled, with a note and the hours spent.
    box = member.locator(f"#claim-{claim.pk}")
    box.locator("[name=result]").fill("已联系爱心企业捐赠助听器，上门送到并帮老人调试好。")
    box.locator("[name=hours]").fill("2")
    with member.expect_navigation():
        box.get_by_role("button", name="提交实现情况").click()
    expect(member.locator(f"#claim-{claim.pk}")).to_contain_text("已实现，待居民确认")
    assert_fits_the_screen(member)
    member.screenshot(path=screenshot_dir / "wish-mine-zh.png", full_page=True)

    # The resident tracks it by number and phone digits, reads the note and confirms.
    resident = site.page(phone=True)
    track(resident, wish.number, "5678")
    expect(resident.locator("#demand-state")).to_have_text("已实现，待居民确认")
    expect(resident.locator(".timeline")).to_contain_text("上门送到并帮老人调试好")
    assert_fits_the_screen(resident)
    resident.screenshot(path=screenshot_dir / "wish-confirm-zh.png", full_page=True)
    rate(resident, "satisfied", "谢谢党员同志，听得清楚多了！")
    expect(resident.locator("#demand-state")).to_have_text("居民已确认")

    # The community closes it (销号); the hours and points reach the member's account.
    staff.goto(f"/work/demands/{wish.pk}/")
    act_ok(staff, "close")
    expect(state_of(staff)).to_have_text("已销号")
    expect(staff.locator(f"#wish-claim-{claim.pk}")).to_contain_text("刘建国")
    staff.screenshot(path=screenshot_dir / "wish-closed-zh.png", full_page=True)
    assert Account.objects.get(volunteer=claim.volunteer, measure=Measure.HOURS).balance == 2
    assert re.fullmatch(r"\d{13}", wish.number)
