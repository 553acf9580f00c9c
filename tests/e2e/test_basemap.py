"""The basemap in a real browser: the maps load their tiles from this server only (the site
fixture fails the test on any other host), and a GCJ-02 tile layer is shifted onto WGS-84 data."""

from pathlib import Path

import pytest

from minsheng.maps.coords import from_wgs84

from .conftest import use_local_basemap

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots-basemap")


@pytest.fixture
def basemap(site, settings, tmp_path):
    """The world's district drawn into a local archive (the grids the site fixture gave boundaries)."""
    use_local_basemap(settings, tmp_path)
    SHOTS.mkdir(exist_ok=True)
    return site


def _tiles(site) -> list[str]:
    return [url for url in site.requests if "/tiles/" in url]


def test_the_report_form_map_shows_local_tiles_on_a_phone(basemap, screenshot_dir):
    page = basemap.page(phone=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/submit/")
    page.wait_for_selector("[data-report-map] img.leaflet-tile-loaded")
    page.wait_for_load_state("networkidle")
    assert _tiles(basemap) and all(url.startswith(basemap.url + "/tiles/") for url in _tiles(basemap))
    assert page.locator("[data-report-map] .leaflet-control-attribution").is_visible()
    page.locator("[data-report-map]").scroll_into_view_if_needed()
    for folder in (SHOTS, screenshot_dir):
        page.screenshot(path=folder / "e2e-report-form-390x844.png")


def test_the_dashboard_heat_map_lies_on_the_basemap(basemap, screenshot_dir):
    page = basemap.signed_in("leader")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/dashboard/")
    page.wait_for_selector("#heat-map img.leaflet-tile-loaded")
    page.wait_for_load_state("networkidle")
    assert _tiles(basemap)
    page.locator("#heat-map").scroll_into_view_if_needed()
    for folder in (SHOTS, screenshot_dir):
        page.screenshot(path=folder / "e2e-dashboard-1440x900.png")


def test_a_gcj02_tile_layer_is_shifted_by_the_offset_at_the_centre(basemap, settings):
    # Any XYZ template marked GCJ-02; this server's own tiles stand in for 高德's, so nothing leaves it.
    settings.MINSHENG_BASEMAP = "xyz"
    settings.MINSHENG_BASEMAP_URL = "/tiles/{z}/{x}/{y}.png"
    settings.MINSHENG_BASEMAP_CRS = "gcj02"
    page = basemap.page()
    page.goto("/submit/")
    page.wait_for_selector("[data-report-map] img.leaflet-tile-loaded")
    lat, lng, zoom = 39.905, 116.415, 15
    result = page.evaluate("""([lat, lng, zoom]) => {
        const box = document.createElement("div");
        box.style.cssText = "width: 400px; height: 300px";
        document.body.appendChild(box);
        const map = MinshengBasemap.map(box, {zoomAnimation: false, fadeAnimation: false});
        const plain = L.tileLayer("/tiles/{z}/{x}/{y}.png").addTo(map);
        map.setView([lat, lng], zoom, {animate: false});
        const shifted = Object.values(map._layers).find(l => l instanceof L.TileLayer && l !== plain);
        const offset = l => { const m = l._level.el.style.transform.match(/translate3d\\((-?[\\d.]+)px, (-?[\\d.]+)px/);
                              return [Number(m[1]), Number(m[2])]; };
        const gcj = MinshengBasemap.toGcj(L.latLng(lat, lng));
        const a = map.project(L.latLng(lat, lng), zoom), b = map.project(gcj, zoom);
        return {gcj: [gcj.lat, gcj.lng], expected: [a.x - b.x, a.y - b.y],
                shift: [offset(shifted)[0] - offset(plain)[0], offset(shifted)[1] - offset(plain)[1]]};
    }""", [lat, lng, zoom])
    # The browser's transform agrees with the server's (prcoords in both).
    assert result["gcj"] == pytest.approx(list(from_wgs84(lat, lng, "gcj02")), abs=1e-9)
    # The layer is drawn moved by the GCJ-02 offset (hundreds of metres: tens of pixels at zoom 15).
    assert abs(result["expected"][0]) > 50
    assert result["shift"] == pytest.approx(result["expected"], abs=1.01)
