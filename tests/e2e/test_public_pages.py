"""The residents' public pages in a real browser at a phone's width: the public reports map and
list (with screenshots), the elder-friendly mode, an axe-core check of every public page, and a
crawl of the demo that fails on any request to another host."""

import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from minsheng.demands import services
from minsheng.demo.city import DEMO_PASSWORD
from minsheng.supervision.revisits import revisit_link_token

from ..demands.helpers import bring_to, register
from ..web.crawl import _shape, crawl
from .conftest import CHROMIUM, Site, give_grids_boundaries, use_local_basemap

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENT_VIEWPORT = {"width": 390, "height": 844}
# axe-core's impacts that fail a page; "moderate" and "minor" ones are reported, not failed.
FAILING_IMPACTS = ("serious", "critical")


@pytest.fixture
def reports(site, settings, tmp_path):
    """A dozen public demands placed in the world's grids, on a local basemap of the district."""
    use_local_basemap(settings, tmp_path)
    rng = random.Random(6)
    for i in range(12):
        # Every fourth is resolved: the helper's path runs through g1's community and the roads' department.
        resolved = i % 4 == 0
        grid = "g1" if resolved else rng.choice(["g1", "g1b", "g2"])
        west = {"g1": 116.40, "g1b": 116.41, "g2": 116.42}[grid]
        lat, lng = Decimal(f"{39.90 + rng.random() * .01:.6f}"), Decimal(f"{west + rng.random() * .01:.6f}")
        fields = {"consent": True, "publish_consent": True, "region": grid, "latitude": lat, "longitude": lng,
                  "category": "construction.roads" if resolved else rng.choice(["construction.roads", "environment"]),
                  "reporter": services.ReporterInput(name=f"居民{i}", phone=f"1370000{i:04d}")}
        if resolved:
            bring_to(site.world, "resolved", **fields)
        else:
            register(site.world, **fields)
    return site


def _phone(site: Site, *, elder: bool = False):
    page = site.page(phone=True)
    page.set_viewport_size(RESIDENT_VIEWPORT)
    if elder:
        page.context.add_cookies([{"name": "minsheng_elder", "value": "1", "url": site.url}])
    return page


def _fits(page) -> bool:
    """Nothing sticks out sideways (a phone would scroll the whole page)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_public_map_and_list_on_a_phone(reports, screenshot_dir):
    page = _phone(reports)
    page.goto("/reports/")
    page.wait_for_selector(".reports-map img.leaflet-tile-loaded")
    page.wait_for_load_state("networkidle")
    # Twelve pins, some gathered into clusters: every pin is either drawn or counted in a cluster.
    drawn = page.locator(".reports-map path.leaflet-interactive").count()
    clustered = sum(int(t) for t in page.locator(".marker-cluster span").all_inner_texts())
    assert drawn + clustered == 12
    assert page.locator(".report-list li").count() == 12
    content = page.content()
    assert not any(f"居民{i}" in content for i in range(12)) and "13700000" not in content
    assert _fits(page)
    page.screenshot(path=screenshot_dir / "public-reports-map-390x844.png")
    page.locator("h2", has_text="诉求列表").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "public-reports-list-390x844.png")
    page.select_option("#id_state", "resolved")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/reports/?*state=resolved*")
    assert page.locator(".report-list li").count() == 3


def test_the_public_map_works_with_no_basemap_at_all(site, settings):
    """MINSHENG_BASEMAP=none (or no archive yet): the pins still show, on grey (the site fixture
    fails the test on a JavaScript error: clustering once threw for want of a maximum zoom)."""
    settings.MINSHENG_BASEMAP = "none"
    register(site.world, consent=True, publish_consent=True, latitude=Decimal("39.905"), longitude=Decimal("116.405"))
    page = _phone(site)
    page.goto("/reports/")
    page.wait_for_selector(".reports-map path.leaflet-interactive")


def test_the_elder_mode_switch_is_kept_and_every_public_page_fits(reports, screenshot_dir):
    page = _phone(reports)
    page.goto("/submit/")
    page.fill("#id_title", "已经输入的标题")
    base = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.locator("button.elder-switch").click()
    expect(page.locator("html")).to_have_class("elder")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= base * 1.2
    assert page.input_value("#id_title") == "已经输入的标题"  # switched in place: nothing typed is lost
    assert page.locator("button.elder-switch").get_attribute("aria-pressed") == "true"
    for path in ("/", "/submit/", "/track/", "/reports/", "/login/"):
        page.goto(path)  # a new page: the cookie keeps the mode
        assert page.evaluate("document.documentElement.classList.contains('elder')"), path
        assert _fits(page), path
        name = path.strip("/") or "home"
        page.screenshot(path=screenshot_dir / f"elder-{name}-390x844.png")
    page.goto("/reports/")
    page.wait_for_selector(".reports-map img.leaflet-tile-loaded")
    page.screenshot(path=screenshot_dir / "public-reports-elder-390x844.png")
    page.locator("button.elder-switch").click()
    expect(page.locator("html")).not_to_have_class("elder")
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('elder')")


def _violations(axe, page) -> list:
    page.wait_for_load_state("networkidle")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in axe.run(page).response["violations"]
            if v["impact"] in FAILING_IMPACTS]


@pytest.mark.parametrize("elder", [False, True], ids=["plain", "elder"])
def test_axe_finds_no_serious_violation_on_the_public_pages(reports, elder):
    """Every page a resident reaches without an account, as it first opens and in the states a
    form leads to (errors, a tracking result, the thanks for a rating)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    resolved = bring_to(reports.world, "resolved", consent=True, publish_consent=True,
                        reporter=services.ReporterInput(name="刘芳", phone="13600002222"))
    page = _phone(reports, elder=elder)
    failures = {}
    for path in ("/", "/submit/", "/track/", "/reports/", "/reports/?area=s1&state=resolved",
                 f"/revisit/{revisit_link_token(resolved)}/", "/login/", "/wishes/", "/stations/nearby/"):
        response = page.goto(path)
        assert response.status == 200, path
        failures[path] = _violations(axe, page)
    page.goto("/submit/")
    form = page.locator("main form[enctype]")
    form.evaluate("f => { f.noValidate = true; }")  # past the browser's own checks: the server's errors
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".errorlist")
    failures["/submit/ (errors)"] = _violations(axe, page)
    page.goto("/track/")
    page.fill("#id_number", resolved.number)
    page.fill("#id_phone_last4", "2222")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("text=" + resolved.number)
    failures["/track/ (a resolved demand)"] = _violations(axe, page)
    page.goto("/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    page.locator("main form button[type=submit]").click()
    failures["/login/ (refused)"] = _violations(axe, page)
    failures = {path: found for path, found in failures.items() if found}
    assert not failures, failures


# --- the demo: no page asks any other host -------------------------------------------------

@pytest.fixture
def demo_site(browser, live_server, migration_data, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--demands", "150", "--residents", "200", stdout=io.StringIO())
    give_grids_boundaries()
    s = Site(url=live_server.url, world=None, browser=browser)
    yield s
    s.close()


# Seeds the demo city and opens every route of every login in Chromium: some seven minutes, the
# heaviest browser test (so the first share's: SQLite's run in make test).
@pytest.mark.slow(weight=80)
def test_no_page_of_the_demo_requests_another_host(demo_site):
    """Every demo login's pages (one of each route its links reach, as tests/web/test_crawl.py
    walks them) opened in Chromium, every request logged: all go to this server."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    assert CHROMIUM.is_file()
    logins = sorted(u.username for u in get_user_model().objects.all() if u.has_usable_password())
    opened: set[str] = set()
    pages = 0
    for username in [None, *logins]:
        client = Client()
        if username:
            signed_in = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
            assert signed_in.status_code == 302, username
        paths = [p for p, status in crawl(client, limit=80, per_route=1).visited.items() if status == 200]
        page = demo_site.page(phone=username is None)
        if username:
            name = settings.SESSION_COOKIE_NAME
            page.context.add_cookies([{"name": name, "url": demo_site.url, "value": client.cookies[name].value}])
        for path in paths:
            if _shape(path) in opened:
                continue
            opened.add(_shape(path))
            try:
                page.goto(path)
            except PlaywrightError as exc:  # an export (?format=xlsx) is a download, not a page
                assert "Download is starting" in str(exc), exc
                continue
            page.wait_for_load_state("networkidle")
            pages += 1
        demo_site.close_context(page.context)
    assert pages > 30, pages
    print(f"{pages} pages of {len(logins)} demo logins and a visitor, {len(demo_site.requests)} requests")
    # Chromium's own PDF viewer (a PDF export opened as a page) loads from chrome:// and its
    # built-in extension: inside the browser, no host at all.  Everything on the network counts.
    external = [url for url in demo_site.external_requests()
                if not url.startswith(("chrome://", "chrome-extension://"))]
    assert not external, f"pages requested other hosts than {demo_site.netloc}: {external}"
    assert not demo_site.page_errors, demo_site.page_errors
