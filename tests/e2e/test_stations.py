"""Stations in a real browser: a resident scans a station's QR code and files a request; the agent
handles it on a phone-width page; a street leader sees the coverage map with its gaps."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.organisation.models import Region
from minsheng.people.models import Resident
from minsheng.stations.models import Agent, ServiceItem, StationCase

from ..stations.conftest import make_station

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
AGENT_PHONE = {"width": 390, "height": 844}


@pytest.fixture
def station(site):
    from django.apps import apps

    from minsheng.stations.defaults import load_service_items

    if not ServiceItem.objects.exists():  # the flush after an earlier transactional test removed them
        load_service_items(apps)
    world = site.world
    family = make_station(world.units["st1"], "family", 39.9050, 116.4050)
    resident = Resident.objects.create(name="刘建国", phone="13600001111", region=world.regions["g1"])
    Agent.objects.create(resident=resident, station=family, kind="party_member", user=world.users["agent"])
    return family


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_resident_scans_the_qr_code_and_the_agent_handles_it_on_a_phone(site, station, screenshot_dir: Path):
    # The sign carries the QR code of the station's public page.
    sign = site.page()
    sign.goto(f"/stations/{station.pk}/sign/")
    public_url = sign.locator(".url").inner_text().strip()
    assert public_url == f"{site.url}/stations/{station.pk}/"
    expect(sign.locator(".qr svg")).to_be_visible()
    sign.screenshot(path=screenshot_dir / "station-sign.png", full_page=True)

    resident = site.page(phone=True)
    resident.goto(public_url)  # what the phone's camera opens
    expect(resident.locator("#station-name")).to_have_text(station.name)
    resident.select_option("#id_service_item", "medicine")
    resident.fill("#id_title", "代购降压药")
    resident.fill("#id_description", "家里降压药快吃完了，腿脚不便，请帮忙到药店购买。")
    resident.fill("#id_name", "赵敏")
    resident.fill("#id_phone", "13512345678")
    resident.check("#id_consent")
    resident.screenshot(path=screenshot_dir / "station-resident-form.png", full_page=True)
    resident.locator("#station-request button[type=submit]").click()
    resident.wait_for_url("**/done/")
    number = resident.locator("#demand-number").inner_text().strip()
    assert re.fullmatch(r"\d{13}", number)
    resident.screenshot(path=screenshot_dir / "station-resident-done.png", full_page=True)
    demand = Demand.objects.get(number=number)
    assert demand.channel == "station" and StationCase.objects.get(demand=demand).station == station

    agent = site.signed_in("agent", phone=True)
    agent.set_viewport_size(AGENT_PHONE)
    agent.goto("/work/stations/cases/")
    agent.locator("#station-cases a", has_text="代购降压药").click()
    expect(agent.locator("#case-steps li.done")).to_have_count(1)  # 受理
    assert fits_the_screen(agent)
    agent.screenshot(path=screenshot_dir / "station-agent-case.png", full_page=True)
    agent.locator("#way-timed summary").click()
    promise = timezone.localtime(clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    agent.fill("#way-timed input[name=promised_at]", promise)
    agent.fill("#way-timed textarea[name=note]", "明天下午前把药送到家")
    agent.locator("#way-timed button[type=submit]").click()
    expect(agent.locator("#case-way")).to_have_text("限时代办")
    expect(agent.locator("#case-steps li.done")).to_have_count(4)  # 受理 核实 告知 代办
    agent.fill("#way-resolve textarea[name=result]", "药已送到，收据交给居民")
    agent.locator("#way-resolve button[type=submit]").click()
    expect(agent.locator("#case-state")).to_have_text("已办结")
    expect(agent.locator("#case-steps li.done")).to_have_count(5)
    expect(agent.locator("#case-steps li.skipped")).to_have_count(1)  # 上报: not needed
    assert fits_the_screen(agent)
    agent.screenshot(path=screenshot_dir / "station-agent-resolved.png", full_page=True)
    assert Demand.objects.get(pk=demand.pk).state == "resolved"


def test_a_street_leader_sees_the_gaps_on_the_coverage_map(site, station, screenshot_dir: Path):
    world = site.world
    for i, (lat, lng) in enumerate([(39.9060, 116.4050), (39.9040, 116.4060), (39.8950, 116.4050),
                                    (39.9050, 116.3950)]):
        Region.objects.create(kind="building", name=f"幸福里{i + 1}号楼", code=f"b{i}", parent=world.regions["g1"],
                              latitude=lat, longitude=lng)
    page = site.signed_in("dispatcher1")
    page.goto("/work/stations/coverage/")
    expect(page.locator("#coverage-gaps tbody tr")).to_have_count(2)
    expect(page.locator("#coverage-gaps")).to_contain_text("幸福里3号楼")
    expect(page.locator("#coverage-map path.coverage-gap")).to_have_count(2)
    expect(page.locator("#coverage-summary")).to_contain_text("2栋在服务圈外")
    page.screenshot(path=screenshot_dir / "station-coverage-map.png", full_page=True)
    page.fill("#id_minutes", "20")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#coverage-map path.coverage-gap")).to_have_count(0)
    expect(page.locator("#coverage-gaps")).to_contain_text("所有楼栋都在服务圈内")


def _png() -> bytes:
    import io

    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(data, "PNG")
    return data.getvalue()


def test_an_intake_refused_online_gives_the_agent_back_what_was_typed(site, station, screenshot_dir: Path):
    page = site.signed_in("agent", phone=True)
    page.goto("/work/stations/intake/")
    page.select_option("#id_service_item", "medicine")
    page.fill("#id_title", "代购降压药")
    page.fill("#id_description", "老人腿脚不便，需要代购降压药。")
    page.fill("#id_name", "李大爷")
    page.fill("#id_phone", "12345")
    page.set_input_files("#id_photos", files=[{"name": "药盒.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_role("button", name="受理").click()
    note = page.locator("#intake-form [data-queue-note]")
    expect(note).to_contain_text("不是有效的手机号码")
    # Everything typed is back in the form (it was cleared, the item left failed in 待发送).
    expect(page.locator("#id_title")).to_have_value("代购降压药")
    expect(page.locator("#id_description")).to_have_value("老人腿脚不便，需要代购降压药。")
    expect(page.locator("#id_service_item")).to_have_value("medicine")
    expect(page.locator("#id_phone")).to_have_value("12345")
    assert page.evaluate("document.getElementById('id_photos').files.length") == 1
    expect(page.locator("[data-queue-count]")).to_be_hidden()
    page.screenshot(path=screenshot_dir / "station-intake-refused-phone.png", full_page=True)
    page.fill("#id_phone", "13600002222")
    page.get_by_role("button", name="受理").click()
    for _attempt in range(75):  # sent from the queue with its photo, then the page shows itself afresh
        if Demand.objects.filter(attachments__isnull=False).exists():
            break
        page.wait_for_timeout(200)
    demand = Demand.objects.get()
    assert demand.title == "代购降压药" and demand.attachments.count() == 1
    assert StationCase.objects.get(demand=demand).station == station
