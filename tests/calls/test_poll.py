"""The workbench's poll (calls.poll): cheap when nothing changed, and still only the signed-in
operator's — a forged or foreign token, an ended or idle session get nothing, and a poll does
not keep an idle session alive."""

import random
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client

from minsheng.calls.models import CallRecord, Seat
from minsheng.calls.poll import _digest, token_for
from minsheng.core.middleware import IdleTimeoutMiddleware

from .conftest import poll


def _signed_in(world, name) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def _answer(post_event, call_id: str, ext: str) -> CallRecord:
    post_event(event="newCall", callId=call_id, user=ext, to="12345", **{"from": "13900001111"})
    post_event(event="answer", callId=call_id, user=ext)
    return CallRecord.objects.get(call_id=call_id)


def test_an_unchanged_poll_is_a_bodiless_304_in_two_queries(world, pbx, post_event, django_assert_num_queries):
    operator = _signed_in(world, "operator")
    first = poll(operator)
    assert first.status_code == 200 and first.json() == {"call": None}
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    session_before = Session.objects.get(session_key=operator.session.session_key).session_data
    # The session's row and the account with its line: nothing else, and nothing written.
    with django_assert_num_queries(2):
        unchanged = poll(operator, first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == first["ETag"]
    assert not unchanged.cookies and "Content-Security-Policy" not in unchanged
    assert Session.objects.get(session_key=operator.session.session_key).session_data == session_before
    call = _answer(post_event, "u-1", "8001")
    with django_assert_num_queries(2):
        changed = poll(operator, first["ETag"])
    assert changed.status_code == 200 and changed.json() == {"call": call.pk} and changed["ETag"] != first["ETag"]
    assert poll(operator, changed["ETag"]).status_code == 304
    post_event(event="hangup", callId="u-1", duration="20")
    ended = poll(operator, changed["ETag"])
    assert ended.status_code == 200 and ended.json() == {"call": None} and ended["ETag"] == first["ETag"]


@pytest.mark.parametrize("seed", [random.randrange(10 ** 6) for _ in range(2)])
def test_a_new_call_reaches_its_seat_operator_only(world, pbx, post_event, seed):
    rng = random.Random(seed)
    clients = {"8001": _signed_in(world, "operator"), "8002": _signed_in(world, "dispatcher")}
    leader = _signed_in(world, "leader")  # no seat
    versions = {ext: poll(c)["ETag"] for ext, c in clients.items()}
    ext = rng.choice(sorted(clients))
    call = _answer(post_event, f"n-{seed}", ext)
    for other, client in clients.items():
        answer = poll(client, versions[other])
        if other == ext:
            assert answer.status_code == 200 and answer.json() == {"call": call.pk}, seed
        else:  # nothing new there: not even a body
            assert answer.status_code == 304 and answer.content == b"", seed
    assert poll(leader).json() == {"call": None}
    # The answer's version names the call, but knowing it opens nothing: another operator
    # sending it gets their own (empty) line, and the card stays the seat operator's alone.
    other = clients["8002" if ext == "8001" else "8001"]
    assert poll(other, f'"call-{call.pk}"').json() == {"call": None}
    assert other.get(f"/work/calls/{call.pk}/pop/").status_code == 404


def test_the_page_carries_its_poll_token_only_for_an_account_with_a_seat(world, pbx):
    operator = _signed_in(world, "operator")
    page = operator.get("/work/").content.decode()
    token = re.search(r'data-poll-token="([^"]+)"', page)[1]
    assert poll(operator, token=token).status_code == 200
    assert "data-poll-token" not in _signed_in(world, "leader").get("/work/").content.decode()


def test_a_forged_or_foreign_token_gets_nothing(world, pbx, post_event):
    operator, dispatcher = _signed_in(world, "operator"), _signed_in(world, "dispatcher")
    _answer(post_event, "f-1", "8001")
    own = operator.session
    forged = [
        "",  # none
        "garbage",
        token_for(world.users["operator"].pk, own.session_key)[:-2] + "xx",  # a tampered signature
        token_for(world.users["operator"].pk, dispatcher.session.session_key),  # another session's
        token_for(world.users["dispatcher"].pk, own.session_key),  # the session's, another account
    ]
    for token in forged:
        answer = poll(operator, token=token)
        assert answer.status_code in (401, 403) and answer.json() == {"call": None}, token
    # The operator's own token without their session cookie (copied off the page) opens nothing.
    assert poll(Client(), token=token_for(world.users["operator"].pk, own.session_key)).status_code == 403
    other_key = signing.Signer(key="not the site's key", salt="minsheng.calls.poll")
    assert poll(operator, token=other_key.sign(f"{world.users['operator'].pk}.{_digest(own.session_key)}")
                ).status_code == 403


def test_an_ended_session_gets_nothing(world, pbx, post_event):
    _answer(post_event, "e-1", "8001")
    signed_out = _signed_in(world, "operator")
    session = signed_out.session
    token = token_for(world.users["operator"].pk, session.session_key)
    Session.objects.filter(session_key=session.session_key).delete()  # signed out on another tab, or expired
    assert poll(signed_out, token=token).status_code == 401
    changed = _signed_in(world, "operator")
    user = world.users["operator"]
    user.set_password("a new password 9d!")
    user.save()  # a changed password ends the account's other sessions
    assert poll(changed).status_code == 401
    deactivated = _signed_in(world, "dispatcher")
    type(user).objects.filter(pk=world.users["dispatcher"].pk).update(is_active=False)
    assert poll(deactivated).status_code == 401


def test_a_poll_is_not_activity_and_an_idle_session_is_refused(world, pbx, post_event, settings):
    settings.MINSHENG_SESSION_IDLE_MINUTES = 30
    operator = _signed_in(world, "operator")
    _answer(post_event, "i-1", "8001")
    session = operator.session
    two_minutes_ago = int(time.time()) - 120
    session[IdleTimeoutMiddleware.KEY] = two_minutes_ago
    session.save()
    for _ in range(3):
        assert poll(operator).status_code == 200
    # A page's request would have written the moment (once a minute); the polls did not.
    assert operator.session[IdleTimeoutMiddleware.KEY] == two_minutes_ago
    session = operator.session
    session[IdleTimeoutMiddleware.KEY] = int(time.time()) - 31 * 60
    session.save()
    idle = poll(operator)
    assert idle.status_code == 401 and idle.json() == {"call": None}
    assert SESSION_KEY in operator.session  # the poll signs no one out, nor keeps them in ...
    page = operator.get("/work/")  # ... the page's reload does, as the idle sign-out always has
    assert page.status_code == 302 and "/login/" in page["Location"]
    assert SESSION_KEY not in operator.session


def test_a_seat_handed_over_or_closed_answers_its_new_operator_from_the_next_poll(world, pbx, post_event):
    operator, dispatcher = _signed_in(world, "operator"), _signed_in(world, "dispatcher")
    call = _answer(post_event, "s-1", "8001")
    assert poll(operator).json() == {"call": call.pk}
    # Handed over as another worker process would: a bare UPDATE, of which this process hears nothing.
    Seat.objects.filter(pk=call.seat_id).update(operator=world.users["dispatcher"])
    assert poll(operator).json() == {"call": None}
    assert poll(dispatcher).json() == {"call": call.pk}
    Seat.objects.filter(pk=call.seat_id).update(active=False)
    assert poll(dispatcher).json() == {"call": None}


def test_a_poll_must_be_a_get(world, pbx):
    operator = _signed_in(world, "operator")
    session = operator.session
    response = operator.post("/work/calls/live/",
                             HTTP_X_CALL_POLL=token_for(world.users["operator"].pk, session.session_key))
    assert response.status_code == 405 and response["Allow"] == "GET"


def test_a_page_before_the_second_factor_carries_no_poll_token(world, pbx, settings):
    from minsheng.organisation.scope import roles_of

    operator = _signed_in(world, "operator")
    settings.MINSHENG_2FA_ROLES = frozenset(roles_of(world.users["operator"]))
    page = operator.get("/2fa/")  # the second factor owed: its page is the only one open
    assert page.status_code == 200 and 'data-poll-token=""' in page.content.decode()
    settings.MINSHENG_2FA_ROLES = frozenset()
    assert re.search(r'data-poll-token="[^"]+"', operator.get("/work/").content.decode())
