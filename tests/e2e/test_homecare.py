"""Home care in a real browser: the elder's page (request a service), the provider worker's phone
page (claim, record a visit, see a refusal) and the auditor's page (refusal, approval, statement),
with screenshots."""

from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.homecare import eligibility, tasks
from minsheng.homecare.models import CareTask, ServiceRecord
from minsheng.people.models import Resident

from ..homecare.conftest import build_care

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
WORKER_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def care(site):
    """The homecare catalogue (flushed by the previous transactional test), providers, and the
    world's resident 王奎 on the scheme at grade 乙 since the start of the year."""
    from django.apps import apps

    from minsheng.homecare.defaults import load_defaults

    load_defaults(apps)
    today = timezone.localdate(clock.now())
    care = build_care(site.world, start=today.replace(month=1, day=1), end=today.replace(month=12, day=31))
    resident = Resident.objects.get(phone="13812341234")
    elder = eligibility.apply(care.user("staff1"), name=resident.name, phone=resident.phone,
                              community=site.world.regions["c1"], birth_year=1945, support="dibao",
                              condition="empty_nest", self_care="partial")
    eligibility.assess(care.user("staff1"), elder.pk, grade="B")
    care.elder_row = eligibility.approve(care.user("dispatcher"), elder.pk, on=today.replace(month=1, day=1))
    return care


def _phone_page(site, username):
    page = site.signed_in(username, phone=True)
    page.set_viewport_size(WORKER_VIEWPORT)
    return page


def test_the_elder_requests_a_service(site, care, screenshot_dir: Path):
    page = site.signed_in("resident", phone=True)
    page.goto("/care/me/")
    expect(page.locator("#elder-grade")).to_have_text("乙级")
    expect(page.locator("#elder-usage")).to_contain_text("20.00")
    day = timezone.localdate(clock.now()) + timedelta(days=1)
    page.select_option("#id_service", "cooking")
    page.fill("#id_planned_on", day.isoformat())
    page.fill("#id_hours", "2")
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已预约")
    expect(page.locator("#elder-tasks")).to_contain_text("做饭")
    assert CareTask.objects.get().elder == care.elder_row
    # Past the month's quota: refused with the reason, nothing booked.
    page.select_option("#id_service", "cooking")
    page.fill("#id_planned_on", day.isoformat())
    page.fill("#id_hours", "19")
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator("#request-form .errorlist")).to_contain_text("超出额度")
    assert CareTask.objects.count() == 1
    page.screenshot(path=screenshot_dir / "homecare-elder-zh.png", full_page=True)


def test_the_worker_claims_and_records_a_visit_on_a_phone(site, care, screenshot_dir: Path):
    yesterday = timezone.localdate(clock.now()) - timedelta(days=1)
    if yesterday.month != timezone.localdate(clock.now()).month:
        yesterday = timezone.localdate(clock.now())
    task = tasks.request_care(care.user("staff1"), care.elder_row.pk, service="bathing", planned_on=yesterday,
                              hours="1")
    other = tasks.claim(care.user("worker1"), tasks.request_care(
        care.user("staff1"), care.elder_row.pk, service="haircut", planned_on=yesterday, hours="1").pk)
    care.visit(other, start=timezone.make_aware(timezone.datetime.combine(yesterday, timezone.datetime.min.time()))
               + timedelta(hours=9))
    page = _phone_page(site, "worker1")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 39.905, "longitude": 116.405})
    # The phone's clock at 09:30 yesterday: check-in and check-out take the phone's time.
    page.clock.install(time=timezone.make_aware(timezone.datetime.combine(yesterday, time(9, 30))))
    page.goto("/care/worker/")
    claimable = page.locator("#claimable")
    expect(claimable).to_contain_text("助浴")
    claimable.get_by_role("button", name="认领").click()
    expect(page.locator(".messages")).to_contain_text("已认领")

    def visit(hours_later: str) -> None:
        card = page.locator(f"#task-{task.pk}")
        if not card.locator("details").evaluate("d => d.open"):
            card.locator("summary").click()
        card.get_by_role("button", name="签到").click()
        expect(card.locator("[data-check-at=in]")).to_contain_text("位置已记录")
        page.clock.fast_forward(hours_later)
        card.get_by_role("button", name="签退").click()
        expect(card.locator("[data-check-at=out]")).to_contain_text("位置已记录")
        card.locator("input[name=confirmed_by]").fill("王奎")
        card.locator("canvas.signature-pad").scroll_into_view_if_needed()
        box = card.locator("canvas.signature-pad").bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 200, box["y"] + 120, steps=8)
        page.mouse.up()
        card.get_by_role("button", name="提交服务记录").click()

    # Overlapping the visit already recorded at 09:00–10:00: refused with the reason, kept on the
    # phone until the worker discards it.
    visit("01:00:00")
    expect(page.locator(f"#task-{task.pk} [data-queue-note]")).to_contain_text("重叠")
    page.once("dialog", lambda dialog: dialog.accept())
    page.goto("/work/field/queue/")
    expect(page.locator("#queue li.failed")).to_contain_text("重叠")
    page.get_by_role("button", name="放弃这一条").click()
    expect(page.locator("#queue li")).to_have_count(0)
    page.goto("/care/worker/")
    page.clock.fast_forward("03:30:00")  # 14:00
    visit("01:00:00")
    expect(page.locator(".messages")).to_contain_text("服务记录已提交")
    assert ServiceRecord.objects.filter(task=task, hours=1).exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WORKER_VIEWPORT["width"], f"the worker's page scrolls sideways ({width}px)"
    page.screenshot(path=screenshot_dir / "homecare-worker-phone-zh.png", full_page=True)


def test_the_auditor_reviews_and_opens_the_statement(site, care, screenshot_dir: Path):
    today = timezone.localdate(clock.now())
    day = today - timedelta(days=1) if today.day > 1 else today
    record = care.visit(care.claimed(care.elder_row, day=day, hours="2"),
                        start=timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
                        + timedelta(hours=8))
    page = site.signed_in("auditor")
    page.goto(f"/care/audit/?month={day:%Y-%m}")
    card = page.locator(f"#record-{record.pk}")
    expect(card).to_contain_text("王奎")
    card.locator("select[name=decision]").select_option("reject")
    card.get_by_role("button", name="提交审核").click()
    expect(page.locator(f"#record-{record.pk} .errorlist")).to_contain_text("请填写理由")
    card = page.locator(f"#record-{record.pk}")
    card.locator("select[name=decision]").select_option("approve")
    card.get_by_role("button", name="提交审核").click()
    expect(page.locator(".messages")).to_contain_text("已审核")
    assert ServiceRecord.objects.get(pk=record.pk).status == "approved"
    page.screenshot(path=screenshot_dir / "homecare-auditor-zh.png", full_page=True)
    page.get_by_role("link", name=care.providers["p1"].name).click()
    expect(page.locator("#statement-lines")).to_contain_text("34.00")
    page.screenshot(path=screenshot_dir / "homecare-statement-zh.png", full_page=True)


def test_community_staff_take_an_application_on_a_phone(site, care, screenshot_dir: Path):
    from minsheng.homecare.models import Elder
    from minsheng.people.models import PersonalDataAccess

    page = _phone_page(site, "staff1")
    page.goto("/care/elders/")
    page.locator("#register-links").get_by_role("link", name="登记申请").click()
    form = page.locator("#apply-form")
    form.locator("input[name=name]").fill("钱奶奶")
    form.locator("input[name=phone]").fill("13700002222")
    form.locator("input[name=birth_year]").fill("1990")
    form.locator("select[name=support]").select_option("dibao")
    form.locator("select[name=condition]").select_option("semi_disabled")
    form.locator("select[name=self_care]").select_option("partial")
    form.locator("textarea[name=health]").fill("糖尿病")
    form.locator("select[name=channel]").select_option("hotline")
    form.get_by_role("button", name="登记申请").click()
    # Too young: refused on the form, everything typed still there, nothing registered.
    form = page.locator("#apply-form")
    expect(form.locator(".errorlist")).to_contain_text("申请人须年满 60 周岁")
    expect(form.locator("input[name=name]")).to_have_value("钱奶奶")
    expect(form.locator("textarea[name=health]")).to_have_value("糖尿病")
    assert not Elder.objects.filter(resident__phone="13700002222").exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WORKER_VIEWPORT["width"], f"the application page scrolls sideways ({width}px)"
    page.screenshot(path=screenshot_dir / "homecare-apply-phone-zh.png", full_page=True)
    form.locator("input[name=birth_year]").fill("1942")
    form.get_by_role("button", name="登记申请").click()
    expect(page.locator(".messages")).to_contain_text("已登记 钱奶奶 的申请")
    # The health data is masked until revealed; the reveal is logged.
    expect(page.locator("#health")).not_to_contain_text("糖尿病")
    page.get_by_role("button", name="查看健康信息（将被记录）").click()
    expect(page.locator("#health")).to_contain_text("糖尿病")
    assert PersonalDataAccess.objects.filter(resident__phone="13700002222", viewer__username="staff1").exists()
    page.locator("#assess select[name=grade]").select_option("B")
    page.locator("#assess").get_by_role("button", name="保存评估").click()
    expect(page.locator("#elder-status")).to_have_text("已评估")
    page.screenshot(path=screenshot_dir / "homecare-elder-staff-phone-zh.png", full_page=True)
