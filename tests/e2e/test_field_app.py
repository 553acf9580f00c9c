"""The field roles' app offline (issue 26 item 6), in Chromium at 390×844: a grid worker's patrol
and a care worker's visit recorded with no connection, sent once the connection returns."""

import io

import pytest
from django.utils import timezone

from minsheng.demands.models import Demand
from minsheng.grids import services as grid_services
from minsheng.grids.models import Patrol, PatrolFinding
from minsheng.integrations.models import IdempotencyRecord

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def _jpeg() -> bytes:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (2400, 1800), (180, 120, 60)).save(data, "JPEG", quality=95)
    return data.getvalue()


def _field_page(site, username):
    page = site.signed_in(username, phone=True)
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["geolocation"])
    return page


def _wait_for_service_worker(page) -> None:
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20_000)


def test_a_grid_worker_records_a_finding_and_a_track_offline(site, screenshot_dir):
    world = site.world
    patrol = grid_services.start_patrol(world.user("gridworker"), world.regions["g1"])
    page = _field_page(site, "gridworker")
    page.context.set_geolocation({"latitude": 39.9051, "longitude": 116.4052})
    page.goto("/work/grids/patrol/")
    _wait_for_service_worker(page)
    page.reload()  # now under the service worker: the page is in its cache
    expect(page.locator("nav.tabbar")).to_be_visible()
    expect(page.locator("nav.tabbar a.active")).to_have_text("巡查")
    page.screenshot(path=screenshot_dir / "field-tabbar-grid-worker-phone.png")

    page.context.set_offline(True)
    page.reload()  # the app shell from the cache, with no connection
    expect(page.locator("#current-patrol")).to_contain_text("正在巡查")
    expect(page.locator("[data-connection]")).to_contain_text("离线")
    page.get_by_role("button", name="开始记录轨迹").click()
    expect(page.locator("#patrol-queue li")).to_have_count(1)
    page.context.set_geolocation({"latitude": 39.9062, "longitude": 116.4071})  # some 200 m further
    expect(page.locator("#patrol-queue li")).to_have_count(2)
    page.get_by_role("button", name="停止记录轨迹").click()
    page.fill("#finding-form [name=title]", "5号楼前井盖缺失")
    page.fill("#finding-form [name=description]", "5号楼单元门前井盖缺失，夜里很危险。")
    page.set_input_files("#finding-form [name=photos]", files=[
        {"name": "井盖.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.get_by_role("button", name="上报为诉求").click()
    expect(page.locator("#patrol-queue li")).to_have_count(3)
    expect(page.locator("#patrol-queue")).to_contain_text("5号楼前井盖缺失")
    expect(page.locator(".tab-count")).to_have_text("3")
    assert not Demand.objects.exists()
    page.screenshot(path=screenshot_dir / "field-patrol-offline-queue-phone.png", full_page=True)

    page.context.set_offline(False)
    expect(page.locator("#patrol-queue li")).to_have_count(0, timeout=30_000)
    expect(page.locator("#track-count")).to_have_text("2")
    page.screenshot(path=screenshot_dir / "field-patrol-map-phone.png", full_page=True)
    patrol.refresh_from_db()
    assert [p[:2] for p in patrol.track] == [[39.9051, 116.4052], [39.9062, 116.4071]]
    demand = Demand.objects.get()
    assert PatrolFinding.objects.get().patrol == patrol and demand.title == "5号楼前井盖缺失"
    assert (float(demand.latitude), float(demand.longitude)) == (39.9062, 116.4071)
    attachment = demand.attachments.get()
    assert attachment.file.size < 400 * 1024  # shrunk on the phone
    assert IdempotencyRecord.objects.count() == 3
    # Sending the whole queue again (an answer lost) records nothing twice.
    assert Patrol.objects.count() == 1 and timezone.now()
