"""The Content-Security-Policy (settings._CSP) leaves the pages with scripts and maps working:
no violation on a public page with the map, the staff workbench, the dashboard and the
language switch (issue #24, item 8)."""

from playwright.sync_api import expect


def _watch(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def test_public_and_staff_pages_run_under_the_policy(site):
    page = site.page(phone=True)
    violations = _watch(page)
    page.goto("/submit/")
    expect(page.locator(".leaflet-container").first).to_be_visible()
    # The handler in minsheng.js sends the form; the answer may be slow on a busy machine, so wait for
    # the navigation itself (30 s) rather than for the attribute (5 s).
    with page.expect_navigation():
        page.locator("header.top select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    staff = site.signed_in("leader")
    violations += _watch(staff)
    staff.goto("/work/dashboard/")
    expect(staff.locator(".leaflet-container").first).to_be_visible()
    staff.goto("/work/")
    assert not violations, violations
