"""Open311 over a real socket: the server on a loopback port, driven by the PyPI package
``georeport`` (a GeoReport v2 client written by others) in JSON and XML, and by a small
client of our own for what georeport does not do (POST requests, tokens, updates)."""

import pytest
import requests
import xmltodict
from georeport import GeoReport

from minsheng.demands.models import Demand

from ..demands.helpers import bring_to, register

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city(default_catalogue, transactional_db, world, keys, live_server):
    """Three demands of different services and states, and the endpoint's root address."""
    demands = {"roads": register(world), "noise": register(world, category="environment.noise"),
               "closed": bring_to(world, "closed")}
    return live_server.url + "/open311/v2", demands


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_definitions_and_requests(city, fmt):
    root, demands = city
    client = GeoReport(root, jurisdiction="minsheng", output_format=fmt)
    services = {s["service_code"]: s for s in client.get_service_list()}
    assert services["construction.roads"]["group"] == "城乡建设"
    definition = client.get_service_definition("environment.noise")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == ["period", "source"]

    def numbers(**filters):
        found = client.get_service_requests(**filters)
        found = [found] if isinstance(found, dict) else found  # xmltodict: one element is not a list
        return sorted(r["service_request_id"] for r in found)

    everything = sorted(d.number for d in demands.values())
    assert numbers() == everything
    assert numbers(service_request_id=f"{demands['roads'].number},{demands['closed'].number}") == sorted(
        [demands["roads"].number, demands["closed"].number])
    assert numbers(service_code="environment.noise") == [demands["noise"].number]
    assert numbers(status="closed") == [demands["closed"].number]
    assert numbers(status="open") == sorted([demands["roads"].number, demands["noise"].number])
    if fmt == "json":  # georeport cannot read an empty XML list (<service_requests/> parses to None)
        assert numbers(start_date="2020-01-01T00:00:00+08:00", end_date="2020-03-01T00:00:00+08:00") == []
    one = client.get_service_request(demands["closed"].number)
    assert one["status"] == "closed" and one["requested_datetime"].endswith("+08:00")


def test_georeport_sees_the_errors_document_status(city):
    root, _ = city
    with pytest.raises(requests.HTTPError) as failure:
        GeoReport(root).get_service_definition("no.such")
    assert failure.value.response.status_code == 404
    assert failure.value.response.json() == [{"code": 404, "description": "服务代码“no.such”不存在。"}]


class UpdatesClient:
    """Our second client: what a hotline platform does beyond reading."""

    def __init__(self, root: str, api_key: str):
        self.root, self.api_key = root, api_key

    def post_request(self, **fields) -> dict:
        response = requests.post(f"{self.root}/requests.json", data={"api_key": self.api_key, **fields}, timeout=10)
        response.raise_for_status()
        return response.json()[0]

    def token(self, token: str) -> dict:
        response = requests.get(f"{self.root}/tokens/{token}.json", timeout=10)
        response.raise_for_status()
        return response.json()[0]

    def post_update(self, **fields) -> str:
        response = requests.post(f"{self.root}/servicerequestupdates.xml", data={"api_key": self.api_key, **fields},
                                 timeout=10)
        response.raise_for_status()
        return xmltodict.parse(response.content)["service_request_updates"]["request_update"]["update_id"]

    def updates(self, **params) -> list[dict]:
        response = requests.get(f"{self.root}/servicerequestupdates.json", params=params, timeout=10)
        response.raise_for_status()
        return response.json()


def test_our_client_posts_a_request_resolves_its_token_and_exchanges_updates(city, keys):
    root, _ = city
    client = UpdatesClient(root, keys["hotline"])
    answer = client.post_request(service_code="environment.noise", lat="39.905", long="116.405",
                                 description="楼下烧烤店每晚营业到凌晨两点，噪声很大。", **{
                                     "attribute[period][]": ["night"], "attribute[source]": "烧烤店"},
                                 phone="13700009999", first_name="芳", last_name="李")
    assert client.token(answer["token"])["service_request_id"] == answer["service_request_id"]
    demand = Demand.objects.get(number=answer["service_request_id"])
    assert demand.region.code == "g1" and demand.reporter.name == "李芳"
    update_id = client.post_update(service_request_id=demand.number, update_id="hotline-55", status="OPEN",
                                   updated_datetime="2026-11-23T21:00:00+08:00", description="居民再次来电催办")
    assert update_id.startswith(demand.number + "-")
    assert demand.events.filter(action="external_update").get().note == "居民再次来电催办"
    listed = client.updates()
    assert any(u["service_request_id"] == demand.number for u in listed) is False  # staff-only notes stay internal
    with pytest.raises(requests.HTTPError) as refused:
        UpdatesClient(root, "ms_forged_key").post_request(service_code="environment.noise", lat="39.9",
                                                          long="116.4", description="伪造")
    assert refused.value.response.status_code == 403
