"""The auditor's page in a real browser at an office width: the auditor's own sign-in is in the
log, a filter by kind narrows it, and the export link carries the filters."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from minsheng.audit import services
from minsheng.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_auditor_reads_and_filters_the_log(site, screenshot_dir: Path):
    services.record(AuditEntry.Kind.SIGN_IN_FAILED, username="dispatcher1", action="/login/")
    services.record(AuditEntry.Kind.CONFIGURATION, username="admin", action="修改", target="岗位 #3 staff1 · 社区",
                    detail="active: True → False")
    page = site.login("auditor")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("link", name="安全审计").click()
    log = page.locator("#audit-log")
    expect(log).to_contain_text("登录成功")  # the auditor's own sign-in, just now
    expect(log).to_contain_text("active: True → False")
    page.screenshot(path=screenshot_dir / "audit-log-1440x900.png", full_page=True)
    page.select_option("select[name=kind]", "sign_in_failed")
    page.get_by_role("button", name="筛选").click()
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log).to_contain_text("dispatcher1")
    assert "kind=sign_in_failed" in page.locator("#export").get_attribute("href")
    page.screenshot(path=screenshot_dir / "audit-log-filtered-1440x900.png", full_page=True)
