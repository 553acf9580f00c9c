"""Elder service places in a real browser: staff reveal an elder's health record and see the chart
(1440×900), a volunteer signs up for a shift on a phone (390×844), with screenshots."""

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.eldercare import services
from minsheng.eldercare.models import Elder, Facility, ShiftSignup
from minsheng.people.models import PersonalDataAccess, Resident
from minsheng.volunteers.models import Volunteer

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
OFFICE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def station(site):
    world = site.world
    return Facility.objects.create(code="mgc-station", name="玫瑰城社区养老驿站", kind=Facility.Kind.STATION,
                                   region=world.regions["c1"], opening_hours="周一至周六 8:00–17:30", capacity=30,
                                   services=["blood_pressure", "blood_sugar", "clinic"], phone="024-88123456")


def test_staff_reveal_an_elders_health_chart(site, station, screenshot_dir: Path):
    rng = random.Random(7)
    staff = site.world.user("staff1")
    elder = Elder.objects.create(facility=station, resident=Resident.objects.get(phone="13900001111"),
                                 enrolled_on=date(2026, 1, 1))
    today = timezone.localdate(clock.now())
    for back in range(90, -1, -7):
        systolic = rng.randrange(118, 168)
        with clock.frozen_at(timezone.make_aware(datetime.combine(today - timedelta(days=back), time(9)))):
            services.record_check(staff, station, elder_id=elder.pk, systolic=systolic,
                                  diastolic=rng.randrange(70, 96), heart_rate=rng.randrange(62, 104),
                                  blood_sugar=f"{rng.randrange(48, 80) / 10:.1f}", fasting=True)
    page = site.signed_in("staff1")
    page.set_viewport_size(OFFICE)
    page.goto("/eldercare/")
    page.get_by_role("link", name="玫瑰城社区养老驿站").click()
    page.get_by_role("link", name="李秀英").click()
    expect(page.locator("#record")).to_contain_text("已测")
    assert not PersonalDataAccess.objects.exists()
    page.get_by_role("button", name="查看数值和趋势图").click()
    expect(page.locator("#health-chart canvas")).to_be_visible()
    expect(page.locator("#record .elder-abnormal").first).to_be_visible()
    assert PersonalDataAccess.objects.filter(resident=elder.resident).count() == 1
    page.wait_for_timeout(600)  # the chart's entry animation
    page.screenshot(path=screenshot_dir / "eldercare-health-chart.png", full_page=True)
    assert not site.page_errors


def test_a_volunteer_signs_up_for_a_shift_on_a_phone(site, station, screenshot_dir: Path):
    world = site.world
    resident = Resident.objects.create(name="张志愿", phone="13600003333", user=world.users["volunteer"],
                                       region=world.regions["g1"])
    volunteer = Volunteer.objects.create(resident=resident, region=world.regions["c1"], card_number="V0001",
                                         joined_on=date(2026, 1, 1))
    tomorrow = timezone.localdate(clock.now()) + timedelta(days=1)
    services.add_shifts(world.user("staff1"), station, first_day=tomorrow, starts=time(9), ends=time(11, 30),
                        duty="陪老人测血压、读报", capacity=2, hours="2.5", weeks=2)
    page = site.signed_in("volunteer", phone=True)
    page.set_viewport_size(PHONE)
    page.goto("/volunteer/")
    page.get_by_role("link", name="养老驿站、幸福院排班报名").click()
    expect(page.locator("#open-shifts")).to_contain_text("玫瑰城社区养老驿站")
    page.locator("#open-shifts button", has_text="报名这个班次").first.click()
    expect(page.locator(".messages")).to_contain_text("已报名")
    expect(page.locator("#my-shifts")).to_contain_text("陪老人测血压")
    assert ShiftSignup.objects.filter(volunteer=volunteer).count() == 1
    page.screenshot(path=screenshot_dir / "eldercare-rota-phone.png", full_page=True)
    assert not site.page_errors
