"""首问负责 (issue #32 item 1): the first unit to take a demand in keeps sight of it and hears of
each turn until it is closed."""

import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from minsheng.core.errors import MinshengError
from minsheng.demands import selectors
from minsheng.demands.models import Demand
from minsheng.notifications.models import OutboxMessage
from minsheng.organisation.scope import may_see

from .helpers import _do, register


def told(world, name: str, demand) -> list[str]:
    return list(OutboxMessage.objects.filter(channel="in_app", recipient=world.users[name],
                                             link__endswith=f"/{demand.pk}/", key="demand.first_received")
                .order_by("pk").values_list("key", flat=True))


def test_the_staff_member_who_registers_is_the_first_receiver(world):
    demand = register(world, actor="operator")
    assert (demand.first_receiver_unit, demand.first_receiver) == (world.units["centre"], world.users["operator"])
    demand = _do(world, "staff1", demand, "verify")
    assert demand.first_receiver_unit == world.units["centre"]  # the first stays the first


def test_a_residents_own_report_is_first_received_by_the_first_staff_who_acts_and_they_hear_of_it(world):
    demand = register(world, actor=None, channel="web", consent=True)
    assert demand.first_receiver_unit_id is None
    demand = _do(world, "staff1", demand, "verify")
    assert (demand.first_receiver_unit, demand.first_receiver) == (world.units["cc1"], world.users["staff1"])
    assert told(world, "staff1", demand) == []  # its own step is not echoed back
    demand = _do(world, "dispatcher1", demand, "dispatch")
    assert told(world, "staff1", demand) == ["demand.first_received"]
    demand = _do(world, "handler_cg", demand, "accept")  # not a turn worth a message
    demand = _do(world, "handler_cg", demand, "resolve", result="已修复")
    assert told(world, "staff1", demand) == ["demand.first_received"] * 2
    message = OutboxMessage.objects.filter(recipient=world.users["staff1"], key="demand.first_received").last()
    assert demand.number in message.subject and "已办结" in message.subject


def test_the_first_receiving_unit_keeps_sight_but_not_the_handling(world):
    demand = register(world, actor="operator")
    demand = _do(world, "staff1", demand, "verify")
    demand = _do(world, "dispatcher1", demand, "dispatch", unit=world.units["zj"])
    cg = world.user("handler_cg")
    assert not may_see(cg, demand)
    # As if the 城管局 had taken the demand in first (its handlers do not register demands here).
    Demand.objects.filter(pk=demand.pk).update(first_receiver_unit=world.units["cg"], first_receiver=cg)
    demand.refresh_from_db()
    assert may_see(cg, demand) and selectors.demands_visible_to(cg).filter(pk=demand.pk).exists()
    assert not may_see(world.user("staff2"), demand)  # nobody else gains anything
    with pytest.raises(MinshengError):  # sight, not the handling
        _do(world, "handler_cg", demand, "accept")
    demand = _do(world, "handler_zj", demand, "accept")
    demand = _do(world, "handler_zj", demand, "resolve", result="已修复")
    assert told(world, "handler_cg", demand) == ["demand.first_received"]


def test_the_projection_and_the_backfill_agree(world):
    demands = [register(world, actor=None, channel="web", consent=True), register(world, actor="agent"),
               register(world, actor="operator")]
    _do(world, "staff1", demands[0], "verify")
    out = StringIO()
    call_command("verify_events", stdout=out)
    assert "mismatches=0" in out.getvalue(), out.getvalue()
    expected = {d.pk: (d.first_receiver_unit_id, d.first_receiver_id) for d in Demand.objects.all()}
    Demand.objects.update(first_receiver_unit=None, first_receiver=None)
    migration = importlib.import_module("minsheng.demands.migrations.0011_first_receiver")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    from django.apps import apps
    migration.first_receivers_from_events(apps, editor)
    assert {d.pk: (d.first_receiver_unit_id, d.first_receiver_id) for d in Demand.objects.all()} == expected
    assert expected[demands[0].pk] == (world.units["cc1"].pk, world.users["staff1"].pk)
    assert expected[demands[1].pk] == (world.units["st1"].pk, world.users["agent"].pk)


def test_the_demand_page_names_the_first_receiver(world, client):
    demand = register(world, actor="agent")
    client.force_login(world.users["staff1"])
    html = client.get(f"/work/demands/{demand.pk}/").content.decode()
    assert "首问单位" in html and "玫瑰城5号楼代办站" in html


def test_the_list_filters_what_my_unit_received_first(world, client):
    mine = register(world, actor="agent")
    register(world, actor="operator")
    client.force_login(world.users["staff1"])  # 玫瑰城社区: sees both, received neither
    assert "本单位首问" in client.get("/work/demands/").content.decode()
    page = client.get("/work/demands/?first_received=1").content.decode()
    assert mine.number not in page
    client.force_login(world.users["agent"])
    page = client.get("/work/demands/?first_received=1").content.decode()
    assert mine.number in page and page.count("/work/demands/") >= 1
    others = Demand.objects.exclude(pk=mine.pk).values_list("number", flat=True)
    assert not any(number in page for number in others)
