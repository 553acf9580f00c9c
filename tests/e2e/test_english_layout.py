"""The office pages in English at the widths they are used at: English words are longer than the
Chinese ones the layouts were drawn for, and a first-time English reader met lower-case column
names, a ranking table wider than the page, a large screen that cut off its composite score and
the lateness of an overdue demand, and a long audit detail that widened the log."""

from datetime import timedelta
from pathlib import Path

import pytest

from minsheng.audit import services as audit
from minsheng.audit.models import AuditEntry
from minsheng.core import clock
from minsheng.demands.models import Demand

from ..demands.helpers import bring_to

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)


def _in_english(site, page) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site.url}])


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_english_column_names_start_with_a_capital(site, world, screenshot_dir: Path):
    demand = bring_to(world, "registered")
    page = site.signed_in("operator")
    _in_english(site, page)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/")
    headers = page.locator("table.list thead th").all_inner_texts()
    # The catalogue says "demand number", "status" (Django's convention for field names); the
    # header shows them as the start of a label.
    assert "Demand number" in headers and "Status" in headers, headers
    assert not [h for h in headers if h[:1].islower()], headers
    page.screenshot(path=str(screenshot_dir / "queue-en-1440.png"))
    page.goto(f"/work/demands/{demand.pk}/")
    headings = page.locator("main h2").all_inner_texts()
    assert "Description" in headings and not [h for h in headings if h[:1].islower()], headings


def test_the_residents_tracking_page_names_its_facts_with_a_capital(site, world, screenshot_dir: Path):
    demand = bring_to(world, "dispatched")
    page = site.page(phone=True)
    _in_english(site, page)
    page.goto("/track/")
    page.fill("input[name=number]", demand.number)
    page.fill("input[name=phone_last4]", "1234")
    # The capitals come from the style sheet (dt::first-letter): read the terms once the answer
    # has loaded with it, not as soon as its first bytes arrive (a busy machine showed them unstyled).
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    terms = page.locator("#progress dt").all_inner_texts()
    assert "Handling unit" in terms and not [t for t in terms if t[:1].islower()], terms
    page.screenshot(path=str(screenshot_dir / "track-en-phone.png"), full_page=True)


def test_the_english_assessment_table_stays_inside_the_page(site, world, screenshot_dir: Path):
    bring_to(world, "resolved")
    page = site.signed_in("leader")
    _in_english(site, page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/work/assessment/?by=unit")
    # Thirteen English column names on one line each were wider than the page by themselves.
    expect(page.locator("h1")).to_contain_text("by handling unit")
    assert page.locator("table.figures th").nth(1).inner_text() == "Handling unit"
    expect(page.locator("select[name=by] option:checked")).to_have_text("Handling unit")
    assert _page_width(page) <= 1280
    page.screenshot(path=str(screenshot_dir / "assessment-table-en-1280.png"), full_page=True)
    page.goto("/work/dashboard/")
    expect(page.locator("#rates")).to_be_visible()
    assert _page_width(page) <= 1280


def test_the_english_screen_shows_the_composite_score_and_the_whole_lateness(site, world, screenshot_dir: Path):
    late = bring_to(world, "dispatched")
    Demand.objects.filter(pk=late.pk).update(handle_due=clock.now() - timedelta(days=75))
    page = site.signed_in("leader")
    _in_english(site, page)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/work/screen/")
    due = page.locator("#screen-overdue .due")
    expect(due).to_contain_text("overdue by 2\u00a0months")
    panel = page.locator(".screen-panels").bounding_box()
    box = due.bounding_box()
    assert box["x"] + box["width"] <= panel["x"] + panel["width"], (box, panel)
    figures = page.locator(".screen-figures").bounding_box()
    composite = page.locator(".screen-rates .composite").bounding_box()
    assert composite["y"] + composite["height"] <= figures["y"] + figures["height"], (composite, figures)
    page.screenshot(path=str(screenshot_dir / "screen-en-1920.png"))


def test_a_long_audit_detail_wraps_inside_the_log(site, world, screenshot_dir: Path):
    audit.record(AuditEntry.Kind.CONFIGURATION, action="新增", target="分类模型 #1",
                 detail="version=20261206-220802-69b32219; sha256=" + "69b32219a0aff8d9" * 4)
    page = site.signed_in("auditor")
    _in_english(site, page)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/audit/")
    expect(page.locator("#audit-log")).to_contain_text("sha256=")
    assert _page_width(page) <= 1440
    page.screenshot(path=str(screenshot_dir / "audit-log-en-1440.png"), full_page=True)
    # The administration area's configuration history shows the same entry.
    admin = site.signed_in("admin")
    _in_english(site, admin)
    admin.set_viewport_size({"width": 1440, "height": 900})
    admin.goto("/work/setup/admin/history/")
    expect(admin.locator("table.history")).to_contain_text("sha256=")
    assert _page_width(admin) <= 1440
