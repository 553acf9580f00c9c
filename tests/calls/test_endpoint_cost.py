"""What keeps a call event cheap: one statement per event, the per-process seat map kept right
when a seat changes, and the phone system's posts past the pages' middleware with what they
still need (host check, language, request id, metrics)."""

import random

import pytest
from django.test import Client

from minsheng.calls.models import CallRecord, Seat
from minsheng.ops.metrics import REQUESTS

from .conftest import poll


def test_an_event_is_one_statement_besides_the_configuration_number(post_event, django_assert_max_num_queries):
    post_event(event="newCall", callId="warm", user="8001", **{"from": "13900001111"})  # the seat map is loaded
    for kind, extra in (("newCall", {"from": "13900002222", "to": "12345"}), ("answer", {}),
                        ("hangup", {"duration": "40", "cause": "normalClearing"})):
        # The configuration number, then the upsert (SQLite: inside its writers' queue, here a savepoint).
        with django_assert_max_num_queries(4) as queries:
            assert post_event(event=kind, callId="q-1", user="8001", **extra).status_code == 200
        assert sum("ON CONFLICT" in q["sql"] for q in queries.captured_queries) == 1
    call = CallRecord.objects.get(call_id="q-1")
    assert call.answered and call.ended_at and call.duration == 40 and call.seat.extension == "8001"


def test_a_remapped_seat_pops_at_its_new_operator_from_the_next_event(world, pbx, post_event):
    post_event(event="answer", callId="r-1", user="8003")  # no seat 8003 yet: kept as unknown
    assert CallRecord.objects.get(call_id="r-1").seat is None
    seat = Seat.objects.create(phone_system=pbx, extension="8003", operator=world.users["operator"])
    post_event(event="answer", callId="r-2", user="8003")
    assert CallRecord.objects.get(call_id="r-2").seat == seat
    seat.operator = world.users["dispatcher"]
    seat.save()
    seat.active = False
    seat.save()
    response = post_event(event="answer", callId="r-3", user="8003")
    assert response.json()["warnings"] == ["unknown_seat"]
    assert CallRecord.objects.get(call_id="r-3").seat is None


def test_the_address_list_is_asked_afresh_when_it_changes(pbx, post_event):
    event = dict(event="newCall", callId="a-1", user="8001")
    assert post_event(address="10.9.8.7", **event).status_code == 403
    pbx.allowed_addresses = ["10.9.8.0/24"]
    pbx.save()
    assert post_event(address="10.9.8.7", **event).status_code == 200
    assert post_event(address="127.0.0.1", **dict(event, callId="a-2")).status_code == 403
    assert post_event(address="not-an-address", **dict(event, callId="a-3")).status_code == 403


def test_the_machine_post_keeps_host_check_language_request_id_and_metrics(pbx, settings):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {pbx.token}"}
    before = REQUESTS.labels("cti_events", "POST", "2xx")._value.get()
    ok = client.post("/api/cti/events", {"event": "newCall", "callId": "m-1", "user": "8001"}, **headers)
    assert ok.status_code == 200 and ok["X-Request-ID"]
    assert REQUESTS.labels("cti_events", "POST", "2xx")._value.get() == before + 1
    # The pages' middleware is not walked: none of its HTML headers or cookies on a machine answer.
    assert "Content-Security-Policy" not in ok and "X-Frame-Options" not in ok and not ok.cookies
    english = client.post("/api/cti/events", {"event": "ring", "callId": "m-2"}, HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert english.status_code == 400 and "newCall" in english.json()["fields"]["event"][0]
    assert english.json()["message"] != client.post("/api/cti/events", {"event": "ring", "callId": "m-2"},
                                                    **headers).json()["message"]
    assert client.post("/api/cti/events", {"event": "newCall", "callId": "m-3"}, HTTP_HOST="evil.example",
                       **headers).status_code == 400
    assert not CallRecord.objects.filter(call_id="m-3").exists()


@pytest.mark.parametrize("seed", [random.randrange(10 ** 6) for _ in range(3)])
def test_random_interleavings_with_repeats_end_in_the_same_records(post_event, seed):
    """Several calls' events shuffled together, some sent twice: each call ends as its events say."""
    rng = random.Random(seed)
    calls = {f"x-{n}": rng.random() < 0.7 for n in range(6)}  # answered or abandoned
    events = []
    for call_id, answered in calls.items():
        events.append(dict(event="newCall", callId=call_id, user="8001", to="12345", **{"from": "13900003333"}))
        if answered:
            events.append(dict(event="answer", callId=call_id, user="8002"))
        events.append(dict(event="hangup", callId=call_id, duration="30" if answered else "0"))
    events += rng.sample(events, 4)
    rng.shuffle(events)
    for event in events:
        assert post_event(as_json=rng.random() < 0.5, **event).status_code == 200
    for call_id, answered in calls.items():
        call = CallRecord.objects.get(call_id=call_id)
        assert call.caller == "13900003333" and call.called == "12345" and call.ended_at is not None, seed
        assert (call.seat.extension, call.outcome) == (("8002", "") if answered else ("8001", "abandoned")), seed


def test_the_poll_follows_a_seat_handed_to_another_operator(world, pbx, post_event):
    operator, dispatcher = Client(), Client()
    operator.force_login(world.users["operator"])
    dispatcher.force_login(world.users["dispatcher"])
    post_event(event="answer", callId="h-1", user="8001")
    call = CallRecord.objects.get(call_id="h-1")
    assert poll(operator).json() == {"call": call.pk}
    seat = Seat.objects.get(phone_system=pbx, extension="8001")
    seat.operator = world.users["dispatcher"]
    seat.save()
    assert poll(operator).json() == {"call": None}
    assert poll(dispatcher).json() == {"call": call.pk}
