"""Meal assistance in a real browser: the canteen's counter on a tablet takes a meal by card, and a
volunteer claims and confirms a delivery on a phone, with screenshots."""

from datetime import date, time
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.ledger.models import Account
from minsheng.meals import services
from minsheng.meals.models import Canteen, Diner, Meal, MealTime, Menu, PricePolicy
from minsheng.people.models import Resident
from minsheng.volunteers.models import Volunteer

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def canteen(site):
    world = site.world
    canteen = Canteen.objects.create(code="mgc", name="玫瑰城社区长者食堂", kind="community",
                                     region=world.regions["c1"])
    for sitting, starts, ends in (("breakfast", time(6, 30), time(8)), ("lunch", time(11), time(13)),
                                  ("dinner", time(17), time(18, 30))):
        MealTime.objects.create(canteen=canteen, sitting=sitting, starts=starts, ends=ends)
    today = timezone.localdate(clock.now())
    Menu.objects.create(canteen=canteen, day=today, sitting="lunch", dishes="清蒸鲈鱼、蒜蓉菠菜、小米粥",
                        diets=["low_salt", "soft"])
    for tier, g, c, e in (("standard", 2, 1, 5), ("dibao", 3, 2, 3)):
        PricePolicy.objects.create(canteen=canteen, tier=tier, valid_from=date(2026, 1, 1), government=g,
                                   collective=c, elder=e)
    li = Resident.objects.get(phone="13900001111")
    li.address = "玫瑰城5号楼2单元301"
    li.save()
    Diner.objects.create(resident=li, canteen=canteen, card_number="ZC0002", tier="dibao", delivery=True,
                         since=date(2026, 1, 1))
    Diner.objects.create(resident=Resident.objects.get(phone="13812341234"), canteen=canteen,
                         card_number="ZC0001", since=date(2026, 1, 1))
    return canteen


def test_the_counter_takes_a_meal_by_card_on_a_tablet(site, canteen, screenshot_dir: Path):
    page = site.signed_in("staff1")
    page.set_viewport_size(TABLET)
    page.goto("/meals/")
    page.get_by_role("link", name="玫瑰城社区长者食堂").click()
    page.get_by_role("link", name="打开取餐窗口").click()
    page.fill("#id_code", "ZC0002")  # a card reader types the number and Enter
    page.press("#id_code", "Enter")
    expect(page.locator("#last-meal")).to_contain_text("李秀英")
    expect(page.locator("#last-meal")).to_contain_text("139****1111")
    expect(page.locator("#last-meal")).to_contain_text("3.00")
    expect(page.locator("#served-count")).to_have_text("1")
    # The same card again at the same sitting: refused on the form, nothing recorded twice.
    sitting = page.locator("#id_sitting").input_value()
    page.fill("#id_code", "ZC0002")
    page.press("#id_code", "Enter")
    expect(page.locator("#counter-form .errorlist")).to_contain_text("不能重复")
    assert Meal.objects.filter(sitting=sitting).count() == 1
    page.fill("#id_code", "ZC0001")
    page.press("#id_code", "Enter")
    expect(page.locator("#served-count")).to_have_text("2")
    assert "13900001111" not in page.content()
    page.screenshot(path=screenshot_dir / "meals-counter-tablet.png", full_page=True)
    assert not site.page_errors and not site.external_requests()


def test_a_volunteer_claims_and_delivers_a_meal_on_a_phone(site, canteen, screenshot_dir: Path):
    world = site.world
    resident = Resident.objects.create(name="张志愿", phone="13600003333", user=world.users["volunteer"],
                                       region=world.regions["g1"])
    volunteer = Volunteer.objects.create(resident=resident, region=world.regions["c1"], card_number="V0001",
                                         joined_on=date(2026, 1, 1))
    diner = Diner.objects.get(card_number="ZC0002")
    services.book_meal(world.user("staff1"), diner.pk, day=timezone.localdate(clock.now()), sitting="dinner",
                       channel="phone", deliver=True)
    page = site.signed_in("volunteer", phone=True)
    page.set_viewport_size(PHONE)
    page.goto("/meals/deliveries/")
    expect(page.locator("#claimable")).to_contain_text("李秀英")
    page.locator("#claimable button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已认领")
    expect(page.locator("#my-deliveries")).to_contain_text("玫瑰城5号楼2单元301")
    expect(page.locator("#my-deliveries")).to_contain_text("139****1111")
    page.screenshot(path=screenshot_dir / "meals-delivery-claimed-phone.png", full_page=True)
    page.fill("#my-deliveries input[name=note]", "老人已收到，饭菜温热")
    page.get_by_role("button", name="确认送达").click()
    expect(page.locator(".messages")).to_contain_text("服务时长已记入")
    expect(page.locator("#delivered")).to_contain_text("已送达")  # the record, folded below the open ones
    expect(page.locator("#my-deliveries")).to_contain_text("你手上没有要送的餐")
    assert Account.objects.get(volunteer=volunteer, measure="hours").balance_cents == 50
    page.screenshot(path=screenshot_dir / "meals-delivery-phone.png", full_page=True)
    assert not site.page_errors and not site.external_requests()
