"""The JSON API under /api/: keys and sessions, once-only creates, versions, one error format."""

import json

import pytest
import time_machine

from minsheng.demands.models import Demand
from minsheng.integrations.models import ApiKey

from ..demands.helpers import bring_to


def _body(**changes):
    body = {"channel": "hotline", "demand_type": "complaint", "category": "construction.roads",
            "title": "建设路井盖缺失", "description": "建设路与光明街交叉口的井盖丢失两天了。", "region": "g1",
            "reporter": {"name": "张伟", "phone": "13700001234"}}
    body.update(changes)
    return body


def _post(client, path, body, key=None, **headers):
    if key:
        headers["HTTP_X_API_KEY"] = key
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_a_key_creates_and_reads_a_demand_with_its_version_as_etag(client, world, keys):
    created = _post(client, "/api/demands", _body(), keys["hotline"])
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["state"] == "registered" and data["version"] == 1 and created["ETag"] == '"1"'
    assert data["reporter"] == {"name": "张伟", "phone": "137****1234"}  # masked
    assert data["registered_at"].endswith("+08:00")  # local time, as in Open311
    read = client.get(f"/api/demands/{data['number']}", HTTP_AUTHORIZATION=f"Bearer {keys['hotline']}")
    assert read.status_code == 200 and read.json()["title"] == "建设路井盖缺失"


def test_the_same_idempotency_key_returns_the_first_demand(client, world, keys):
    first = _post(client, "/api/demands", _body(), keys["hotline"], HTTP_IDEMPOTENCY_KEY="call-778")
    again = _post(client, "/api/demands", _body(), keys["hotline"], HTTP_IDEMPOTENCY_KEY="call-778")
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"] and Demand.objects.count() == 1
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    other = _post(client, "/api/demands", _body(title="另一件事"), keys["hotline"], HTTP_IDEMPOTENCY_KEY="call-778")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Demand.objects.count() == 1


def test_actions_take_the_version_and_a_stale_one_is_409(client, world, keys):
    demand = bring_to(world, "registered")
    url = f"/api/demands/{demand.number}/actions/verify"
    done = _post(client, url, {}, keys["hotline"], HTTP_IF_MATCH=f'"{demand.version}"')
    assert done.status_code == 200 and done.json()["state"] == "pending_dispatch" and done["ETag"] == '"2"'
    stale = _post(client, f"/api/demands/{demand.number}/actions/reject_invalid",
                  {"version": demand.version, "reason": "重复"}, keys["dashboard"])
    assert stale.status_code == 403  # the dashboard key may only read
    stale = client.post(f"/api/demands/{demand.number}/actions/reject_invalid",
                        json.dumps({"version": 1, "reason": "重复来电"}), content_type="application/json",
                        HTTP_X_API_KEY=keys["hotline"])
    assert stale.status_code == 403  # not among the hotline key's actions either
    close = _post(client, url, {"version": 1}, keys["hotline"])
    assert close.status_code == 409 and close.json()["error"]["code"] == "version_conflict"
    missing = _post(client, url, {}, keys["hotline"])
    assert missing.status_code == 428 and missing.json()["error"]["code"] == "version_required"


def test_a_signed_in_dispatcher_uses_the_session_with_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("dispatcher1"))
    demand = bring_to(world, "pending_dispatch")
    url = f"/api/demands/{demand.number}/actions/dispatch"
    refused = client.post(url, json.dumps({"version": demand.version}), content_type="application/json")
    assert refused.status_code == 403
    client.get("/work/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    done = client.post(url, json.dumps({"version": demand.version}), content_type="application/json",
                       HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200 and done.json()["state"] == "dispatched" and done.json()["handling_unit"] == "cg"


def test_listing_pages_with_a_cursor_and_filters(client, world, keys):
    numbers = [bring_to(world, "registered").number for _ in range(5)]
    closed = bring_to(world, "closed").number
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "state": "registered", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/demands", params, HTTP_X_API_KEY=keys["hotline"]).json()
        seen += [d["number"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(numbers, reverse=True)
    everything = client.get("/api/demands", {"state": ["registered", "closed"], "limit": 200},
                            HTTP_X_API_KEY=keys["hotline"]).json()
    assert {d["number"] for d in everything["items"]} == {*numbers, closed}
    assert client.get("/api/demands", {"region": "g2"}, HTTP_X_API_KEY=keys["hotline"]).json()["items"] == []


@pytest.mark.parametrize("request_kwargs, status, code", [
    ({"path": "/api/demands", "body": {}}, 400, "invalid_input"),
    ({"path": "/api/demands", "body": "BODY", "latitude": 95}, 400, "invalid_input"),
    ({"path": "/api/demands", "body": "BODY", "region": "nowhere"}, 400, "invalid_input"),
    ({"path": "/api/demands", "body": "BODY", "category": "no.such"}, 400, "invalid_input"),
    ({"path": "/api/demands", "body": "BODY", "region": "g1\u0000"}, 400, "invalid_input"),
    ({"path": "/api/demands", "body": "BODY", "title": "\ud8c2井盖"}, 400, "invalid_input"),
    ({"path": "/api/demands", "body": "BODY", "description": "长" * 4001}, 400, "invalid_input"),
    ({"path": "/api/demands", "body": "BODY", "region": "g2", "key": "c2app"}, 201, None),
    ({"path": "/api/demands", "body": "BODY", "key": "c2app"}, 403, "out_of_scope"),
    ({"path": "/api/demands", "body": "BODY", "key": "nope"}, 401, "unauthenticated"),
    ({"path": "/api/demands?cursor=zzz", "method": "get"}, 400, "invalid_input"),
    ({"path": "/api/demands?limit=0", "method": "get"}, 400, "invalid_input"),
    ({"path": "/api/demands/2000/actions/fly", "body": {"version": 1}}, 400, "invalid_input"),
    ({"path": "/api/demands/200001010001", "method": "get"}, 404, "not_found"),
])
def test_bad_requests_get_one_error_format_and_create_nothing(client, world, keys, request_kwargs, status, code):
    kwargs = dict(request_kwargs)
    path, method = kwargs.pop("path"), kwargs.pop("method", "post")
    key = kwargs.pop("key", "hotline")
    key = keys.get(key, "ms_bad_key")
    body = kwargs.pop("body", None)
    if body == "BODY":
        body = _body(**kwargs)
    response = client.get(path, HTTP_X_API_KEY=key) if method == "get" else _post(client, path, body, key)
    assert response.status_code == status, response.content
    if code:
        error = response.json()["error"]
        assert error["code"] == code and error["message"]
        assert Demand.objects.count() == 0


def test_wrong_content_type_and_oversize_bodies_are_refused(client, world, keys, settings):
    response = client.post("/api/demands", "channel=hotline", content_type="application/x-www-form-urlencoded",
                           HTTP_X_API_KEY=keys["hotline"])
    assert response.status_code == 415
    settings.MINSHENG_API_MAX_BODY_BYTES = 1024
    response = _post(client, "/api/demands", _body(description="长" * 900), keys["hotline"])
    assert response.status_code == 413 and Demand.objects.count() == 0


def test_messages_follow_the_requested_language(client, world, keys):
    response = client.get("/api/demands/200001010001", HTTP_X_API_KEY=keys["hotline"], HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "The demand does not exist or is outside your jurisdiction."


def test_the_openapi_document_and_its_docs_page_are_served(client, world):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.") and "/api/demands/{number}/actions/{action}" in document["paths"]
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.content and b"cdn." not in page.content


@time_machine.travel("2026-11-23 10:00:45+08:00", tick=False)
def test_each_key_has_its_own_rate_limit_with_retry_after(client, world, keys):
    ApiKey.objects.filter(name="12345平台").update(rate_per_minute=2)
    statuses = [client.get("/api/demands", HTTP_X_API_KEY=keys["hotline"]).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.get("/api/demands", HTTP_X_API_KEY=keys["hotline"])
    assert limited["Retry-After"] == "15" and limited.json()["error"]["code"] == "too_many_attempts"
    assert client.get("/api/demands", HTTP_X_API_KEY=keys["dashboard"]).status_code == 200  # another key


def test_every_advertised_action_can_be_expressed_by_the_action_document(client, world):
    import inspect

    from minsheng.demands import services
    from minsheng.integrations.api.schemas import ActionIn

    document = client.get("/api/openapi.json").json()
    parameters = document["paths"]["/api/demands/{number}/actions/{action}"]["post"]["parameters"]
    advertised = next(p for p in parameters if p["name"] == "action")
    enum = advertised["schema"].get("enum") or document["components"]["schemas"]["ActionName"]["enum"]
    assert "verify" in enum and "register" not in enum and "external_update" not in enum
    for action in enum:
        required = [p.name for p in inspect.signature(services.SERVICE_FOR_ACTION[action]).parameters.values()
                    if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
        assert set(required) <= set(ActionIn.model_fields), action
