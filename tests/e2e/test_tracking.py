"""Tracking like a parcel, in a real browser at a phone's width (390×844), and the staff demand
page around the next action at an office screen's (1440×900).  Screenshots go to test-artifacts/."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from minsheng.demands import services

from ..demands.helpers import bring_to, register
from ..web.test_demand_page import LIFT, LIFT_AGAIN

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENT_VIEWPORT = {"width": 390, "height": 844}
OFFICE_VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name: str, colour: str, text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([60, 60, 420, 300], outline="white", width=8)
    draw.text((80, 80), text, fill="white")
    data = io.BytesIO()
    image.save(data, "JPEG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


def fits(page) -> None:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width}px wide on a {inner}px screen"


def test_a_resident_tracks_a_resolved_demand_like_a_parcel_and_rates_it(site):
    world = site.world
    demand = bring_to(world, "in_progress", photos=[photo("hole.jpg", "#7c2d12", "before")])
    handler = world.user("handler_cg")
    demand = services.record_progress(handler, demand.pk, demand.version, note="已联系施工队，明天上午到场维修",
                                      public=True)
    demand = services.record_progress(handler, demand.pk, demand.version, note="内部：材料费走应急资金")
    demand = services.resolve_demand(handler, demand.pk, demand.version, result="已更换井盖并加固井圈，路面恢复通行",
                                     photos=[photo("fixed1.jpg", "#14532d", "after 1"),
                                             photo("fixed2.jpg", "#1e3a8a", "after 2")])

    page = site.page(phone=True)
    page.set_viewport_size(RESIDENT_VIEWPORT)
    page.goto(f"/track/?number={demand.number}")
    page.fill("#id_phone_last4", "1234")
    page.locator("form[action='/track/'] button[type=submit]").click()
    page.wait_for_load_state()

    expect(page.locator("#demand-state")).to_have_text("已办结")
    expect(page.locator("#handling-unit")).to_have_text("区城管局")
    expect(page.locator("#deadline")).to_be_visible()
    expect(page.locator("#result")).to_contain_text("已更换井盖并加固井圈")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("已联系施工队，明天上午到场维修")
    expect(timeline).not_to_contain_text("材料费")
    expect(page.locator(".photo-before")).to_have_count(1)
    expect(page.locator(".photo-after")).to_have_count(2)
    expect(page.locator(".photo-before figcaption")).to_contain_text("反映时")
    expect(page.locator(".photo-after figcaption").first).to_contain_text("办理后")
    # Every photo really loads (a signed link), none is a broken image.
    page.wait_for_function("() => [...document.querySelectorAll('.photo img')].every(i => i.complete)")
    assert page.evaluate("() => [...document.querySelectorAll('.photo img')].every(i => i.naturalWidth > 0)")
    fits(page)
    page.screenshot(path=str(site_artifact("track-resolved-390x844.png")), full_page=True)

    rating = page.locator("#rating")
    rating.scroll_into_view_if_needed()
    expect(rating.locator("input[name=solved]")).to_have_count(3)
    expect(rating.locator("input[name=satisfaction]")).to_have_count(3)
    rating.get_by_label("已解决").check()
    rating.get_by_label("满意", exact=True).check()
    rating.locator("[name=comment]").fill("修得很快，谢谢")
    rating.screenshot(path=str(site_artifact("track-rating-390x844.png")))
    fits(page)
    rating.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", name="感谢您的评价")).to_be_visible()
    demand.refresh_from_db()
    assert (demand.state, demand.solved, demand.satisfaction) == ("revisited", "solved", "satisfied")


def site_artifact(name: str):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name




def test_a_dispatcher_merges_from_the_duplicates_panel_and_sees_the_pins_around(site):
    world = site.world
    lat, lng = 39.905, 116.405  # inside grid g1's square (conftest.give_grids_boundaries)
    first = bring_to(world, "dispatched", latitude=lat + 0.0015, longitude=lng + 0.001, **LIFT)
    register(world, title="小区路灯不亮", latitude=lat - 0.001, longitude=lng - 0.0015)
    second = bring_to(world, "pending_dispatch", latitude=lat, longitude=lng,
                      photos=[photo("lift.jpg", "#374151", "lift")], **LIFT_AGAIN)

    page = site.signed_in("dispatcher1")
    page.set_viewport_size(OFFICE_VIEWPORT)
    page.goto(f"/work/demands/{second.pk}/")
    actions = page.locator("#actions details.action")
    expect(actions.first).to_have_attribute("id", "action-dispatch")
    expect(actions.first).to_have_attribute("open", "")
    expect(page.locator("#action-reject_invalid")).not_to_have_attribute("open", "")
    expect(page.locator("#nearby li")).to_have_count(2)
    expect(page.locator("path.leaflet-interactive")).to_have_count(2)  # the two open demands around the pin
    expect(page.locator("#event-1 .photo-before figcaption")).to_contain_text("热线话务员 · 望花区接诉即办中心")
    page.screenshot(path=str(site_artifact("demand-page-1440x900.png")), full_page=True)

    merge = page.locator("#duplicates form.merge-one")
    expect(merge).to_have_count(1)
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    merge.locator("button").click()
    assert messages and first.number in messages[0]
    second.refresh_from_db()
    assert second.state == "pending_dispatch"  # dismissed: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        merge.locator("button").click()
    expect(page.locator(".messages li.success")).to_contain_text("已完成")
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into_id == first.pk
    assert re.search(r"/work/demands/\d+/$", page.url)


def test_the_approver_of_an_extension_sees_the_requested_date_and_approves_first(site):
    world = site.world
    demand = bring_to(world, "in_progress")
    until = demand.handle_due + timedelta(days=5)
    services.request_extension(world.user("handler_cg"), demand.pk, demand.version, until=until,
                               reason="需等待燃气公司停气后施工")
    page = site.signed_in("dispatcher1")
    page.set_viewport_size(OFFICE_VIEWPORT)
    page.goto(f"/work/demands/{demand.pk}/")
    expect(page.locator("#requested-until")).to_have_text(until.astimezone().strftime("%Y-%m-%d %H:%M"))
    expect(page.locator("#requested-reason")).to_have_text("需等待燃气公司停气后施工")
    first = page.locator("#actions details.action").first
    expect(first).to_have_attribute("id", "action-approve_extension")
    page.screenshot(path=str(site_artifact("extension-approval-1440x900.png")))
    page.once("dialog", lambda dialog: dialog.accept())  # none is expected: approving asks nothing
    with page.expect_navigation():
        first.locator("button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_contain_text("已完成")
    demand.refresh_from_db()
    assert demand.handle_due == until.replace(microsecond=0) or abs((demand.handle_due - until).total_seconds()) < 1
