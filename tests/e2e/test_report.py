"""The resident's report form on a phone (390×844): find the place on the basemap and pin it, the
grid resolved from the pin, a photo kept across a server-side validation error, and a nearby open
demand offered and joined with 我也遇到.  Screenshots go to test-artifacts/screenshots/."""

import io
import random

import pytest
from PIL import Image
from playwright.sync_api import expect

from minsheng.demands import services
from minsheng.demands.models import CoReporter, Demand
from minsheng.organisation.models import Region

from .conftest import use_local_basemap

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# Inside g1 (conftest.give_grids_boundaries: 116.40–116.41 E, 39.90–39.91 N).
G1 = (39.905, 116.405)


@pytest.fixture
def tiled(site, settings, tmp_path):
    """The world's district drawn into a local basemap archive, with a building to find."""
    Region.objects.create(kind="building", name="幸福里小区1号楼", code="xf1", parent=Region.objects.get(code="g1"),
                          latitude=G1[0], longitude=G1[1])
    use_local_basemap(settings, tmp_path)
    return site


def _phone_page(site):
    page = site.page(phone=True)
    page.set_viewport_size(PHONE)
    return page


def _tap_map(page, lat: float, lng: float) -> None:
    """Tap the report map where (lat, lng) is drawn."""
    point = page.evaluate("([lat, lng]) => { const m = document.querySelector('[data-report-map]').reportMap;"
                          " const p = m.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }", [lat, lng])
    box = page.locator("[data-report-map]").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def _fill_contact(page, phone="13600002222") -> None:
    page.fill("#id_name", "刘芳")
    page.fill("#id_phone", phone)
    page.check("#id_consent")


def test_find_the_place_on_the_basemap_pin_it_and_the_grid_is_resolved(tiled, screenshot_dir):
    page = _phone_page(tiled)
    page.goto("/submit/")
    page.fill("#id_description", "幸福里小区1号楼门口的井盖丢了，晚上很危险。")
    page.fill("#id_address", "玫瑰城第一网格")  # typed: the map goes there
    expect(page.locator("[data-place-status]")).to_contain_text("玫瑰城第一网格")
    page.wait_for_selector("[data-report-map] img.leaflet-tile-loaded")
    page.wait_for_timeout(800)  # the map's move to the typed place has ended
    lat, lng = G1[0] + random.uniform(-0.0006, 0.0006), G1[1] + random.uniform(-0.0006, 0.0006)
    _tap_map(page, lat, lng)
    page.wait_for_selector("[data-report-map] .leaflet-marker-icon")
    expect(page.locator("[data-place-status].resolved")).to_contain_text("玫瑰城第一网格")
    pinned = float(page.input_value("[name=latitude]"))
    assert abs(pinned - lat) < 1e-4
    # The category is suggested from the text, in words, and taken with one tap.
    page.wait_for_selector("[data-suggestion] .chip")
    page.locator("[data-suggestion] .chip").first.click()
    assert page.input_value("select[name=category]") == "construction.roads"
    page.locator("[data-report-map]").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "report-pin-390x844.png")
    _fill_contact(page)
    page.locator("button.submit-report").click()
    page.wait_for_url("**/submit/done/")
    demand = Demand.objects.get()
    assert demand.region.code == "g1" and demand.category.code == "construction.roads"
    assert abs(float(demand.latitude) - pinned) < 1e-6


def test_a_photo_is_kept_after_a_validation_error(site, screenshot_dir, tmp_path):
    big = tmp_path / "well.jpg"
    image = Image.effect_noise((2400, 1800), 60).convert("RGB")
    image.save(big, "JPEG", quality=95)
    page = _phone_page(site)
    page.goto("/submit/")
    page.fill("#id_description", "路灯不亮好几天了")
    page.fill("#id_address", "玫瑰城第一网格")
    page.set_input_files("input[name=photos]", str(big))
    page.wait_for_selector("[data-photo-previews] img")
    _fill_contact(page, phone="12345")  # not a phone number: the server refuses it
    page.locator("button.submit-report").click()
    page.wait_for_selector("#form-problems")
    assert page.locator("[data-field=phone] .errorlist").is_visible()
    assert page.locator("[data-photo-previews] img").count() == 1
    assert page.input_value("#id_description") == "路灯不亮好几天了"
    page.screenshot(path=screenshot_dir / "report-photo-kept-390x844.png", full_page=True)
    page.fill("#id_phone", "13600002222")
    page.locator("button.submit-report").click()
    page.wait_for_url("**/submit/done/")
    demand = Demand.objects.get()
    attachment = demand.attachments.get()
    with attachment.file.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
    assert max(stored.size) <= 1600 and attachment.file.size < big.stat().st_size  # compressed in the browser


def test_a_nearby_duplicate_is_offered_and_me_too_joins_it(site, screenshot_dir):
    existing = services.register_demand(
        None, channel="web", demand_type="complaint", title="幸福里小区门口井盖丢失",
        description="幸福里小区1号楼门口的井盖丢失了，晚上很危险，请尽快处理。", region=Region.objects.get(code="g1"),
        latitude=f"{G1[0]:.6f}", longitude=f"{G1[1]:.6f}", consent=True, publish_consent=True,
        reporter=services.ReporterInput(name="张伟", phone="13700001234"))
    page = _phone_page(site)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": G1[0] + 0.0003, "longitude": G1[1] + 0.0002})
    page.goto("/submit/")
    page.fill("#id_description", "1号楼门口的井盖丢了，晚上很危险")
    page.locator("[data-report-locate]").click()  # "use my location"
    page.wait_for_selector("[data-similar-demand] button.metoo")
    card = page.locator(f"[data-similar-demand='{existing.pk}']")
    # What the public list shows of it (its type, state, distance, age), never its words or reporter.
    assert "投诉" in card.inner_text() and "约" in card.inner_text()
    assert "幸福里小区门口井盖丢失" not in page.content() and "张伟" not in page.content()
    _fill_contact(page)
    card.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "report-similar-390x844.png")
    card.locator("button.metoo").click()
    page.wait_for_url("**/submit/done/")
    assert "2 位居民" in page.locator("#reporter-count").inner_text()
    page.screenshot(path=screenshot_dir / "report-joined-390x844.png")
    assert Demand.objects.count() == 1
    assert CoReporter.objects.get(demand=existing).resident.phone == "13600002222"


def test_too_many_lookups_are_explained_kindly_and_the_form_keeps_working(tiled, settings, screenshot_dir):
    settings.MINSHENG_REPORT_LOOKUPS_PER_MINUTE = 1
    page = _phone_page(tiled)
    page.goto("/submit/")
    search = page.locator("[data-category-search]")
    search.fill("井盖")
    expect(page.locator("[data-category-results] .chip").first).to_be_visible()
    search.fill("路灯")  # the second look-up this minute: refused
    notice = page.locator("[data-throttle-notice]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("内容都还在")
    page.screenshot(path=screenshot_dir / "report-lookups-throttled-phone-zh.png")
