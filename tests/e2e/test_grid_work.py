"""Grid work in a real browser at phone width (390×844): a grid worker's day (patrol with a track
point, a problem reported as a demand, a care visit) and a community's overdue visits."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.care import services as care_services
from minsheng.care.models import CarePerson
from minsheng.demands.models import Demand
from minsheng.grids.models import Patrol
from minsheng.people.models import Resident

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def _jpeg() -> bytes:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 60)).save(data, "JPEG")
    return data.getvalue()


def _person(world, *, phone="13900001111", overdue_days=0) -> CarePerson:
    person = care_services.register_person(
        world.user("gridworker"), Resident.objects.get(phone=phone), category="elderly_alone", risk="high",
        plan="每周上门探望，协助购药。", services="每周上门探望\n代购药品", responsible=world.users["gridworker"],
        responsible_name="刘网格", responsible_phone="13800000001")
    if overdue_days:
        CarePerson.objects.filter(pk=person.pk).update(
            next_visit_due=timezone.localdate() - timedelta(days=overdue_days))
    return person


def test_a_grid_workers_day(site, screenshot_dir):
    world = site.world
    person = _person(world)
    page = site.signed_in("gridworker", phone=True)
    page.set_viewport_size(PHONE)

    page.goto("/work/grids/patrol/")
    page.select_option("#id_grid", str(world.regions["g1"].pk))
    page.get_by_role("button", name="开始巡查").click()
    expect(page.locator("#current-patrol")).to_contain_text("正在巡查：玫瑰城第一网格")

    # The position comes from the phone, never typed.
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 39.905, "longitude": 116.405})
    page.get_by_role("button", name="记录当前位置").click()
    expect(page.locator("#track-count")).to_have_text("1")

    page.fill("#finding-form [name=title]", "3号楼下垃圾堆放")
    page.fill("#finding-form [name=description]", "3号楼单元门口垃圾堆放多日，气味很大。")
    page.fill("#finding-form [name=address]", "幸福里3号楼")
    page.set_input_files("#finding-form [name=photos]", files=[
        {"name": "垃圾.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.get_by_role("button", name="上报为诉求").click()
    expect(page.locator(".messages")).to_contain_text("已上报问题")
    demand = Demand.objects.get(title="3号楼下垃圾堆放")
    assert demand.channel == "patrol" and demand.region == world.regions["g1"]
    expect(page.locator("#findings")).to_contain_text(demand.number)
    page.screenshot(path=screenshot_dir / "grid-worker-patrol-phone.png", full_page=True)

    page.get_by_role("button", name="结束巡查").click()
    expect(page.locator("#start-form")).to_be_visible()
    patrol = Patrol.objects.get()
    assert patrol.finished and len(patrol.track) == 1 and patrol.findings.count() == 1

    page.goto("/work/care/")
    expect(page.locator("#due-visits")).to_contain_text("李秀英")
    page.locator("#due-visits").get_by_role("link", name="李秀英").click()
    page.fill("#visit-form [name=found]", "老人精神不错，但卫生间扶手松动。")
    page.fill("#visit-form [name=problem_title]", "独居老人卫生间扶手松动")
    page.fill("#visit-form [name=problem]", "卫生间扶手松动，有摔倒风险，请安排维修。")
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.locator(".messages")).to_contain_text("已转为诉求")
    expect(page.locator("#visits")).to_contain_text("扶手松动")
    visit = person.visits.get()
    assert visit.demand.title == "独居老人卫生间扶手松动" and visit.demand.reporter == person.resident
    page.screenshot(path=screenshot_dir / "grid-worker-visit-phone.png", full_page=True)


def test_a_communitys_overdue_visits(site, screenshot_dir):
    world = site.world
    late = _person(site.world, overdue_days=5)
    _person(world, phone="13812341234")  # due in a week: not overdue
    page = site.signed_in("staff1", phone=True)
    page.set_viewport_size(PHONE)
    page.goto("/work/care/")
    overdue = page.locator("#overdue-visits")
    expect(overdue).to_contain_text("李秀英")
    expect(overdue).to_contain_text("刘网格")
    expect(overdue).not_to_contain_text("王奎")
    expect(page.locator("#care-dashboard")).to_contain_text("玫瑰城第一网格")
    page.screenshot(path=screenshot_dir / "community-overdue-visits-phone.png", full_page=True)
    overdue.get_by_role("link", name="李秀英").click()
    expect(page.locator("#next-due")).to_contain_text("逾期")
    late.refresh_from_db()
    assert late.next_visit_due < timezone.localdate()
