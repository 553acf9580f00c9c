"""Bulk actions on the queue: tick rows, choose an action open on all of them, confirm on a page
that lists exactly those demands, then each goes through the action's own service."""

import random
from datetime import timedelta

from django.urls import reverse

from minsheng.core import clock
from minsheng.demands.models import Demand, DemandEvent

from ..demands.helpers import bring_to


def _ticks(*demands, stale=()):
    return [f"{d.pk}:{d.version - (1 if d in stale else 0)}" for d in demands]


def test_confirmation_lists_exactly_the_ticked_demands_and_changes_nothing(login, world):
    demands = [bring_to(world, "pending_dispatch") for _ in range(random.randint(2, 4))]
    other = bring_to(world, "pending_dispatch")
    events = DemandEvent.objects.count()
    response = login("dispatcher1").post(reverse("web:bulk_action"), {"action": "dispatch",
                                                                       "demand": _ticks(*demands)})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="bulk-confirm"' in page
    assert all(d.number in page for d in demands) and other.number not in page
    assert page.count('name="demand"') == len(demands)
    assert DemandEvent.objects.count() == events  # nothing done before the confirmation


def test_confirmed_dispatch_takes_each_through_the_service_and_reports_each_refusal(login, world):
    a, b, stale = (bring_to(world, "pending_dispatch") for _ in range(3))
    client = login("dispatcher1")
    response = client.post(reverse("web:bulk_action"), {
        "action": "dispatch", "confirm": "1", "unit": world.units["cg"].pk,
        "demand": _ticks(a, b, stale, stale=(stale,))}, follow=True)
    text = response.content.decode()
    assert f"{stale.number} 未执行" in text and "已被他人更新" in text
    assert a.number in text and b.number in text
    assert set(Demand.objects.filter(state="dispatched").values_list("pk", flat=True)) == {a.pk, b.pk}
    for d in (a, b):  # one event per demand
        assert DemandEvent.objects.filter(demand=d, action="dispatch").count() == 1
    assert Demand.objects.get(pk=stale.pk).state == "pending_dispatch"


def test_an_action_not_open_on_every_ticked_demand_is_refused_whole(login, world):
    waiting = bring_to(world, "pending_dispatch")
    handled = bring_to(world, "in_progress")
    response = login("dispatcher1").post(reverse("web:bulk_action"), {
        "action": "dispatch", "confirm": "1", "unit": world.units["cg"].pk, "demand": _ticks(waiting, handled)})
    page = response.content.decode()
    assert response.status_code == 400 and 'id="bulk-not-open"' in page and handled.number in page
    assert 'id="bulk-confirm"' not in page
    assert Demand.objects.get(pk=waiting.pk).state == "pending_dispatch"


def test_a_demand_outside_the_users_scope_stops_the_batch(login, world):
    mine = bring_to(world, "pending_dispatch")
    theirs = bring_to(world, "registered", region="g2")  # 和平街道: dispatcher2's
    response = login("dispatcher1").post(reverse("web:bulk_action"), {
        "action": "dispatch", "confirm": "1", "demand": _ticks(mine, theirs)})
    assert response.status_code == 400 and theirs.number not in response.content.decode()
    assert not Demand.objects.filter(state="dispatched").exists()


def test_input_the_service_refuses_is_reported_per_demand_and_nothing_is_done(login, world):
    demands = [bring_to(world, "in_progress") for _ in range(2)]
    text = login("leader").post(reverse("web:bulk_action"), {
        "action": "order_supervision", "confirm": "1", "instruction": "请说明进展",
        "reply_by": "", "demand": _ticks(*demands)}, follow=True).content.decode()
    assert all(f"{d.number} 未执行" in text for d in demands)
    assert not DemandEvent.objects.filter(action="order_supervision").exists()
    due = (clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    login("leader").post(reverse("web:bulk_action"), {
        "action": "order_supervision", "confirm": "1", "instruction": "请说明进展", "reply_by": due,
        "demand": _ticks(*demands)})
    assert DemandEvent.objects.filter(action="order_supervision").count() == 2


def test_the_queue_offers_only_actions_open_to_this_user(login, world):
    bring_to(world, "dispatched")
    page = login("handler_cg").get(reverse("web:queue")).content.decode()
    assert 'id="bulk-action"' in page and '<option value="accept">' in page
    assert '<option value="dispatch">' not in page and 'data-actions="accept' in page
    bring_to(world, "pending_dispatch")
    page = login("dispatcher1").get(reverse("web:queue")).content.decode()
    assert '<option value="dispatch">' in page


def test_an_unknown_action_goes_back_to_the_queue(login, world):
    demand = bring_to(world, "pending_dispatch")
    response = login("dispatcher1").post(reverse("web:bulk_action"), {"action": "reject_invalid",
                                                                       "demand": _ticks(demand)})
    assert response.status_code == 302 and Demand.objects.get(pk=demand.pk).state == "pending_dispatch"
