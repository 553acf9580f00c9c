"""The station pages through the test client: the QR page and its form, the sign, the nearest
stations, the agent's handling pages, the coverage map, and the engine's own detail page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.demands.workflow import State
from minsheng.organisation.models import Region
from minsheng.stations.models import StationCase

from .test_ways import take

pytestmark = pytest.mark.django_db


def test_the_qr_page_shows_the_station_and_files_a_request(world, stations, client):
    station = stations["family"]
    page = client.get(f"/stations/{station.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and station.name in html and "代缴水电气暖费" in html
    form = {"service_item": "purchasing", "title": "代购米面油", "description": "腿脚不便，请帮忙买一袋米。",
            "name": "赵敏", "phone": "13512345678"}
    refused = client.post(f"/stations/{station.pk}/", form)
    assert refused.status_code == 400 and "请阅读并同意隐私告知" in refused.content.decode()
    assert not Demand.objects.exists()
    done = client.post(f"/stations/{station.pk}/", {**form, "consent": "on"}, follow=True)
    demand = Demand.objects.get()
    assert demand.number in done.content.decode()
    assert demand.channel == "station" and StationCase.objects.get().service_item.code == "purchasing"


def test_an_unknown_station_is_not_found(world, stations, client):
    assert client.get("/stations/999999/").status_code == 404


def test_the_sign_carries_the_qr_code_of_the_public_page_and_prints(world, stations, client):
    station = stations["street"]
    html = client.get(f"/stations/{station.pk}/sign/").content.decode()
    assert f"http://testserver/stations/{station.pk}/" in html and "<svg" in html and "街道代办服务中心" in html
    pdf = client.get(f"/stations/{station.pk}/sign/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from unittest import mock

    from minsheng.core import pdf as pdfs

    with mock.patch.object(pdfs, "html_to_pdf") as renderer:  # the same sign again: the stored file
        again = client.get(f"/stations/{station.pk}/sign/?format=pdf")
    assert renderer.call_count == 0 and again.content == pdf.content


def test_nearby_from_a_point_and_from_an_address(world, stations, client):
    html = client.get("/stations/nearby/", {"latitude": "39.9051", "longitude": "116.4050"}).content.decode()
    assert html.index(stations["family"].name) < html.index(stations["community"].name)
    assert "直线距离" in html
    Region.objects.filter(code="g2").update(latitude="39.92", longitude="116.42")
    html = client.get("/stations/nearby/", {"address": "雷锋第一网格"}).content.decode()
    assert html.index(stations["street"].name) < html.index(stations["family"].name)
    assert client.get("/stations/nearby/", {"address": "火星基地"}).status_code == 400


def test_the_agent_handles_a_case_in_each_way_from_the_phone_pages(world, stations, client):
    client.force_login(world.user("agent"))
    cases = [take(world, stations["family"], title=f"事项{i}", phone=f"1351234000{i}", name="钱多") for i in range(3)]
    listing = client.get("/work/stations/cases/").content.decode()
    assert all(d.number in listing for d in cases)
    page = client.get(f"/work/stations/cases/{cases[0].pk}/").content.decode()
    assert all(label in page for label in ("立接立办", "限时代办", "指引协办", "上报联办", "受理", "反馈"))

    r = client.post(f"/work/stations/cases/{cases[0].pk}/on_spot/", {"version": 1, "result": "当场办好"})
    assert r.status_code == 302 and Demand.objects.get(pk=cases[0].pk).state == State.RESOLVED

    promise = timezone.localtime(clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(f"/work/stations/cases/{cases[1].pk}/timed/", {"version": 1, "promised_at": promise,
                                                                    "note": "明天办好"})
    assert r.status_code == 302 and Demand.objects.get(pk=cases[1].pk).state == State.IN_PROGRESS
    r = client.post(f"/work/stations/cases/{cases[1].pk}/resolve/", {"version": 3, "result": "已办好"})
    assert r.status_code == 302 and Demand.objects.get(pk=cases[1].pk).state == State.RESOLVED

    stale = client.post(f"/work/stations/cases/{cases[2].pk}/joint/", {"version": 7, "reason": "需部门处理"})
    assert stale.status_code == 409
    missing = client.post(f"/work/stations/cases/{cases[2].pk}/joint/", {"version": 1, "reason": ""})
    assert missing.status_code == 400 and Demand.objects.get(pk=cases[2].pk).state == State.REGISTERED
    r = client.post(f"/work/stations/cases/{cases[2].pk}/joint/", {"version": 1, "reason": "需部门处理"})
    assert r.status_code == 302 and Demand.objects.get(pk=cases[2].pk).state == State.PENDING_DISPATCH
    reported = client.get(f"/work/stations/cases/{cases[2].pk}/").content.decode()
    assert 'id="way-timed"' not in reported and "上报联办" in reported  # chosen once; the street dispatches


def test_the_engines_detail_page_offers_the_station_rows_with_their_forms(world, stations, client):
    demand = take(world, stations["family"])
    client.force_login(world.user("agent"))
    page = client.get(f"/work/demands/{demand.pk}/")
    assert page.status_code == 200 and "代办承诺" in page.content.decode()
    promise = timezone.localtime(clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(f"/work/demands/{demand.pk}/station_undertake/",
                    {"version": 1, "way": "timed", "promised_at": promise, "note": "明天送到"})
    assert r.status_code == 302
    assert StationCase.objects.get(demand=demand).way == "timed"


def test_the_agent_takes_in_at_the_counter(world, stations, client):
    client.force_login(world.user("agent"))
    r = client.post("/work/stations/intake/", {"service_item": "lock", "title": "钥匙锁在屋里",
                                               "description": "请技能服务队帮忙开锁", "name": "李秀英",
                                               "phone": "13900001111"})
    demand = Demand.objects.get()
    assert r.status_code == 302 and demand.vulnerable and StationCase.objects.get().agent == stations["agent"]
    client.force_login(world.user("staff1"))
    assert client.get("/work/stations/intake/").status_code == 404  # not an agent


def test_the_street_leader_sees_the_gaps_on_the_coverage_map(world, stations, client):
    Region.objects.create(kind="building", name="远处1号楼", code="b-far", parent=world.regions["g1"],
                          latitude="39.8900", longitude="116.4050")
    Region.objects.create(kind="building", name="近处2号楼", code="b-near", parent=world.regions["g1"],
                          latitude="39.9055", longitude="116.4050")
    client.force_login(world.user("dispatcher1"))
    html = client.get("/work/stations/coverage/").content.decode()
    assert "远处1号楼" in html and "近处2号楼" not in html.split('id="coverage-gaps"')[1]
    assert "coverage-data" in html
    wider = client.get("/work/stations/coverage/", {"minutes": "30"}).content.decode()
    assert "远处1号楼" not in wider.split('id="coverage-gaps"')[1]
    geo = client.get("/work/stations/coverage.geojson").json()
    assert [f["properties"]["code"] for f in geo["features"]] == ["b-far"]
    client.force_login(world.user("agent"))
    assert client.get("/work/stations/coverage/").status_code == 404


def test_station_lists_and_navigation(world, stations, client):
    client.force_login(world.user("dispatcher1"))
    html = client.get("/work/stations/").content.decode()
    assert stations["family"].name in html and "/work/stations/" in client.get("/work/").content.decode()
    agents = client.get("/work/stations/agents/").content.decode()
    assert "刘建国" in agents and "136****1111" in agents
    client.force_login(world.user("dispatcher2"))  # 和平 street: none of 光明's stations
    assert stations["family"].name not in client.get("/work/stations/").content.decode()


def test_an_intake_queued_offline_is_taken_in_once(world, stations, client):
    import uuid

    client.force_login(world.user("agent"))
    data = {"service_item": "lock", "title": "钥匙锁在屋里", "description": "请技能服务队帮忙开锁",
            "name": "李秀英", "phone": "13900001111"}
    key = str(uuid.uuid4())
    first = client.post("/work/stations/intake/", data, HTTP_IDEMPOTENCY_KEY=key)
    again = client.post("/work/stations/intake/", data, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    demand = Demand.objects.get()
    assert first.json()["number"] == again.json()["number"] == demand.number
    assert StationCase.objects.get().demand == demand
    refused = client.post("/work/stations/intake/", {**data, "phone": "123"}, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert refused.status_code == 400 and refused.json()["error"] and Demand.objects.count() == 1
