"""Secretary projects in a real browser: a community's public board on a phone and as a printable
page (PDF), a secretary updating a project, the minutes of a joint meeting.  Screenshots go with the
other browser tests' (test-artifacts/screenshots)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.projects import services
from minsheng.projects.services import MilestoneInput

from ..projects.conftest import make_party
from .test_workbench import assert_fits_the_screen

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def projects(site):
    """Two projects of 玫瑰城社区 this year: one with a milestone past its date (red), one on track."""
    world = site.world
    party = make_party(world)
    today = timezone.localdate(clock.now())
    deadline = today + timedelta(days=60)
    late = services.create_project(
        world.user("staff1"), organisation=party.community1, name="老旧小区加装电梯", year=today.year,
        deadline=deadline, measures="入户征求意见；协调资金；分批施工", owner_title="玫瑰城社区党委书记",
        milestones=[MilestoneInput("完成方案", today - timedelta(days=3)), MilestoneInput("完成施工", deadline)])
    services.create_project(
        world.user("staff1"), organisation=party.community1, name="背街小巷路灯改造", year=today.year,
        deadline=deadline, measures="排查路灯；统一更换", milestones=[MilestoneInput("完成排查", deadline)])
    services.add_practical_thing(world.user("staff1"), region=world.regions["c1"], title="修缮社区活动室",
                                 owner_label="社区居委会", due=deadline, organisation=party.community1,
                                 year=today.year)
    return late


def test_the_public_board_on_a_phone_and_as_a_printable_page(site, projects, screenshot_dir):
    page = site.page(phone=True)
    page.set_viewport_size(PHONE)
    page.goto("/board/c1/")
    expect(page.locator("main h1")).to_contain_text("玫瑰城社区")
    row = page.locator("table.board tbody tr").filter(has_text="老旧小区加装电梯")
    expect(row).to_contain_text("周红")
    expect(row).to_contain_text("黄 · 进度滞后")
    expect(page.locator("body")).not_to_contain_text("13655550001")
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "projects-board-phone.png", full_page=True)

    expect(page.locator("ul.practical")).to_contain_text("修缮社区活动室")
    poster_href = page.get_by_role("link", name="打印公示牌").get_attribute("href")

    page = site.page()  # the poster is printed from a desk, not a phone
    page.goto(poster_href)
    expect(page.locator("h1")).to_contain_text("书记项目公示")
    expect(page.locator(".qr svg")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "projects-poster.png", full_page=True)
    # The server's PDF (WeasyPrint, the poster's own template) is what the community prints.
    pdf = page.request.get(site.url + "/board/c1/poster.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    (screenshot_dir / "projects-poster.pdf").write_bytes(pdf.body())


def test_a_secretary_updates_a_project_and_its_colour_turns_blue(site, projects, screenshot_dir):
    page = site.signed_in("secretary1")  # a secretary with no staff role: the workbench's queue is not theirs
    page.goto("/")
    page.locator("header.top nav").get_by_role("link", name="书记项目").click()
    page.get_by_role("link", name="老旧小区加装电梯").click()
    expect(page.locator("main h1")).to_contain_text("进度滞后")
    form = page.locator("#update-form")
    form.locator("[name=note]").fill("方案已经居民议事会通过，资金已落实。")
    form.locator("[name=progress_percent]").fill("45")
    form.get_by_label("完成方案").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("进展已更新")
    expect(page.locator("main h1")).to_contain_text("蓝 · 正常推进")
    expect(page.locator("#progress-percent")).to_have_text("45%")
    expect(page.locator("#milestones")).to_contain_text(f"{timezone.localdate(clock.now()):%Y-%m-%d}")
    page.screenshot(path=screenshot_dir / "projects-secretary-update.png", full_page=True)


def test_the_minutes_of_a_joint_meeting(site, projects, screenshot_dir):
    page = site.signed_in("staff1")
    page.locator("header.top nav summary", has_text="社区工作").click()  # the menu holding community work
    page.locator("header.top nav").get_by_role("link", name="议事会议").click()
    page.locator("details.action summary").first.click()
    page.select_option("#id_kind", "joint")
    page.select_option("#id_region", "c1")
    page.fill("#id_place", "社区党群服务中心")
    page.fill("#id_agenda", "1. 3号楼楼道堆物\n2. 小区停车难")
    page.fill("#id_attendees", "社区书记周红\n物业经理李明\n居民代表王奎")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#attendees")).to_contain_text("物业经理李明")

    minutes = page.locator("details.action").filter(has_text="填写会议纪要")
    minutes.locator("summary").click()
    minutes.locator("[name=minutes]").fill("议定：物业一周内清理3号楼楼道堆物；社区增设临时停车位。")
    minutes.locator("button[type=submit]").click()
    expect(page.locator("#minutes")).to_contain_text("物业一周内清理")

    decide = page.locator("details.action").filter(has_text="登记决定事项")
    decide.locator("summary").click()
    decide.locator("[name=text]").fill("清理3号楼楼道堆物")
    decide.locator("[name=owner_label]").fill("物业经理李明")
    decide.locator("[name=due]").fill(f"{timezone.localdate(clock.now()) + timedelta(days=7):%Y-%m-%d}")
    decide.locator("[name=became]").select_option("demand")
    decide.locator("button[type=submit]").click()
    expect(page.locator("#decisions")).to_contain_text("已登记")
    page.screenshot(path=screenshot_dir / "projects-meeting-minutes.png", full_page=True)
