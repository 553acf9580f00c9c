"""The large screen at 1920×1080: filled, on the local basemap, and refreshing without a reload."""

from decimal import Decimal
from pathlib import Path

import pytest

from ..demands.helpers import bring_to
from .conftest import use_local_basemap

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_screen_fills_1920_and_refreshes_in_place(site, world, settings, tmp_path, monkeypatch,
                                                      screenshot_dir: Path):
    from minsheng.assessment import views

    use_local_basemap(settings, tmp_path)
    monkeypatch.setattr(views, "SCREEN_REFRESH_SECONDS", 2)
    for i, stop in enumerate(["registered", "dispatched", "in_progress", "resolved"]):
        bring_to(world, stop, latitude=Decimal("39.905") + Decimal(i) / 500, longitude=Decimal("116.415"))
    page = site.signed_in("leader")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/work/screen/")
    expect(page.locator("#screen-open")).to_have_text("3")
    expect(page.locator("#screen-map .leaflet-interactive")).to_have_count(3 + 3)  # 3 grids, 3 pins
    expect(page.locator("#screen-trend canvas")).to_have_count(1)
    clock = page.locator("#screen-clock").inner_text()
    page.evaluate("window.notReloaded = true")
    bring_to(world, "registered", latitude=Decimal("39.915"), longitude=Decimal("116.42"))
    expect(page.locator("#screen-open")).to_have_text("4", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#screen-clock").inner_text() != clock  # the clock runs
    # Nothing scrolls: the page is the screen.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshot_dir / "screen-1920.png"))
