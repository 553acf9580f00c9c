"""Open311 GeoReport v2 through Django's test client: every method, both formats, every
refusal the specification names."""

import json
from xml.etree import ElementTree

import pytest
import time_machine
from django.utils import timezone

from minsheng.demands.models import Demand

from ..demands.helpers import bring_to, register

BASE = "/open311/v2"


def _post(client, fmt="json", HTTP_IDEMPOTENCY_KEY=None, **fields):
    headers = {"HTTP_IDEMPOTENCY_KEY": HTTP_IDEMPOTENCY_KEY} if HTTP_IDEMPOTENCY_KEY else {}
    data = {"service_code": "construction.roads", "lat": "39.905", "long": "116.405",
            "description": "建设路井盖缺失。晚上很危险，请尽快处理。", "attribute[hazard]": "yes",
            "first_name": "伟", "last_name": "张", "phone": "13700001234", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data, **headers)


def _xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


def test_discovery_names_the_endpoint_and_both_formats(client, world):
    data = client.get(f"{BASE}/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and endpoint["formats"] == ["text/xml", "application/json"]
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_services_are_the_leaf_categories_with_group_keywords_and_metadata(client, world):
    services = {s["service_code"]: s for s in client.get(f"{BASE}/services.json").json()}
    roads = services["construction.roads"]
    assert roads["group"] == "城乡建设" and roads["keywords"] == "路面,坑洼,井盖,路灯"
    assert roads["metadata"] is True and services["construction.property"]["metadata"] is False
    assert "construction" not in services  # a group, not a service
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {s.findtext("service_code") for s in root} == set(services)
    assert root.find("service[service_code='construction.roads']/metadata").text == "true"


def test_services_answer_in_english_when_asked(client, world):
    services = client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en").json()
    roads = next(s for s in services if s["service_code"] == "construction.roads")
    assert roads["service_name"] == "Roads and municipal facilities"
    assert roads["group"] == "Urban and rural construction"


def test_a_service_definition_lists_its_attributes_with_order_required_and_values(client, world):
    data = client.get(f"{BASE}/services/environment.noise.json").json()
    assert data["service_code"] == "environment.noise"
    period, source = data["attributes"]
    assert (period["code"], period["datatype"], period["required"], period["variable"]) == (
        "period", "multivaluelist", True, True)
    assert [v["key"] for v in period["values"]] == ["day", "evening", "night"]
    assert (source["datatype"], source["required"], source["values"]) == ("string", False, [])
    assert period["order"] < source["order"]
    root = _xml(client.get(f"{BASE}/services/environment.noise.xml"))
    assert root.tag == "service_definition"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == ["day", "evening", "night"]


def test_an_unknown_service_is_a_404_errors_document(client, world):
    response = client.get(f"{BASE}/services/no.such.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "服务代码“no.such”不存在。"}]
    root = _xml(client.get(f"{BASE}/services/no.such.xml"))
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_post_creates_a_demand_in_the_grid_under_the_point_and_returns_its_id_and_token(client, world, keys):
    response = _post(client, api_key=keys["hotline"], media_url="https://img.example.org/1.jpg")
    assert response.status_code == 201
    (answer,) = response.json()
    demand = Demand.objects.get(number=answer["service_request_id"])
    assert demand.region == world.regions["g1"] and demand.channel == "api" and demand.state == "registered"
    assert demand.title == "建设路井盖缺失" and demand.reporter.phone == "13700001234"
    registration = demand.events.get(seq=1).payload
    assert registration["attributes"] == {"hazard": "yes"}
    assert registration["media_url"] == "https://img.example.org/1.jpg"
    token = client.get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": demand.number, "token": answer["token"]}]


def test_post_in_xml_with_a_multivalue_attribute_and_only_an_address(client, world, keys):
    response = _post(client, "xml", api_key=keys["hotline"], service_code="environment.noise", lat=None, long=None,
                     address_string="望花区光明街道玫瑰城小区5号楼", **{"attribute[hazard]": None,
                                                               "attribute[period][]": ["evening", "night"]})
    assert response.status_code == 201
    number = _xml(response).findtext("request/service_request_id")
    demand = Demand.objects.get(number=number)
    assert demand.region == world.regions["d"]  # placed by a dispatcher from the address
    assert demand.address == "望花区光明街道玫瑰城小区5号楼"
    assert demand.events.get(seq=1).payload["attributes"] == {"period": ["evening", "night"]}


@pytest.mark.parametrize("fields, status, fragment", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "ms_00000000_wrong"}, 403, "api_key"),
    ({"api_key": "DASHBOARD"}, 403, "register"),
    ({"lat": None, "long": None}, 400, "位置"),
    ({"lat": "95", "long": "116.4"}, 400, "lat"),
    ({"lat": "north", "long": "116.4"}, 400, "lat"),
    ({"long": None}, 400, "lat"),
    ({"service_code": "no.such"}, 400, "service_code"),
    ({"service_code": None}, 400, "service_code"),
    ({"attribute[hazard]": None}, 400, "attribute[hazard]"),
    ({"attribute[hazard]": "maybe"}, 400, "attribute[hazard]"),
    ({"attribute[colour]": "red"}, 400, "attribute[colour]"),
    ({"description": "长" * 4001}, 400, "description"),
    ({"description": "井盖\x00缺失"}, 400, "description"),
    ({"phone": "123"}, 400, "phone"),
    ({"email": "not-an-address"}, 400, "email"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"address_id": "nowhere", "lat": None, "long": None}, 400, "address_id"),
    ({"jurisdiction_id": "elsewhere"}, 404, "elsewhere"),
])
def test_bad_posts_are_refused_with_the_spec_errors_and_create_nothing(client, world, keys, fields, status,
                                                                     fragment):
    if fields.get("api_key") == "DASHBOARD":
        fields = {**fields, "api_key": keys["dashboard"]}
    fields = {"api_key": keys["hotline"], **fields}
    response = _post(client, **fields)
    assert response.status_code == status, response.content
    (error,) = response.json()
    assert error["code"] == status and fragment in error["description"]
    assert Demand.objects.count() == 0


def test_a_key_outside_its_region_cannot_file_there(client, world, keys):
    response = _post(client, api_key=keys["c2app"], address_id="g1", lat=None, long=None)
    assert response.status_code == 400 and "address_id" in response.json()[0]["description"]
    assert Demand.objects.count() == 0


def test_post_must_be_form_encoded(client, world, keys):
    response = client.post(f"{BASE}/requests.json", json.dumps({"api_key": keys["hotline"]}),
                           content_type="application/json")
    assert response.status_code == 400 and "表单" in response.json()[0]["description"]


def test_get_requests_filters_by_id_code_status_and_dates(client, world, keys):
    roads = register(world)
    noise = register(world, category="environment.noise")
    closed = bring_to(world, "closed")
    numbers = lambda **params: sorted(r["service_request_id"] for r in client.get(  # noqa: E731
        f"{BASE}/requests.json", params).json())
    assert numbers() == sorted([roads.number, noise.number, closed.number])
    assert numbers(service_request_id=f"{roads.number},{closed.number}") == sorted([roads.number, closed.number])
    assert numbers(service_code="environment.noise") == [noise.number]
    assert numbers(status="closed") == [closed.number]
    assert numbers(status="open") == sorted([roads.number, noise.number])
    assert numbers(status="open,closed") == numbers()
    assert numbers(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    assert numbers(page_size="2", page="2") == [min([roads.number, noise.number, closed.number])]


@pytest.mark.parametrize("params, fragment", [
    ({"start_date": "yesterday"}, "start_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
    ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"service_code": "no.such"}, "no.such"),
    ({"page_size": "5000"}, "page_size"),
    ({"page": "0"}, "page"),
])
def test_bad_request_list_parameters_are_400(client, world, params, fragment):
    response = client.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400 and fragment in response.json()[0]["description"]


def test_a_single_request_is_a_list_of_one_with_offsets_and_public_fields(client, world, keys):
    demand = bring_to(world, "in_progress")
    public = client.get(f"{BASE}/requests/{demand.number}.json").json()
    assert len(public) == 1
    request = public[0]
    assert request["status"] == "open" and request["detailed_status"] == "IN_PROGRESS"
    assert request["requested_datetime"].endswith("+08:00") and request["expected_datetime"].endswith("+08:00")
    assert request["description"] == "道路与市政设施"  # the service, never what the resident wrote
    assert request["status_notes"] == ""
    assert (request["address"], request["address_id"]) == ("玫瑰城社区", "c1")  # the community, not the grid
    assert request["agency_responsible"] == demand.handling_unit.name
    keyed = client.get(f"{BASE}/requests/{demand.number}.json", {"api_key": keys["dashboard"]}).json()[0]
    assert keyed["description"] == demand.description
    root = _xml(client.get(f"{BASE}/requests/{demand.number}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == demand.number
    assert client.get(f"{BASE}/requests/20000101999.json").status_code == 404


def test_a_key_limited_to_a_community_does_not_see_others(client, world, keys):
    demand = register(world)  # in g1, community c1
    response = client.get(f"{BASE}/requests/{demand.number}.json", {"api_key": keys["c2app"]})
    assert response.status_code == 404


def test_public_reading_can_be_switched_off(client, world, keys, settings):
    settings.MINSHENG_OPEN311_PUBLIC_READ = False
    assert client.get(f"{BASE}/requests.json").status_code == 403
    assert client.get(f"{BASE}/requests.json", {"api_key": keys["dashboard"]}).status_code == 200


def test_updates_are_listed_with_statuses_and_can_be_posted_once(client, world, keys):
    demand = bring_to(world, "resolved")
    updates = client.get(f"{BASE}/servicerequestupdates.json").json()
    mine = [u for u in updates if u["service_request_id"] == demand.number]
    assert [u["status"] for u in mine][-1] == "FIXED"
    assert all(u["updated_datetime"].endswith("+08:00") for u in mine)
    fields = {"api_key": keys["hotline"], "service_request_id": demand.number, "update_id": "12345-u-1",
              "status": "OPEN", "updated_datetime": "2026-11-23T10:00:00+08:00",
              "description": "市民来电补充：井盖仍有松动"}
    first = client.post(f"{BASE}/servicerequestupdates.json", fields)
    again = client.post(f"{BASE}/servicerequestupdates.json", fields)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    events = demand.events.filter(action="external_update")
    assert events.count() == 1 and events.get().note == "市民来电补充：井盖仍有松动"
    assert Demand.objects.get(pk=demand.pk).state == "resolved"
    xml = client.post(f"{BASE}/servicerequestupdates.xml", {**fields, "update_id": "12345-u-2"})
    assert _xml(xml).findtext("request_update/update_id").startswith(demand.number)


@pytest.mark.parametrize("change, status", [
    ({"api_key": None}, 403), ({"service_request_id": "nope"}, 404), ({"status": "MAYBE"}, 400),
    ({"updated_datetime": "tuesday"}, 400), ({"update_id": None}, 400), ({"description": None}, 400),
])
def test_bad_update_posts_are_refused(client, world, keys, change, status):
    demand = bring_to(world, "in_progress")
    fields = {"api_key": keys["hotline"], "service_request_id": demand.number, "update_id": "x1", "status": "OPEN",
              "updated_datetime": "2026-11-23T10:00:00+08:00", "description": "补充", **change}
    response = client.post(f"{BASE}/servicerequestupdates.json", {k: v for k, v in fields.items() if v is not None})
    assert response.status_code == status
    assert not demand.events.filter(action="external_update").exists()


@time_machine.travel("2026-11-23 10:00:30+08:00", tick=False)  # all four in one minute's window
def test_reading_without_a_key_is_rate_limited_with_retry_after(client, world, settings):
    settings.MINSHENG_OPEN311_PUBLIC_RATE = 3
    assert [client.get(f"{BASE}/requests.json").status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(f"{BASE}/requests.json")
    assert limited.status_code == 429 and limited["Retry-After"] == "30"


def test_the_public_view_never_shows_what_a_resident_wrote(client, world, keys):
    words = "我是张伟13700001234，身份证110101199001011234。建设路井盖缺失。"
    number = _post(client, api_key=keys["hotline"], description=words).json()[0]["service_request_id"]
    demand = Demand.objects.get(number=number)
    from minsheng.demands import services

    demand = services.verify_demand(world.user("operator"), demand.pk, demand.version, note="已与张伟13700001234核实")
    for url in (f"{BASE}/requests.json", f"{BASE}/requests/{number}.json", f"{BASE}/requests.xml",
                f"{BASE}/servicerequestupdates.json"):
        body = client.get(url).content.decode()
        assert "13700001234" not in body and "张伟" not in body and "110101" not in body, url
    keyed = client.get(f"{BASE}/requests/{number}.json", {"api_key": keys["hotline"]}).json()[0]
    assert keyed["description"] == words  # a key with "read" sees the text, within its region


def test_a_control_character_is_refused_and_cannot_break_the_xml_list(client, world, keys):
    response = _post(client, api_key=keys["hotline"], description="井盖\x08缺失。")
    assert response.status_code == 400 and "description" in response.json()[0]["description"]
    register(world, title="井盖\x08缺失")  # a form that allows control characters stored one
    ElementTree.fromstring(client.get(f"{BASE}/requests.xml").content)  # still well-formed


@pytest.mark.parametrize("params", [{"page": "²"}, {"page": "99999999999999999999"}, {"page_size": "1e3"}])
def test_odd_page_numbers_are_400_not_500(client, world, params):
    for path in ("requests", "servicerequestupdates"):
        response = client.get(f"{BASE}/{path}.json", params)
        assert response.status_code == 400, (path, response.content)


def test_a_date_alone_as_end_date_covers_that_whole_day(client, world):
    demand = register(world)
    day = timezone.localtime(demand.registered_at).date().isoformat()
    found = client.get(f"{BASE}/requests.json", {"start_date": day, "end_date": day}).json()
    assert [r["service_request_id"] for r in found] == [demand.number]


def test_only_the_specifications_statuses_and_an_errors_document_for_a_wrong_method(client, world, keys):
    first = _post(client, api_key=keys["hotline"], HTTP_IDEMPOTENCY_KEY="k1")
    reused = _post(client, api_key=keys["hotline"], description="另一件事。", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201 and reused.status_code == 400
    wrong = client.delete(f"{BASE}/requests.json")
    assert wrong.status_code == 405 and wrong["Allow"] == "GET, POST"
    assert wrong.json()[0]["code"] == 405
    assert client.get(f"{BASE}/services.xml", REQUEST_METHOD="PUT").status_code in (200, 405)


def test_update_ids_are_their_own_namespace_and_a_reused_one_says_so(client, world, keys):
    a, b = bring_to(world, "in_progress"), bring_to(world, "in_progress")
    fields = {"api_key": keys["hotline"], "update_id": "u-7", "status": "OPEN",
              "updated_datetime": "2026-11-23T10:00:00+08:00", "description": "补充"}
    assert client.post(f"{BASE}/servicerequestupdates.json", {**fields, "service_request_id": a.number}
                       ).status_code == 201
    again = client.post(f"{BASE}/servicerequestupdates.json", {**fields, "service_request_id": b.number})
    assert again.status_code == 400 and "update_id" in again.json()[0]["description"]
    impossible = client.post(f"{BASE}/servicerequestupdates.json", {
        **fields, "update_id": "u-8", "service_request_id": a.number, "updated_datetime": "2026-13-45T10:00:00+08:00"})
    assert impossible.status_code == 400


def test_a_post_key_in_the_query_string_is_not_accepted(client, world, keys):
    response = client.post(f"{BASE}/requests.json?api_key={keys['hotline']}", {
        "service_code": "construction.property", "address_string": "玫瑰城5号楼", "description": "电梯坏了。"})
    assert response.status_code == 403 and Demand.objects.count() == 0
