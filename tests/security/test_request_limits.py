"""Malformed request metadata is a clear 400, never a server error (issue #24, item 6)."""

import json


def test_a_non_numeric_content_length_on_the_json_api_is_400(client, world, keys):
    body = json.dumps({"title": "x"})
    answer = client.post("/api/demands", body, content_type="application/json",
                         HTTP_X_API_KEY=keys["hotline"], CONTENT_LENGTH="abc")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_input"


def test_a_non_numeric_content_length_on_open311_is_400(client, world, keys):
    answer = client.post("/open311/v2/requests.json", {"api_key": keys["hotline"], "service_code": "x"},
                         CONTENT_LENGTH="abc")
    assert answer.status_code == 400
