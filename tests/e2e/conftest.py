"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

- One Chromium for the whole package, a fresh browser context per actor, every context closed after its test.
- Every request a page makes is recorded; a request to any host other than the live server is
  blocked and fails the test (the pages must work offline, with no CDN, font or analytics host).
- Uncaught JavaScript errors on a page fail the test too.
- The whole package is skipped, with the reason, when Chromium or the playwright package is missing.

The live server needs committed data, so these tests run transactionally (see ``pytestmark`` in the
test modules): the database is flushed after each test, and ``migration_data`` reloads the default
catalogue before the next test builds its world.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# database access from that thread (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"



def _serve_one_request_at_a_time() -> None:
    """On SQLite the live server's threads share the test's one in-memory connection, and two
    requests at once (the field app's service worker, the screen pop's polling, a page's own
    fetches) misuse it ("bad parameter or other API misuse"). A server without threads takes them
    in turn; Django closes each connection after its answer, so no browser connection holds it."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    if connection.vendor == "sqlite":
        LiveServerThread.server_class = OneAtATime


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time(django_db_setup):
    _serve_one_request_at_a_time()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
STAFF_VIEWPORT = {"width": 1280, "height": 900}
PHONE_VIEWPORT = {"width": 375, "height": 800}
E2E_DIR = Path(__file__).resolve().parent

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None
else:
    # The same patience for an assertion as for an action (the contexts' default below): CI runs
    # the suite on SQLite and PostgreSQL side by side on two cores, where a page's answer can take
    # longer than Playwright's 5 s.  A failing assertion only fails later, never passes.
    expect.set_options(timeout=10_000)


def _unavailable() -> str | None:
    if sync_playwright is None:
        return "browser tests skipped: the 'playwright' Python package is not installed (pip install -e '.[test]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    return None


UNAVAILABLE = _unavailable()


# ``make test`` runs the suite on SQLite and on PostgreSQL side by side; the browser tests check
# what Chromium shows and does, the same on either database, so each run takes one share of them
# (``scripts/run-suites.sh`` sets "1/2" and "2/2"): every browser test runs once, and the two runs
# end at about the same time.  Unset (``make test-sqlite``, ``make test-postgres``, a plain
# ``pytest``): all of them.
SHARE_VARIABLE = "MINSHENG_BROWSER_TESTS_SHARE"
SLOW_WEIGHT = 40  # a test marked slow costs about as much as this many others (unless it says: slow(weight=…))


def browser_test_share(weights: list[int], share: str) -> set[int]:
    """The indexes of the tests in share ``share`` ("K/N") of tests of these ``weights``: the
    heaviest first, each to the share with the least weight so far (ties to the lower share)."""
    try:
        k, n = (int(part) for part in share.split("/"))
    except ValueError:
        raise pytest.UsageError(f"{SHARE_VARIABLE} must be K/N, e.g. 1/2, not {share!r}") from None
    if not 1 <= k <= n:
        raise pytest.UsageError(f"{SHARE_VARIABLE}={share}: K must be between 1 and N")
    loads = [0] * n
    mine = set()
    for index in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        lightest = loads.index(min(loads))
        loads[lightest] += weights[index]
        if lightest == k - 1:
            mine.add(index)
    return mine


def _weight(item) -> int:
    slow = item.get_closest_marker("slow")
    return 1 if slow is None else int(slow.kwargs.get("weight", SLOW_WEIGHT))


def pytest_collection_modifyitems(config, items):
    browser = [item for item in items if E2E_DIR in Path(str(item.path)).resolve().parents]
    if UNAVAILABLE is not None:
        skip = pytest.mark.skip(reason=UNAVAILABLE)
        for item in browser:
            item.add_marker(skip)
        return
    share = os.environ.get(SHARE_VARIABLE, "").strip()
    if not share or not browser:
        return
    mine = browser_test_share([_weight(item) for item in browser], share)
    others = {id(item) for i, item in enumerate(browser) if i not in mine}
    config.hook.pytest_deselected(items=[item for item in browser if id(item) in others])
    items[:] = [item for item in items if id(item) not in others]


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests.  Package-scoped rather than session-scoped so that
    Playwright's event loop (it runs in this thread) is gone before pytest-django's ordering runs
    the suite's database-free tests, which come after the transactional ones."""
    if UNAVAILABLE is not None:
        pytest.skip(UNAVAILABLE)
    from django.db import connections

    own = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # Django keeps database connections per thread, but per asyncio context while an event loop
        # runs in the thread (asgiref's thread-critical Local), and Playwright's loop now does.  Pin
        # the thread's own connections back, so that the tests, pytest-django's set-up and flush and
        # (for in-memory SQLite) the live server all use one connection, as they would without a loop.
        for alias, connection in own.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- the world, on a database that transactional tests flush -------------------------------

@pytest.fixture
def world(live_server, migration_data, world):
    """tests/conftest.py's world, built after the migration data is back."""
    return world


# --- one live site per test ---------------------------------------------------------------

@dataclass
class Site:
    """The live server as the browser sees it, with one context per actor."""

    url: str
    world: object
    browser: object
    contexts: list = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or (
            parts.scheme in ("http", "https") and parts.netloc == self.netloc)

    def _block(self, route) -> None:
        self.blocked.append(route.request.url)
        route.abort()

    def page(self, *, phone: bool = False):
        """A fresh context (own cookies, Chinese browser) and its page."""
        context = self.browser.new_context(
            base_url=self.url, locale="zh-CN", timezone_id="Asia/Shanghai",
            viewport=PHONE_VIEWPORT if phone else STAFF_VIEWPORT,
            is_mobile=phone, has_touch=phone, device_scale_factor=2 if phone else 1)
        context.set_default_timeout(10_000)
        context.on("request", lambda request: self.requests.append(request.url))
        context.route(lambda url: not self.is_local(url), self._block)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        return page

    def login(self, username: str, *, phone: bool = False):
        """A page signed in as ``username`` (password ``pw-<username>``), left on the queue."""
        page = self.page(phone=phone)
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw-" + username)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)  # the account's own home (web.homes)
        page.goto("/work/")
        return page

    def signed_in(self, username: str, *, phone: bool = False):
        """A page signed in as ``username`` through a session cookie (faster than the form; the
        sign-in form itself is exercised by ``login``), left on the queue."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(self.world.user(username))
        page = self.page(phone=phone)
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": self.url,
                                   "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        page.goto("/work/")
        return page

    def external_requests(self) -> list[str]:
        return sorted({url for url in self.requests if not self.is_local(url)} | set(self.blocked))

    def close_context(self, context) -> None:
        """``context`` closed, its pages first taken where nothing navigates them (``_leave``)."""
        for page in context.pages:
            _leave(page)
        context.close()
        self.contexts.remove(context)

    def close(self) -> None:
        """The browser's pages closed, and the server done with what they had sent."""
        for context in list(self.contexts):
            self.close_context(context)
        _wait_until_the_server_is_idle(self.url)


def give_grids_boundaries() -> None:
    """Side-by-side squares for the world's grids, as the demo city's grids have, so that the
    submit and intake pages' map has something to show."""
    from minsheng.organisation.models import Region

    for i, code in enumerate(("g1", "g1b", "g2")):
        west, south = 116.40 + 0.01 * i, 39.90
        ring = [[west, south], [west + 0.01, south], [west + 0.01, south + 0.01], [west, south + 0.01],
                [west, south]]
        Region.objects.filter(code=code).update(boundary=[ring])
    from minsheng.core import versioned

    versioned.bump()  # an update() bypasses save(): the processes' copies of the regions are stale


def use_local_basemap(settings, tmp_path) -> None:
    """The world's district (its grids given boundaries) drawn into a local tile archive that the
    site serves as its basemap."""
    from minsheng.maps import archive
    from minsheng.maps.render import render_tiles
    from minsheng.maps.scene import scene_from_regions
    from minsheng.organisation.models import Region

    scene = scene_from_regions(Region.objects.get(code="d"))
    west, south, east, north = scene.bounds()
    bounds = (west - 0.01, south - 0.01, east + 0.01, north + 0.01)
    path = tmp_path / "basemap.mbtiles"
    writer = archive.MBTilesWriter(path, {"name": "test", "format": "png",
                                          "bounds": ",".join(str(v) for v in bounds)})
    render_tiles(scene, range(12, 16), bounds, writer.add)
    writer.close()
    settings.MINSHENG_TILES = path
    settings.MINSHENG_BASEMAP = "local"


def _leave(page) -> None:
    """The page taken to about:blank, where nothing navigates it again, before its context closes.
    Closing a context while one of its pages was reloading itself (the station intake, once its
    queue was sent) now and then never returned: Chromium acknowledges a close that meets a
    navigation's commit without carrying it out (crbug.com/536385539, microsoft/playwright#42366),
    and the run waited out pytest-timeout's 15 minutes (here: 3 hangs in 24 runs of that test,
    none in 46 once its page was left first).  A navigation Playwright starts itself is bounded by
    its timeout; one the page started meanwhile interrupts it, so it is tried again."""
    from playwright.sync_api import Error

    for _attempt in range(3):
        try:
            page.goto("about:blank", wait_until="commit")
            return
        except Error:
            if page.is_closed():
                return


def _wait_until_the_server_is_idle(url: str) -> None:
    """Returns once the live server has answered every request the closed browser had sent.  A
    request still in flight when a test ends (a page's own fetch, a queued send) would otherwise
    run on SQLite's one shared connection while the event log is emptied before the flush
    (tests/conftest.py): the emptying fails, the event rows stay, and the flush fails after this
    test and every later one.  The server answers one request at a time, in the order they came
    (_serve_one_request_at_a_time), so this one's answer comes after theirs."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/manifest.webmanifest", timeout=60) as answer:
        answer.read()


@pytest.fixture
def site(browser, live_server, world):
    """The live site over the shared test world; checks after the test that no page reached
    another host and no page raised a JavaScript error."""
    give_grids_boundaries()
    s = Site(url=live_server.url, world=world, browser=browser)
    try:
        yield s
    finally:
        s.close()
    external = s.external_requests()
    assert not external, f"pages requested other hosts than {s.netloc}: {external}"
    assert s.requests, "the browser made no requests at all"
    assert not s.page_errors, f"JavaScript errors: {s.page_errors}"


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
