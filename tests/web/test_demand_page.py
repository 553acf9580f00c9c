"""The staff demand page built around the next action: the primary action first, destructive ones
apart and confirmed, merging from the duplicates panel in one click, the approver shown what was
asked, the pin with the open demands around it, and each photo on the step that added it."""

import io
import random
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from minsheng.demands import selectors, services
from minsheng.demands.models import Demand

from ..demands.helpers import bring_to, register
from ..wishes.helpers import register_wish

LIFT = {"title": "幸福里小区3号楼电梯坏了",
        "description": "幸福里小区3号楼电梯坏了三天了，老人上下楼很困难，物业一直不修。",
        "category": "construction.property"}
LIFT_AGAIN = {"title": "3号楼电梯又坏了没人修",
              "description": "我们幸福里3号楼的电梯坏了好几天，物业不管，老人下不了楼。",
              "category": "construction.property"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name: str) -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(data, "JPEG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


def _actions(page: str) -> list[str]:
    return re.findall(r'<details class="action[^"]*"[^>]*id="action-([a-z_]+)"', page)


def test_a_dispatcher_sees_dispatch_first_and_open_and_reject_apart(login, world):
    demand = bring_to(world, "pending_dispatch")
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    actions = _actions(page)
    assert actions[0] == "dispatch"
    assert actions.index("reject_invalid") > actions.index("dispatch")
    opened = re.findall(r'<details class="action[^"]*" open id="action-([a-z_]+)"', page)
    assert opened == ["dispatch"]
    reject = page[page.index('id="action-reject_invalid"'):]
    reject = reject[:reject.index("</details>")]
    assert "data-confirm=" in reject and 'class="action destructive"' in page


def test_an_approver_sees_approve_first_and_the_requested_date_and_reason(login, world):
    demand = bring_to(world, "in_progress")
    until = demand.handle_due + timedelta(days=random.randint(1, 20), hours=random.randint(0, 23))
    demand = services.request_extension(world.user("handler_cg"), demand.pk, demand.version, until=until,
                                        reason="需要协调燃气公司停气施工")
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    box = page[page.index('id="pending-request"'):]
    assert until.astimezone().strftime("%Y-%m-%d %H:%M") in re.search(r'id="requested-until">(.*?)</dd>', box).group(1)
    assert "需要协调燃气公司停气施工" in box and "部门承办人 · 区城管局" in box
    actions = _actions(page)
    assert actions[0] == "approve_extension" and "deny_extension" in actions
    assert actions.index("deny_extension") > actions.index("approve_extension")


def test_a_suspension_request_shows_its_reason_without_a_date(login, world):
    demand = bring_to(world, "suspension_requested")
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    box = page[page.index('id="pending-request"'):]
    assert "暂不具备条件，待明年改造" in box and 'id="requested-until"' not in box


def test_merging_from_the_duplicates_panel_takes_one_click(login, world):
    first = bring_to(world, "dispatched", **LIFT)
    second = register(world, **LIFT_AGAIN)
    client = login("dispatcher1")
    page = client.get(reverse("web:demand", args=[second.pk])).content.decode()
    panel = page[page.index('id="duplicates"'):]
    form = re.search(r'<form method="post" action="([^"]+)" class="merge-one".*?</form>', panel, re.S)
    assert form and f'name="into" value="{first.number}"' in form.group(0)
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form.group(0)))
    response = client.post(form.group(1), fields)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into_id == first.pk


def test_the_panel_offers_no_merge_to_those_who_may_not_merge(login, world):
    bring_to(world, "dispatched", **LIFT)
    second = register(world, **LIFT_AGAIN)
    page = login("staff1").get(reverse("web:demand", args=[second.pk])).content.decode()
    assert "merge-one" not in page


def test_each_photo_sits_on_the_step_that_added_it_labelled(login, world):
    before, after = random.randint(1, 3), random.randint(1, 3)
    demand = bring_to(world, "in_progress", photos=[photo(f"b{i}.jpg") for i in range(before)])
    demand = services.resolve_demand(world.user("handler_cg"), demand.pk, demand.version, result="已修复",
                                     photos=[photo(f"a{i}.jpg") for i in range(after)])
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    register_step = re.search(r'<li id="event-1">.*?</li>', page, re.S).group(0)
    resolve_step = re.search(rf'<li id="event-{demand.version}">.*?</li>', page, re.S).group(0)
    assert register_step.count("photo-before") == before and "photo-after" not in register_step
    assert "热线话务员 · 望花区接诉即办中心" in register_step
    assert resolve_step.count("photo-after") == after and "photo-before" not in resolve_step
    assert "部门承办人 · 区城管局" in resolve_step
    assert "张伟" not in register_step  # a photo is labelled by role and unit, never a name
    for link in re.findall(r'<img src="(/work/attachments/\d+/)"', page):
        assert login("dispatcher1").get(link).status_code == 200


def test_a_residents_own_report_is_labelled_resident_not_by_name(login, world):
    demand = services.register_demand(
        None, channel="web", demand_type="complaint", title="路灯不亮", description="5号楼门口路灯坏了一周。",
        region=world.regions["g1"], category="construction.roads", photos=[photo("lamp.jpg")], consent=True,
        reporter=services.ReporterInput(name="刘芳", phone="13600002222"))
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    step = re.search(r'<li id="event-1">.*?</li>', page, re.S).group(0)
    assert "photo-before" in step and "居民" in step and "刘芳" not in step


def test_the_map_shows_the_open_demands_nearby_and_not_far_or_closed_ones(login, world):
    lat, lng = 39.9 + random.uniform(-0.01, 0.01), 116.4 + random.uniform(-0.01, 0.01)
    demand = bring_to(world, "pending_dispatch", latitude=lat, longitude=lng)
    near = register(world, title="附近井盖松动", latitude=lat + 0.002, longitude=lng)  # about 220 m north
    far = register(world, title="远处井盖松动", latitude=lat + 0.03, longitude=lng)  # about 3.3 km
    closed = bring_to(world, "closed", latitude=lat, longitude=lng + 0.001)
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert 'data-basemap-point="' in page and 'data-basemap-nearby="nearby-points"' in page
    listed = page[page.index('id="nearby"'):page.index("</details>", page.index('id="nearby"'))]
    assert near.number in listed and far.number not in listed and closed.number not in listed
    assert re.search(r"22\d 米", listed)
    points = re.search(r'<script id="nearby-points" type="application/json">(.*?)</script>', page).group(1)
    assert near.number in points and far.number not in points


def test_a_demand_without_a_pin_says_so(login, world):
    demand = bring_to(world, "pending_dispatch")
    assert Demand.objects.get(pk=demand.pk).latitude is None
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert 'id="no-pin"' in page and "data-basemap-point" not in page


def test_an_open_demand_filed_on_a_building_of_the_grid_counts_as_nearby(login, world):
    from minsheng.organisation.models import Region

    world.regions["g1-b5"] = Region.objects.create(kind="building", name="5号楼", code="g1-b5",
                                                   parent=world.regions["g1"])
    lat, lng = 39.9 + random.uniform(-0.01, 0.01), 116.4 + random.uniform(-0.01, 0.01)
    demand = bring_to(world, "pending_dispatch", latitude=lat, longitude=lng)
    on_building = register(world, title="5号楼楼道灯坏了", region="g1-b5", latitude=lat, longitude=lng + 0.001)
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    listed = page[page.index('id="nearby"'):page.index("</details>", page.index('id="nearby"'))]
    assert on_building.number in listed


def _opened(page: str) -> list[str]:
    return re.findall(r'<details class="action[^"]*" open id="action-([a-z_]+)"', page)


def test_the_page_opens_on_the_step_the_queue_names(login, world):
    """The queue's 下一步 and the page's open form agree: a wish to route opens 发布到心愿墙 (not 立接立办,
    which came first in the page's fixed order); a demand nobody has contacted yet opens 记录进展,
    one whose resident was contacted opens 办结."""
    wish = register_wish(world)
    page = login("staff1").get(reverse("web:demand", args=[wish.pk])).content.decode()
    assert selectors.next_step(world.user("staff1"), wish) == "发布到心愿墙"
    assert _opened(page) == ["publish_wish"] and _actions(page)[0] == "publish_wish"

    demand = bring_to(world, "in_progress")
    handler = login("handler_cg")
    assert _opened(handler.get(reverse("web:demand", args=[demand.pk])).content.decode()) == ["record_progress"]
    services.record_progress(world.user("handler_cg"), demand.pk, demand.version, contact=True, note="已电话联系")
    assert _opened(handler.get(reverse("web:demand", args=[demand.pk])).content.decode()) == ["resolve"]
