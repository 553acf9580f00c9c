"""The resident's report form: where from a pin or an address, categories by synonyms, nearby
look-alikes and 我也遇到 — the server side of /submit/ (the browser side: tests/e2e/test_report.py)."""

import random

import pytest
from django.urls import reverse

from minsheng.catalogue.models import Category
from minsheng.demands.models import CoReporter, Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.maps.public import is_published, published
from minsheng.organisation.models import Region

from ..demands.helpers import bring_to, register


@pytest.fixture
def mapped(world):
    """g1 and g1b as lattice cells with boundaries, a building of g1 with its point."""
    for key, lat in (("g1", 41.80), ("g1b", 41.81)):
        grid = world.regions[key]
        grid.boundary = [[[123.90, lat], [123.91, lat], [123.91, lat + 0.01], [123.90, lat + 0.01], [123.90, lat]]]
        grid.latitude, grid.longitude = lat + 0.005, 123.905
        grid.save()
    Region.objects.create(kind="building", name="幸福里小区1号楼", code="xf1", parent=world.regions["g1"],
                          latitude=41.803, longitude=123.905)
    return world


def _data(**changes):
    data = {"demand_type": "help", "description": "幸福里小区1号楼门口的井盖丢了，晚上很危险。",
            "name": "刘芳", "phone": "13600002222", "consent": "on"}
    data.update(changes)
    return data


def test_the_form_has_no_grid_select_and_asks_for_the_problem_first(client, world):
    page = client.get(reverse("web:submit")).content.decode()
    assert 'name="region"' not in page
    assert page.index('name="description"') < page.index("data-report-map") < page.index('name="category"')


def test_a_pin_files_the_report_in_its_grid_with_the_building_as_address(client, mapped):
    lat, lng = 41.8031 + random.uniform(-0.0002, 0.0002), 123.9051 + random.uniform(-0.0002, 0.0002)
    response = client.post(reverse("web:submit"), _data(latitude=f"{lat:.6f}", longitude=f"{lng:.6f}"))
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.region == mapped.regions["g1"] and "幸福里小区1号楼" in demand.address
    assert demand.title == "幸福里小区1号楼门口的井盖丢了，晚上很危险"  # no title typed: the first sentence


def test_a_typed_address_alone_files_the_report(client, mapped):
    assert client.post(reverse("web:submit"), _data(address="光明街道玫瑰城社区幸福里小区1号楼")).status_code == 302
    assert Demand.objects.get().region == mapped.regions["g1"]


@pytest.mark.parametrize("ticked", [False, True])
def test_the_public_map_shows_a_report_only_when_its_resident_ticked_publish(client, mapped, ticked):
    """同意公开 is its own box, off by default; the privacy notice's consent does not publish."""
    page = client.get(reverse("web:submit")).content.decode()
    assert 'name="publish_consent"' in page and 'name="publish_consent" checked' not in page
    changes = {"publish_consent": "on"} if ticked else {}
    assert client.post(reverse("web:submit"), _data(address="幸福里小区1号楼", **changes)).status_code == 302
    demand = Demand.objects.get()
    assert demand.consent and demand.publish_consent == ticked and is_published(demand) == ticked
    assert published().filter(pk=demand.pk).exists() == ticked
    assert not differences(demand, rebuild(list(demand.events.order_by("seq"))))


def test_an_address_the_server_cannot_place_is_still_accepted_for_staff_to_settle(client, mapped):
    assert client.post(reverse("web:submit"), _data(address="建设路123号")).status_code == 302
    assert Demand.objects.get().region.kind == "district"


@pytest.mark.parametrize("changes, message", [({}, "请在地图上点选"),
                                              ({"latitude": "30.0", "longitude": "100.0"}, "不在本区服务范围内")])
def test_no_place_or_a_pin_outside_the_district_is_explained_in_residents_words(client, mapped, changes, message):
    page = client.post(reverse("web:submit"), _data(**changes)).content.decode()
    assert message in page and "派单员" not in page and not Demand.objects.exists()


def test_the_place_answer_speaks_to_residents(client, mapped):
    good = client.get(reverse("web:report_place"), {"latitude": "41.8031", "longitude": "123.9051"}).json()
    assert good["status"] == "resolved" and "幸福里小区1号楼" in good["message"]
    vague = client.get(reverse("web:report_place"), {"address": "光明街道"}).json()
    assert vague["status"] == "unresolved" and "派单员" not in vague["message"] and "地图" in vague["message"]


@pytest.mark.parametrize("query", ["井盖", "窨井", "井盖坏了"])
def test_category_search_finds_synonyms(client, world, query):
    Category.objects.filter(code="construction.roads").update(keywords="路面 坑洼 窨井 路灯")
    from minsheng.core import versioned
    versioned.bump()
    codes = [r["code"] for r in client.get(reverse("web:report_categories"), {"q": query}).json()["results"]]
    assert codes and codes[0] == "construction.roads"


def test_the_description_suggests_a_category_in_plain_words(client, world):
    results = client.get(reverse("web:report_suggestions"), {"text": "小区门口井盖丢了很危险"}).json()["results"]
    assert results and results[0]["code"] == "construction.roads" and "›" in results[0]["label"]


def test_nearby_look_alikes_are_offered_without_personal_details(client, mapped):
    demand = register(mapped, actor="operator", address="幸福里小区1号楼", latitude="41.803", longitude="123.905",
                      consent=True, publish_consent=True)
    bring_to(mapped, "closed")  # a finished one is never offered
    # Nor one whose reporter did not agree to publication, nor a report (举报) against someone.
    register(mapped, actor="operator", latitude="41.803", longitude="123.905", consent=True)
    register(mapped, actor="operator", latitude="41.803", longitude="123.905", consent=True, publish_consent=True,
             demand_type="report")
    page = client.get(reverse("web:report_similar"), {
        "description": "建设路与光明街交叉口的井盖丢失了，晚上很危险", "latitude": "41.8032", "longitude": "123.9052"}
    ).content.decode()
    assert "我也遇到" in page and f'value="{demand.pk}"' in page and str(demand.category) in page
    assert page.count('name="join"') == 1
    # what the public list shows of it, not its words: a title may name people and homes
    assert demand.title not in page
    assert "张伟" not in page and "1234" not in page and "幸福里小区1号楼" not in page
    far = client.get(reverse("web:report_similar"), {"description": "建设路与光明街交叉口的井盖丢失了",
                                                     "address": "雷锋第一网格"}).content.decode()
    assert "我也遇到" not in far


@pytest.mark.parametrize("extra", [{}, {"consent": True, "publish_consent": True, "demand_type": "report"}])
def test_me_too_cannot_join_what_is_not_public(client, mapped, extra):
    """Joining lets one follow a demand (its updates, tracking with one's own phone): a demand
    whose reporter did not consent, or a report (举报), is nobody else's to follow."""
    demand = register(mapped, actor="operator", **extra)
    response = client.post(reverse("web:submit"), _data(description="", join=str(demand.pk)))
    assert response.status_code == 400 and "没有找到这个诉求" in response.content.decode()
    assert not demand.co_reporters.exists()


def test_me_too_joins_the_demand_instead_of_filing_another(client, mapped):
    demand = register(mapped, actor="operator", consent=True, publish_consent=True)
    response = client.post(reverse("web:submit"), _data(description="", join=str(demand.pk)), follow=True)
    page = response.content.decode()
    assert demand.number in page and "共有 2 位居民" in page
    assert Demand.objects.count() == 1 and CoReporter.objects.get().resident.phone == "13600002222"
    # The co-reporter tracks the demand with their own phone's last digits.
    tracked = client.post(reverse("web:track"), {"number": demand.number, "phone_last4": "2222"})
    assert demand.title in tracked.content.decode()


@pytest.mark.parametrize("changes, message", [({"phone": ""}, "请填写姓名和联系电话"),
                                              ({"consent": ""}, "隐私告知")])
def test_me_too_needs_a_name_phone_and_consent(client, mapped, changes, message):
    demand = register(mapped, actor="operator", consent=True, publish_consent=True)
    response = client.post(reverse("web:submit"), _data(join=str(demand.pk), **changes))
    assert response.status_code == 400 and message in response.content.decode()
    assert not CoReporter.objects.exists()


def test_staff_see_how_many_residents_reported_the_demand(client, mapped):
    from minsheng.demands import services

    demand = register(mapped, actor="operator")
    client.force_login(mapped.users["dispatcher1"])
    assert 'id="reporter-count"' not in client.get(f"/work/demands/{demand.pk}/").content.decode()
    extra = random.randint(1, 4)
    for i in range(extra):
        services.join_demand(demand.pk, reporter=services.ReporterInput(name="李娜", phone=f"1390000{i:04d}"),
                             consent=True)
    page = client.get(f"/work/demands/{demand.pk}/").content.decode()
    assert f'id="reporter-count"><strong>{1 + extra}</strong>' in page
    assert "13900000000" not in page  # who joined stays behind the reveal


def test_residents_are_offered_open_demands_only_not_wishes(client, mapped):
    from minsheng.demands.workflow import Kind
    from minsheng.routing.duplicates import find_duplicates

    text = "幸福里小区1号楼门口的井盖丢失了，晚上很危险，请尽快处理。"
    wish = register(mapped, actor="operator", kind=Kind.WISH, description=text)
    demand = register(mapped, actor="operator", description=text)
    public = [m.demand.pk for m in find_duplicates(None, title="", description=text, region=mapped.regions["g1"])]
    staff = [m.demand.pk for m in find_duplicates(mapped.user("admin"), title="", description=text,
                                                  region=mapped.regions["g1"])]
    assert public == [demand.pk] and set(staff) == {demand.pk, wish.pk}


@pytest.mark.parametrize("name, params", [("web:report_place", {"address": "幸福里小区1号楼"}),
                                          ("web:report_categories", {"q": "井盖"}),
                                          ("web:report_suggestions", {"text": "小区门口井盖丢了"}),
                                          ("web:report_similar", {"description": "井盖丢了很危险",
                                                                  "address": "幸福里小区1号楼"})])
def test_the_forms_lookups_are_limited_per_client_address_with_a_kind_answer(client, mapped, settings, monkeypatch,
                                                                             name, params):
    monkeypatch.setattr("minsheng.core.throttle.time.time", lambda: 1_800_000_030.0)  # one window throughout
    limit = random.randint(2, 5)
    settings.MINSHENG_REPORT_LOOKUPS_PER_MINUTE = limit
    url = reverse(name)
    for _ in range(limit):
        assert client.get(url, params, REMOTE_ADDR="203.0.113.7").status_code == 200
    refused = client.get(url, params, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    answer = refused.json()
    assert answer["status"] == "throttled" and "内容都还在" in answer["message"] and answer["retry_after"] >= 1
    # Another address is not held back by the first one's look-ups.
    assert client.get(url, params, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_a_signed_in_resident_finds_their_name_and_phone_filled_in(client, world):
    client.force_login(world.users["resident"])
    page = client.get(reverse("web:submit")).content.decode()
    assert 'value="王奎"' in page and 'value="13812341234"' in page
    # What the resident typed wins over the account's details when the form comes back.
    again = client.post(reverse("web:submit"), _data(name="王小奎", phone="138", consent="")).content.decode()
    assert 'value="王小奎"' in again and 'value="138"' in again and 'value="13812341234"' not in again
    # A visitor without an account, and staff without a resident record, start from empty fields.
    client.logout()
    assert 'value="王奎"' not in client.get(reverse("web:submit")).content.decode()
    client.force_login(world.users["dispatcher"])
    assert 'name="phone"' in (page := client.get(reverse("web:submit")).content.decode()) and "1381234" not in page
