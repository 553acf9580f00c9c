"""The phone system's call events: any order, duplicates, unknown seats, bad input, tokens."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.calls.models import CallRecord, Outcome
from minsheng.calls.services import create_phone_system

T0 = timezone.make_aware(timezone.datetime(2026, 12, 1, 9, 0, 0))


def _events(call_id="c-1", answer=True, ext="8001"):
    events = [dict(event="newCall", callId=call_id, to="12345", user=ext, timestamp=T0.isoformat(),
                   **{"from": "13900001111"})]
    if answer:
        events.append(dict(event="answer", callId=call_id, user=ext,
                           timestamp=(T0 + timedelta(seconds=12)).isoformat()))
    events.append(dict(event="hangup", callId=call_id, cause="normalClearing", duration="95" if answer else "0",
                       recordingUrl="https://pbx.example/rec/c-1.wav",
                       timestamp=(T0 + timedelta(seconds=107)).isoformat()))
    return events


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_every_order_of_the_three_events_gives_the_same_record(post_event, order):
    events = _events()
    for i in order:
        response = post_event(**events[i])
        assert response.status_code == 200, response.content
        assert response.json()["duplicate"] is False
    call = CallRecord.objects.get()
    assert (call.offered_at, call.answered_at, call.ended_at) == (T0, T0 + timedelta(seconds=12),
                                                                  T0 + timedelta(seconds=107))
    assert call.caller == "13900001111" and call.called == "12345" and call.seat.extension == "8001"
    assert call.duration == 95 and call.recording_url.endswith("c-1.wav") and call.outcome == ""
    assert call.wait_seconds == 12 and call.handling_seconds == 95


def test_a_repeated_event_is_taken_once_and_said_so(post_event):
    first, answer, hangup = _events()
    post_event(**first)
    post_event(**answer)
    again = post_event(**dict(answer, timestamp=(T0 + timedelta(seconds=50)).isoformat()))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert CallRecord.objects.get().answered_at == T0 + timedelta(seconds=12)  # the first answer stands
    post_event(as_json=True, **hangup)
    assert post_event(as_json=True, **hangup).json()["duplicate"] is True
    assert CallRecord.objects.count() == 1


def test_a_hangup_without_answer_is_abandoned_and_a_late_answer_undoes_it(post_event):
    first, answer, hangup = _events()
    post_event(**first)
    post_event(**hangup)
    assert CallRecord.objects.get().outcome == Outcome.ABANDONED
    post_event(**answer)
    assert CallRecord.objects.get().outcome == ""


def test_an_unknown_seat_is_stored_and_reported(post_event):
    response = post_event(**_events(ext="9999")[0])
    assert response.status_code == 200
    body = response.json()
    assert body["warnings"] == ["unknown_seat"] and "9999" in body["message"]
    call = CallRecord.objects.get()
    assert call.extension == "9999" and call.seat is None


@pytest.mark.parametrize("caller", ["anonymous", "withheld", "", "Unknown"])
def test_a_withheld_number_is_kept_as_withheld(post_event, caller):
    post_event(event="newCall", callId="w-1", user="8001", **{"from": caller})
    call = CallRecord.objects.get()
    assert call.caller_withheld and call.caller == ""


def test_an_answer_without_a_number_does_not_make_the_caller_withheld(post_event):
    post_event(event="answer", callId="a-1", user="8001")
    post_event(event="newCall", callId="a-1", user="8001", **{"from": "010-6512 3456"})
    call = CallRecord.objects.get()
    assert not call.caller_withheld and call.caller == "01065123456"


@pytest.mark.parametrize("fields, bad", [
    ({"event": "ring", "callId": "x"}, "event"),
    ({"event": "newCall"}, "callId"),
    ({"event": "newCall", "callId": "x" * 101}, "callId"),
    ({"event": "hangup", "callId": "x", "duration": "-3"}, "duration"),
    ({"event": "hangup", "callId": "x", "duration": "abc"}, "duration"),
    ({"event": "hangup", "callId": "x", "recordingUrl": "javascript:alert(1)"}, "recordingUrl"),
    ({"event": "newCall", "callId": "x", "timestamp": "yesterday"}, "timestamp"),
    ({"event": "newCall", "callId": "x", "timestamp": "2026-12-01T09:00:00"}, "timestamp"),
    ({"event": "newCall", "callId": "x", "from": "abc"}, "from"),
])
def test_bad_input_is_a_clear_400_naming_the_field(post_event, fields, bad):
    response = post_event(**fields)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and bad in body["fields"] and body["fields"][bad][0]
    assert not CallRecord.objects.exists()


def test_a_body_that_is_no_json_object_is_400(client, pbx):
    for body in ("{", "[1]"):
        response = client.post("/api/cti/events", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {pbx.token}")
        assert response.status_code == 400 and response.json()["error"] == "invalid_json"


def test_token_address_and_method_are_checked(client, post_event, pbx):
    event = _events()[0]
    assert post_event(token="cti_nope_nope", **event).status_code == 403
    assert post_event(token=pbx.token[:-1] + "x", **event).status_code == 403
    assert client.post("/api/cti/events", event).status_code == 403  # no token
    refused = post_event(address="10.1.2.3", **event)
    assert refused.status_code == 403 and "10.1.2.3" in refused.json()["message"]
    assert client.get("/api/cti/events").status_code == 405
    pbx.allowed_addresses = ["10.1.2.0/24"]
    pbx.save()
    assert post_event(address="10.1.2.3", **event).status_code == 200
    pbx.active = False
    pbx.save()
    assert post_event(address="10.1.2.3", **_events("c-2")[0]).status_code == 403


def test_the_same_call_id_of_two_phone_systems_is_two_calls(client, post_event, pbx):
    _other, token = create_phone_system(name="备用交换机")
    post_event(**_events()[0])
    post_event(token=token, **_events()[0])
    assert CallRecord.objects.count() == 2
