"""The leader's figures in a real browser: the dashboard's rate tiles, one click to the failures
behind a rate with the same count, and the monthly report as PDF in Chinese and in English."""

import re
from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from minsheng.core import clock
from minsheng.demands import services
from tests.demands.helpers import bring_to


def _do(world, actor, demand, action, **kwargs):
    return services.SERVICE_FOR_ACTION[action](world.user(actor), demand.pk, demand.version, **kwargs)


def _a_month_of_work(world):
    """One round resolved in time and revisited, one left past its deadline."""
    done = _do(world, "handler_cg", bring_to(world, "dispatched", title="按期办结的井盖"), "accept")
    done = _do(world, "handler_cg", done, "record_progress", note="已联系", contact=True)
    done = _do(world, "handler_cg", done, "resolve", result="已补装")
    _do(world, "operator", done, "revisit", satisfaction="satisfied", solved="partly_solved")
    return bring_to(world, "dispatched", title="一直没有办结的路灯")


def test_a_leader_goes_from_a_rate_to_its_failures(site, screenshot_dir):
    # Early in an earlier month, so that both deadlines have passed for the live server (which
    # reads the real clock) and the work and its deadlines fall in one month.
    month = (timezone.localdate(clock.now()).replace(day=1) - timedelta(days=40)).replace(day=3)
    with clock.frozen_at(timezone.make_aware(datetime.combine(month, time(10)))):
        late = _a_month_of_work(site.world)
    due_day = timezone.localdate(late.handle_due)
    assert due_day.replace(day=1) == month.replace(day=1)
    page = site.signed_in("leader")
    page.goto(f"/work/dashboard/?month={due_day:%Y-%m}")
    tile = page.locator('#rates [data-rate="on_time"]')
    expect(tile).to_contain_text("50.0%")
    expect(tile).to_contain_text("1 / 2")
    expect(page.locator('#rates [data-rate="satisfaction"]')).to_contain_text("100.0%")
    expect(page.locator('#rates [data-rate="resolution"]')).to_contain_text("0.0%")  # partly solved
    page.screenshot(path=screenshot_dir / "assessment-dashboard-1440x900.png", full_page=True)
    tile.locator("a.failures").click()
    expect(page.locator("#item-count")).to_contain_text("共 1 件次")
    expect(page.locator("#items")).to_contain_text("一直没有办结的路灯")
    expect(page.locator("#items")).not_to_contain_text("按期办结的井盖")
    page.screenshot(path=screenshot_dir / "assessment-failures-1440x900.png", full_page=True)
    page.goto(f"/work/assessment/report/?month={due_day:%Y-%m}")
    assert re.search(r"应办结 2 件，按期办结率 50.0%", page.locator("#summary").inner_text())
    page.screenshot(path=screenshot_dir / "assessment-report-1440x900.png", full_page=True)
    for language, title in (("zh-hans", "接诉即办月度报告"), ("en", "Monthly report")):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])
        html = page.context.request.get(f"/work/assessment/report/?month={due_day:%Y-%m}")
        assert title in html.text()
        pdf = page.context.request.get(f"/work/assessment/report/?month={due_day:%Y-%m}&format=pdf")
        assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
        (screenshot_dir / f"assessment-report-{language}.pdf").write_bytes(pdf.body())
    page.goto(f"/work/assessment/report/?month={due_day:%Y-%m}")
    expect(page.locator("#summary")).to_contain_text("2 were due, with an on-time rate of 50.0%")
