"""回访: the revisit list, calls nobody answers, signed SMS/H5 links, unanswered after the
configured tries, and automatic closing by the system."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing

from minsheng.core.errors import InvalidTransition, NotFound
from minsheng.demands.models import Demand
from minsheng.demands.workflow import State
from minsheng.notifications.models import OutboxMessage
from minsheng.organisation.scope import SYSTEM_ROLE
from minsheng.supervision import revisits
from minsheng.supervision.sweeps import run_sweeps
from tests.demands.helpers import bring_to

CST = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 2, 9, tzinfo=CST)


def fresh(demand: Demand) -> Demand:
    return Demand.objects.get(pk=demand.pk)


def token_from_sms(demand: Demand) -> str:
    message = OutboxMessage.objects.filter(channel="sms", source__startswith=f"revisit:{demand.pk}:").latest("pk")
    assert message.address == "13700001234"
    return message.link.rstrip("/").rsplit("/", 1)[-1]


def test_unanswered_after_the_configured_tries_then_closed_by_the_system(world, settings):
    settings.MINSHENG_REVISIT_TRIES, settings.MINSHENG_AUTO_CLOSE_DAYS = 3, 7
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "resolved")
    # Read as of the days the operator works on it (the list keeps what lies in the revisit window).
    assert list(revisits.revisit_list(world.user("operator"), START).values_list("pk", "tries")) == [(demand.pk, 0)]
    with time_machine.travel(START + timedelta(days=1), tick=False):
        for step in (revisits.record_unanswered_call, revisits.send_revisit_link, revisits.record_unanswered_call):
            d = fresh(demand)
            step(world.user("operator"), d.pk, d.version)
        d = fresh(demand)
        with pytest.raises(InvalidTransition):
            revisits.record_unanswered_call(world.user("operator"), d.pk, d.version)
    attempts = [e.payload for e in d.events.filter(action="revisit_attempt").order_by("seq")]
    assert [(a["method"], a["unanswered"]) for a in attempts] == [("phone", False), ("sms", False), ("phone", True)]
    assert revisits.revisit_list(world.user("operator"), START + timedelta(days=1)).get().tries == 3

    with time_machine.travel(START + timedelta(days=6), tick=False):
        assert run_sweeps().closed == 0  # not yet 7 days after resolution
    with time_machine.travel(START + timedelta(days=7, minutes=1), tick=False):
        assert run_sweeps().closed == 1
    d = fresh(demand)
    event = d.events.order_by("-seq").first()
    assert d.state == State.CLOSED and "无人应答" in d.close_reason
    assert (event.action, event.actor_role) == ("close", SYSTEM_ROLE)


def test_a_dissatisfied_answer_through_the_sms_link_reopens_the_demand(world, client):
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "resolved")
        d = fresh(demand)
        revisits.send_revisit_link(world.user("operator"), d.pk, d.version)
    token = token_from_sms(demand)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        page = client.get(f"/revisit/{token}/")
        assert page.status_code == 200 and demand.number in page.content.decode()
        assert "13700001234" not in page.content.decode()
        response = client.post(f"/revisit/{token}/", {"satisfaction": "dissatisfied", "solved": "unsolved",
                                                         "comment": "井盖又松了"})
        assert response.status_code == 200
    d = fresh(demand)
    assert d.state == State.DISPATCHED and d.reopen_count == 1 and d.handling_unit == world.units["cg"]
    assert [e.action for e in d.events.order_by("seq")][-2:] == ["revisit", "reopen"]
    with time_machine.travel(START + timedelta(days=1), tick=False):
        with pytest.raises(NotFound):  # a used link is spent
            revisits.revisit_by_link(token, satisfaction="satisfied", solved="solved")
        assert client.get(f"/revisit/{token}/").status_code == 404


def test_a_satisfied_revisit_by_phone_closes_after_the_configured_days(world, settings):
    settings.MINSHENG_AUTO_CLOSE_DAYS = 3
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "revisited")
    with time_machine.travel(START + timedelta(days=3, minutes=1), tick=False):
        assert run_sweeps().closed == 1
    assert fresh(demand).state == State.CLOSED


def test_forged_or_expired_links_are_refused(world, settings):
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "resolved")
        token = revisits.revisit_link_token(demand)
    with pytest.raises(NotFound):
        revisits.demand_for_link(token[:-2] + "xx")
    with pytest.raises(NotFound):
        revisits.demand_for_link(signing.dumps([demand.pk, "2020-01-01"], salt="other"))
    with time_machine.travel(START + timedelta(days=settings.MINSHENG_REVISIT_LINK_DAYS + 1), tick=False), \
            pytest.raises(NotFound):
        revisits.demand_for_link(token)


def test_the_system_texts_the_rating_link_once_when_nobody_tried(world, settings):
    settings.MINSHENG_REVISIT_SMS_AFTER_HOURS = 24
    with time_machine.travel(START, tick=False):
        demand = bring_to(world, "resolved")
    with time_machine.travel(START + timedelta(hours=23), tick=False):
        assert run_sweeps().revisit_links == 0
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        assert run_sweeps().revisit_links == 1
        assert run_sweeps().revisit_links == 0
    attempt = fresh(demand).events.get(action="revisit_attempt")
    assert (attempt.actor_role, attempt.payload["method"]) == (SYSTEM_ROLE, "sms")
    assert token_from_sms(demand)
