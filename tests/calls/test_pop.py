"""The screen pop: only the answering seat's operator sees the caller, and one click files a
demand that keeps the call."""

import pytest
from django.test import Client

from minsheng.calls import services
from minsheng.calls.models import CallRecord, Outcome
from minsheng.core.errors import ValidationFailed
from minsheng.demands.models import Demand
from minsheng.people.models import PersonalDataAccess

from ..demands.helpers import register
from .conftest import poll


def _client(world, name) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def _answer(post_event, call_id="p-1", caller="13900001111", ext="8001"):
    post_event(event="newCall", callId=call_id, user=ext, to="12345", **{"from": caller})
    post_event(event="answer", callId=call_id, user=ext)
    return CallRecord.objects.get(call_id=call_id)


def test_the_pop_reaches_only_the_seat_operator(world, post_event):
    operator, other = _client(world, "operator"), _client(world, "dispatcher")
    assert poll(operator).json() == {"call": None}
    call = _answer(post_event)
    assert poll(operator).json() == {"call": call.pk}
    assert poll(other).json() == {"call": None}  # seat 8002, nothing answered there
    assert other.get(f"/work/calls/{call.pk}/pop/").status_code == 404
    assert _client(world, "leader").get(f"/work/calls/{call.pk}/pop/").status_code == 404
    page = operator.get(f"/work/calls/{call.pk}/pop/")
    html = page.content.decode()
    assert page.status_code == 200 and "李秀英" in html and "139****1111" in html and "13900001111" not in html
    assert "独居" in html or "elderly" in html.lower() or 'badge vulnerable' in html
    assert PersonalDataAccess.objects.filter(viewer=world.users["operator"], resident__name="李秀英").exists()
    post_event(event="hangup", callId="p-1", duration="30")
    assert poll(operator).json() == {"call": None}


def test_the_staff_pages_carry_the_pop_only_for_an_account_with_a_seat(world, pbx):
    assert 'id="call-pop"' in _client(world, "operator").get("/work/").content.decode()
    assert 'id="call-pop"' not in _client(world, "leader").get("/work/").content.decode()


def test_the_pop_lists_open_demands_and_warns_of_a_repeat_caller(world, post_event, settings):
    settings.MINSHENG_CTI_REPEAT_CALLS = 2
    from minsheng.demands.services import ReporterInput
    demand = register(world, reporter=ReporterInput(name="李秀英", phone="13900001111"))
    for n in range(2):
        post_event(event="newCall", callId=f"old-{n}", **{"from": "13900001111"})
        post_event(event="hangup", callId=f"old-{n}")
    call = _answer(post_event)
    html = _client(world, "operator").get(f"/work/calls/{call.pk}/pop/").content.decode()
    assert demand.number in html and "重复来电" in html
    settings.MINSHENG_CTI_REPEAT_CALLS = 3
    assert "重复来电" not in _client(world, "operator").get(f"/work/calls/{call.pk}/pop/").content.decode()


def test_a_withheld_caller_pops_without_a_number(world, post_event):
    call = _answer(post_event, caller="anonymous")
    html = _client(world, "operator").get(f"/work/calls/{call.pk}/pop/").content.decode()
    assert "隐藏号码" in html and "李秀英" not in html


def test_one_click_files_a_demand_that_keeps_the_call(world, post_event):
    call = _answer(post_event, caller="13700001234")
    operator = _client(world, "operator")
    form = operator.get(f"/work/intake/?call={call.pk}")
    assert form.status_code == 200 and 'value="13700001234"' in form.content.decode()
    response = operator.post("/work/intake/", {
        "call": call.pk, "channel": "hotline", "demand_type": "complaint", "category": "construction.roads",
        "title": "井盖缺失", "description": "建设路与光明街交叉口的井盖丢失两天了。", "region": "g1",
        "address": "玫瑰城第一网格5号楼门口", "urgency": "general", "name": "张伟", "phone": "13700001234"})
    assert response.status_code == 302, response.content.decode()[:3000]
    demand = Demand.objects.get()
    post_event(event="hangup", callId="p-1", duration="140", recordingUrl="https://pbx.example/rec/p-1.wav")
    call.refresh_from_db()
    assert call.demand == demand and call.outcome == Outcome.DEMAND
    page = operator.get(f"/work/demands/{demand.pk}/").content.decode()
    assert "p-1" in page and "140" in page and "https://pbx.example/rec/p-1.wav" in page
    # The same call cannot file a second demand, nor can anyone else's intake use it.
    assert operator.get(f"/work/intake/?call={call.pk}").status_code == 302
    other = _answer(post_event, call_id="p-2")
    assert _client(world, "dispatcher").get(f"/work/intake/?call={other.pk}").status_code == 302


def test_a_revisit_call_is_linked_to_its_demand(world, post_event):
    demand = register(world)
    call = _answer(post_event, caller="13700001234")
    response = _client(world, "operator").post(f"/work/calls/{call.pk}/link/", {"demand": demand.pk})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.demand == demand and call.outcome == Outcome.FOLLOW_UP
    assert _client(world, "dispatcher").post(f"/work/calls/{call.pk}/link/", {"demand": demand.pk}
                                              ).status_code in (302, 404)
    call.refresh_from_db()
    assert call.outcome == Outcome.FOLLOW_UP


def test_a_call_without_demand_gets_an_outcome_from_its_operator_only(world, post_event):
    call = _answer(post_event)
    _client(world, "dispatcher").post(f"/work/calls/{call.pk}/outcome/", {"outcome": "consultation"})
    call.refresh_from_db()
    assert call.outcome == ""
    _client(world, "operator").post(f"/work/calls/{call.pk}/outcome/", {"outcome": "consultation"})
    call.refresh_from_db()
    assert call.outcome == Outcome.CONSULTATION
    with pytest.raises(ValidationFailed):
        services.set_outcome(world.user("operator"), call.pk, "abandoned")
