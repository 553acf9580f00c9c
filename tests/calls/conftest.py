import json

import pytest

from minsheng.calls.models import Seat
from minsheng.calls.services import create_phone_system


@pytest.fixture
def pbx(world):
    """A phone system with seat 8001 for the world's operator and 8002 for the dispatcher."""
    system, token = create_phone_system(name="区12345交换机")
    Seat.objects.create(phone_system=system, extension="8001", operator=world.users["operator"])
    Seat.objects.create(phone_system=system, extension="8002", operator=world.users["dispatcher"])
    system.token = token
    return system


@pytest.fixture
def post_event(client, pbx):
    """``post_event(event="newCall", callId=…, …)`` → the response, form-encoded by default."""

    def post(as_json=False, token=None, address="127.0.0.1", **fields):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token or pbx.token}", "REMOTE_ADDR": address}
        if as_json:
            return client.post("/api/cti/events", json.dumps(fields), content_type="application/json", **headers)
        return client.post("/api/cti/events", fields, **headers)

    return post


def poll(client, version: str | None = None, token: str | None = None):
    """The workbench's poll as its page's script sends it: the page's token (``calls.poll``) and
    the answer's version it last had."""
    from minsheng.calls.poll import token_for

    if token is None:  # the page's token: made once per client, as a page holds one
        if getattr(client, "poll_token", None) is None:
            session = client.session
            client.poll_token = token_for(int(session["_auth_user_id"]), session.session_key)
        token = client.poll_token
    headers = {"HTTP_X_CALL_POLL": token}
    if version:
        headers["HTTP_IF_NONE_MATCH"] = version
    return client.get("/work/calls/live/", **headers)
