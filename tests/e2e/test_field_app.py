"""The field roles' app offline (issue 26 item 6), in Chromium at 390×844: a grid worker's patrol
and a care worker's visit recorded with no connection, sent once the connection returns."""

import io
import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from minsheng.demands.models import Demand
from minsheng.grids import services as grid_services
from minsheng.grids.models import Patrol, PatrolFinding
from minsheng.homecare import tasks
from minsheng.homecare.models import ServiceRecord
from minsheng.homecare.records import hours_between
from minsheng.integrations.models import IdempotencyRecord

from .test_homecare import care  # noqa: F401 - the fixture: providers, the elder 王奎 on the scheme
from .test_workbench import assert_fits_the_screen

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
    """Until the service worker controls the page (polled from here: the page's CSP allows no eval,
    which wait_for_function needs once the page's clock is installed)."""
    for _attempt in range(100):
        if page.evaluate("() => navigator.serviceWorker.ready.then(() => true)"):
            return
        page.wait_for_timeout(200)
    raise AssertionError("the service worker never became ready")


def test_a_grid_worker_finds_the_pages_the_tab_bar_hides_under_more(site, screenshot_dir):
    """On a phone the top navigation gives way to the tab bar: 更多 holds the rest (the queue, the
    registers…), in tiles a thumb can hit, and the page fits the screen."""
    page = _field_page(site, "gridworker")
    page.goto("/work/grids/patrol/")
    expect(page.locator("header.top nav")).to_be_hidden()
    page.locator("nav.tabbar").get_by_role("link", name="更多").click()
    page.wait_for_url("**/more/")
    expect(page.locator("nav.tabbar a.active")).to_have_text("更多")
    tiles = page.locator("main .more-links a")
    expect(tiles.filter(has_text="台账")).to_be_visible()
    assert all(box["height"] >= 44 for box in (tile.bounding_box() for tile in tiles.all()))  # a finger's size
    assert_fits_the_screen(page)
    page.screenshot(path=screenshot_dir / "field-more-grid-worker-phone.png", full_page=True)
    tiles.filter(has_text="我的待办").click()
    page.wait_for_url("**/work/")
    expect(page.locator("h1")).to_be_visible()


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


def _visit_today() -> tuple[datetime, timedelta]:
    """The phone's time at check-in and the visit's length: 50 minutes starting two hours ago, or,
    just after midnight, as long as fits between midnight and a minute ago (a visit cannot span two
    days, and a check-out ahead of the server's clock is taken as now), waiting for ten minutes'
    room if there is not even that."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - timedelta(hours=2) >= midnight:
        return now - timedelta(hours=2), timedelta(minutes=50)
    room = midnight + timedelta(minutes=12)
    if now < room:
        time.sleep((room - now).total_seconds())
    started = midnight + timedelta(seconds=10)
    return started, timedelta(minutes=min(50, (timezone.localtime() - started) // timedelta(minutes=1) - 2))


def test_a_care_worker_records_a_signed_visit_offline(site, care, screenshot_dir):  # noqa: F811
    task = tasks.claim(care.user("worker1"), tasks.request_care(
        care.user("staff1"), care.elder_row.pk, service="bathing", planned_on=timezone.localdate(), hours="1").pk)

    page = _field_page(site, "worker1")
    started, visit = _visit_today()
    page.clock.install(time=started)
    page.goto("/care/worker/")
    _wait_for_service_worker(page)
    page.reload()
    expect(page.locator("nav.tabbar a.active")).to_have_text("服务任务")

    page.context.set_offline(True)
    card = page.locator(f"#task-{task.pk}")
    card.locator("summary").click()
    page.context.set_geolocation({"latitude": 39.9051, "longitude": 116.4052})
    card.get_by_role("button", name="签到").click()
    expect(card.locator("[data-check-at=in]")).to_contain_text("位置已记录")
    page.clock.fast_forward(int(visit.total_seconds() * 1000))
    page.context.set_geolocation({"latitude": 39.9052, "longitude": 116.4053})
    card.get_by_role("button", name="签退").click()
    expect(card.locator("[data-check-at=out]")).to_contain_text("位置已记录")
    card.locator("input[name=confirmed_by]").fill("王奎")
    card.get_by_role("button", name="提交服务记录").click()
    expect(card.locator("[data-queue-note]")).to_contain_text("签名")  # nothing sent unsigned
    pad = card.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for i, dy in enumerate((-60, 20, -40, 30, -20, 10)):
        page.mouse.move(box["x"] + 60 + 40 * i, box["y"] + 100 + dy, steps=4)
    page.mouse.up()
    page.screenshot(path=screenshot_dir / "field-signature-pad-phone.png", full_page=True)
    card.get_by_role("button", name="提交服务记录").click()
    expect(card.locator("[data-queue-note]")).to_contain_text("联网后自动发送")
    expect(page.locator(".tab-count")).to_have_text("1")
    assert not ServiceRecord.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(f"#task-{task.pk}")).to_have_count(0, timeout=30_000)  # the page shown afresh
    expect(page.locator(".tab-count")).to_be_hidden()
    record = ServiceRecord.objects.get()
    assert record.task_id == task.pk and record.confirmed_by == "王奎"
    # the phone's times at the two taps: the visit's length and a few seconds of tapping
    assert visit <= record.ended_at - record.started_at < visit + timedelta(minutes=1)
    assert record.hours == hours_between(record.started_at, record.ended_at)
    if visit == timedelta(minutes=50):
        assert record.hours == Decimal("0.83")
    assert timezone.localtime(record.started_at).replace(second=0, microsecond=0) == started.replace(
        second=0, microsecond=0)
    assert (float(record.check_in_latitude), float(record.check_out_latitude)) == (39.9051, 39.9052)
    with record.signature.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "PNG"
        assert image.getchannel("A").getbbox() is not None  # ink on it
    assert IdempotencyRecord.objects.count() == 1


def test_a_volunteer_fulfils_a_wish_offline_sent_by_the_service_worker(site, screenshot_dir):
    """Offline at the wisher's door: the fulfilment (note, hours, photo) waits on the phone and a
    Background Sync tag is registered.  The app's pages are then left (no page of the app open, so
    none can send), the connection returns, and the service worker sends the queue with the pages'
    own sender (web/outbox.js): exactly one fulfilment arrives.  Headless Chromium may or may not
    fire the "sync" event itself on reconnection; if it has not within a few seconds, the worker is
    asked to send by a message, which runs the same code as its sync handler."""
    from minsheng.demands.models import DemandEvent
    from minsheng.wishes.models import WishClaim

    from ..wishes.helpers import party, wish_at

    party(site.world)
    wish = wish_at(site.world, "claimed")
    claim = WishClaim.objects.get(demand=wish)
    page = _field_page(site, "volunteer")
    # Chromium grants it unless the user turned background sync off; a Playwright context asks.
    page.context.grant_permissions(["background-sync"])
    page.goto("/wishes/mine/")
    _wait_for_service_worker(page)
    page.reload()
    assert page.evaluate("() => navigator.serviceWorker.ready.then(r => 'sync' in r)")

    page.context.set_offline(True)
    page.reload()  # from the phone's cache
    box = page.locator(f"#claim-{claim.pk}")
    box.locator("[name=result]").fill("已把助听器送到老人家里，并教会老人调音量。")
    box.locator("[name=hours]").fill("1.5")
    box.locator("[name=photos]").set_input_files(files=[
        {"name": "送达.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    box.get_by_role("button", name="提交实现情况").click()
    expect(box.locator("[data-queue-note]")).to_contain_text("联网后自动发送")
    expect(page.locator(".tab-count")).to_have_text("1")
    expect(box.get_by_role("button", name="提交实现情况")).to_be_disabled()  # not offered twice
    page.screenshot(path=screenshot_dir / "field-wish-offline-phone.png", full_page=True)
    assert "minsheng-outbox" in page.evaluate("() => navigator.serviceWorker.ready.then(r => r.sync.getTags())")
    assert not DemandEvent.objects.filter(demand=wish, action="fulfil_wish").exists()

    page.goto("/static/web/outbox.js")  # a page of the site that is not the app: nothing there sends
    page.context.set_offline(False)
    fired = False
    for _attempt in range(15):
        page.wait_for_timeout(200)
        if DemandEvent.objects.filter(demand=wish, action="fulfil_wish").exists():
            fired = True
            break
    if not fired:
        page.evaluate("() => navigator.serviceWorker.controller.postMessage({type: 'minsheng-outbox-send'})")
    for _attempt in range(100):
        if DemandEvent.objects.filter(demand=wish, action="fulfil_wish").exists():
            break
        page.wait_for_timeout(200)
    print(f"sync event fired by Chromium itself: {fired}")
    wish.refresh_from_db()
    assert wish.state == "resolved"
    assert DemandEvent.objects.filter(demand=wish, action="fulfil_wish").count() == 1
    assert wish.attachments.count() == 1 and IdempotencyRecord.objects.count() == 1

    page.goto("/wishes/mine/")  # the queue is empty, the wish fulfilled
    expect(page.locator(f"#claim-{claim.pk}")).to_contain_text("已实现，待居民确认")
    expect(page.locator(".tab-count")).to_be_hidden()
    page.goto("/work/field/queue/")
    expect(page.locator("#queue-empty")).to_be_visible()
    assert page.evaluate("() => MinshengOutbox.all().then(items => items.length)") == 0
    page.screenshot(path=screenshot_dir / "field-wish-sent-phone.png", full_page=True)
