"""共驻共建 in a real browser: a resident on a phone (390×844) finds the school's hall in the
resource-sharing list and books it; the school's contact approves it on the unit's page at the
office width (1440×900).  Screenshots of both pages."""

from pathlib import Path

import pytest
from django.utils.timezone import localtime

from minsheng.cobuild.models import Booking

from ..cobuild.helpers import alliance, at
from .test_workbench import assert_fits_the_screen

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_books_the_schools_hall_and_its_contact_approves(site, screenshot_dir: Path):
    setup = alliance(site.world)
    site.world.users["teacher"].set_password("pw-teacher")
    site.world.users["teacher"].save()

    resident = site.signed_in("resident", phone=True)
    resident.set_viewport_size({"width": 390, "height": 844})
    resident.goto("/")
    navigation = resident.locator("header.top nav")
    navigation.locator("summary", has_text="更多").click()  # a resident's bar holds seven entries; the rest folds
    navigation.get_by_role("link", name="资源共享").click()
    card = resident.locator("section.resource", has_text="学校礼堂")
    expect(card).to_contain_text("光明小学")
    expect(card).to_contain_text("136****4444")
    assert_fits_the_screen(resident)
    resident.screenshot(path=screenshot_dir / "cobuild-resources-390.png", full_page=True)
    card.get_by_role("link", name="预约").click()
    resident.fill("#id_starts_at", localtime(at(3, 9)).strftime("%Y-%m-%dT%H:%M"))
    resident.fill("#id_ends_at", localtime(at(3, 11)).strftime("%Y-%m-%dT%H:%M"))
    resident.fill("#id_purpose", "老年合唱队排练")
    resident.get_by_role("button", name="提交预约").click()
    expect(resident.locator("main")).to_contain_text("待审批")
    assert_fits_the_screen(resident)
    booking = Booking.objects.get()

    teacher = site.login("teacher")
    teacher.set_viewport_size({"width": 1440, "height": 900})
    teacher.goto(f"/work/cobuild/members/{setup.school.pk}/")
    row = teacher.locator(f"#booking-{booking.pk}")
    expect(row).to_contain_text("老年合唱队排练")
    teacher.screenshot(path=screenshot_dir / "cobuild-member-1440.png", full_page=True)
    row.get_by_role("button", name="批准", exact=True).click()
    expect(teacher.locator(f"#booking-{booking.pk}")).to_contain_text("已批准")
    booking.refresh_from_db()
    assert booking.state == "approved"

    # The community's staff see the figures per community and the register at the office width.
    staff = site.signed_in("staff1")
    staff.set_viewport_size({"width": 1440, "height": 900})
    staff.goto("/work/cobuild/")
    expect(staff.locator("table.figures")).to_contain_text("玫瑰城社区")
    expect(staff.locator("main")).to_contain_text("光明小学")
    staff.screenshot(path=screenshot_dir / "cobuild-home-1440.png", full_page=True)
