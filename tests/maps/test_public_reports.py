"""The public reports map and list, and area subscriptions (maps.public, maps.subscriptions)."""

import json
import random
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.registrar import register_batch
from minsheng.maps.models import AreaSubscription
from minsheng.maps.subscriptions import subscribe
from minsheng.notifications.models import OutboxMessage
from minsheng.organisation.models import Membership
from minsheng.organisation.roles import Role

from ..demands.helpers import bring_to, register


def _pins(response) -> list[dict]:
    html = response.content.decode()
    return json.loads(re.search(r'<script id="reports-pins" type="application/json">(.*?)</script>', html, re.S)[1])


def _count(response) -> int:
    return response.content.decode().count('<li class="report">')


def test_only_consented_plain_demands_are_listed_and_nothing_personal_shows(client, world):
    rng = random.Random(25)
    expected = 0
    personal = []
    for i in range(14):
        consent, kind_report, vulnerable = rng.random() < .6, rng.random() < .25, rng.random() < .2
        phone = "13900001111" if vulnerable else f"137{rng.randrange(10**8):08d}"
        title = f"公开测试{i}号问题"
        demand = register(world, consent=True, publish_consent=consent,
                          demand_type="report" if kind_report else "complaint",
                          title=title, address=f"玫瑰城{i}号楼{i}单元", region=rng.choice(["g1", "g1b", "g2"]),
                          reporter=services.ReporterInput(name=f"居民{i}", phone=phone))
        assert demand.vulnerable == vulnerable
        personal += [title, demand.address, demand.number, phone, f"居民{i}"]
        expected += consent and not kind_report and not vulnerable
    invalid = register(world, consent=True, publish_consent=True, title="无效的诉求")
    services.reject_invalid(world.user("staff1"), invalid.pk, invalid.version, reason="重复")

    response = client.get(reverse("maps:public_reports"))
    assert response.status_code == 200
    assert _count(response) == expected and f"共 {expected} 条" in response.content.decode()
    html = response.content.decode()
    assert not [p for p in personal if p in html]
    assert "无效的诉求" not in html and "李秀英" not in html


def test_pins_are_rounded_to_about_a_hundred_metres(client, world):
    rng = random.Random()
    lat, lng = Decimal(f"39.9{rng.randrange(10**4):04d}"), Decimal(f"116.4{rng.randrange(10**4):04d}")
    register(world, consent=True, publish_consent=True, latitude=lat, longitude=lng)
    pins = _pins(client.get(reverse("maps:public_reports")))
    assert pins == [{"lat": round(float(lat), 3), "lng": round(float(lng), 3), "category": "道路与市政设施",
                     "state": "已登记", "group": "open", "area": "光明街道 玫瑰城社区", "date": pins[0]["date"]}]
    assert str(lat) not in client.get(reverse("maps:public_reports")).content.decode()


def test_filters_by_area_category_and_state(client, world):
    register(world, consent=True, publish_consent=True, region="g1")
    register(world, consent=True, publish_consent=True, region="g2", category="environment")
    resolved = bring_to(world, "resolved", consent=True, publish_consent=True, region="g1")
    assert resolved.state == "resolved"
    url = reverse("maps:public_reports")
    assert _count(client.get(url)) == 3
    assert _count(client.get(url, {"area": "s1"})) == 2
    assert _count(client.get(url, {"area": "c2"})) == 1
    assert _count(client.get(url, {"category": "construction"})) == 2  # roads lie under construction
    assert _count(client.get(url, {"category": "environment"})) == 1
    assert _count(client.get(url, {"state": "resolved"})) == 1
    assert _count(client.get(url, {"state": "open", "area": "s1"})) == 1


def test_a_bad_filter_is_a_clear_error(client, world):
    response = client.get(reverse("maps:public_reports"), {"area": "g1", "state": "lost"})
    assert response.status_code == 400
    assert response.content.decode().count('class="errorlist') == 2


def test_subscribing_needs_a_signed_in_resident(client, login, world):
    url = reverse("maps:subscribe")
    response = client.post(url, {"area": "s1", "channel": "in_app"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = login("volunteer").post(url, {"area": "s1", "channel": "in_app"})
    assert response.status_code == 400 and "请先以居民身份登录再订阅" in response.content.decode()
    assert not AreaSubscription.objects.exists()
    response = login("resident").post(url, {"area": "s1", "channel": "in_app"})
    assert response.status_code == 302
    assert AreaSubscription.objects.get().region == world.regions["s1"]
    response = login("resident").post(url, {"area": "g1", "channel": "in_app"})  # a grid is not an area
    assert response.status_code == 400 and AreaSubscription.objects.count() == 1


def test_sms_needs_the_accounts_own_phone(world):
    Membership.objects.create(user=world.users["nobody"], unit=world.units["cc1"], role=Role.RESIDENT)
    with pytest.raises(Exception, match="没有登记手机号"):
        subscribe(world.user("nobody"), world.regions["s1"], "sms")
    assert subscribe(world.user("resident"), world.regions["s1"], "sms").channel == "sms"


def test_new_public_reports_reach_the_areas_subscribers(world):
    resident = world.user("resident")
    subscribe(resident, world.regions["c1"], "in_app")
    subscribe(resident, world.regions["s1"], "sms")
    before = OutboxMessage.objects.count()
    register(world, consent=True, publish_consent=True, region="g1", address="玫瑰城5号楼",
             reporter=services.ReporterInput(name="赵六", phone="13712345678"))
    messages = list(OutboxMessage.objects.filter(source__startswith="area:").order_by("channel"))
    assert [(m.channel, m.recipient_id, m.address) for m in messages] == [
        ("in_app", resident.pk, ""), ("sms", resident.pk, "13812341234")]
    for m in messages:
        text = m.subject + m.body
        assert "道路与市政设施" in text and "玫瑰城社区" in text
        assert not any(s in text for s in ("赵六", "13712345678", "玫瑰城5号楼", "井盖"))
    assert OutboxMessage.objects.count() - before >= 2
    # Elsewhere, without consent, or a 举报: nobody hears of it.
    register(world, consent=True, publish_consent=True, region="g2")
    register(world, consent=True, region="g1")
    register(world, consent=True, publish_consent=True, region="g1", demand_type="report")
    assert OutboxMessage.objects.filter(source__startswith="area:").count() == 2


def test_a_batch_keeps_each_registrations_own_agreement_to_publish(world):
    """A batch's rows are copies of its first one: each must still carry its own 同意公开."""
    agreed = [random.random() < 0.5 for _ in range(5)]
    agreed[0] = not agreed[1]
    prepared = [services.prepare_registration(
        world.user("operator"), channel="hotline", demand_type="complaint", title=f"批量{i}",
        description="路灯坏了。", region=world.regions["g1"], publish_consent=flag,
        reporter=services.ReporterInput(name="钱七", phone=f"1370001{i:04d}"))
        for i, flag in enumerate(agreed)]
    demands = register_batch(prepared)
    stored = dict(Demand.objects.values_list("title", "publish_consent"))
    assert [stored[f"批量{i}"] for i in range(5)] == agreed, demands


def test_a_batch_of_live_registrations_notifies_too(world):
    subscribe(world.user("resident"), world.regions["s2"], "in_app")
    prepared = [services.prepare_registration(
        world.user("operator"), channel="hotline", demand_type="complaint", title="雷锋社区路灯不亮",
        description="雷锋社区3号楼前的路灯坏了。", region=world.regions[region], category="construction.roads",
        consent=True, publish_consent=True, reporter=services.ReporterInput(name="钱七", phone=f"1370000{i:04d}"))
        for i, region in enumerate(["g2", "g2", "g1"])]
    register_batch(prepared)
    assert OutboxMessage.objects.filter(source__startswith="area:").count() == 2


def test_unsubscribing_someone_elses_subscription_is_a_404(login, world):
    sub = subscribe(world.user("resident"), world.regions["s1"], "in_app")
    Membership.objects.create(user=world.users["nobody"], unit=world.units["cc1"], role=Role.RESIDENT)
    assert login("nobody").post(reverse("maps:unsubscribe", args=[sub.pk])).status_code == 404
    assert login("resident").post(reverse("maps:unsubscribe", args=[sub.pk])).status_code == 302
    assert not AreaSubscription.objects.exists()


def test_the_elder_mode_is_kept_per_browser(client, login, world):
    page = client.get(reverse("maps:public_reports")).content.decode()
    assert 'class="elder"' not in page and "大字模式" in page
    response = client.post(reverse("web:elder_mode"), {"on": "1", "next": "/reports/?area=s1"})
    assert response.status_code == 302 and response["Location"] == "/reports/?area=s1"
    assert response.cookies["minsheng_elder"].value == "1"
    page = client.get(reverse("web:home")).content.decode()
    assert '<html lang="zh-hans" class="elder">' in page and 'aria-pressed="true"' in page
    response = client.post(reverse("web:elder_mode"), {"on": "0", "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"
    assert 'class="elder"' not in client.get(reverse("web:home")).content.decode()
    assert "大字模式" not in login("dispatcher1").get(reverse("web:queue")).content.decode()


def test_the_public_reports_page_reads_in_english(client, world):
    register(world, consent=True, publish_consent=True)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("maps:public_reports")).content.decode()
    assert "Public reports" in page and "Large text" in page and "1 in all" in page
    assert "公开诉求" not in page
