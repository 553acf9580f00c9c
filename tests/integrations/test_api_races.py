"""Clients racing each other through the API: retries of one create, two actions on one version."""

import json
from functools import partial

import pytest
from django.test import Client

from minsheng.demands.models import Demand

from ..demands.helpers import bring_to
from ..races import postgres_only, race

# On SQLite, bench/crash_api.py races real server processes on a database file instead.
pytestmark = postgres_only


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_idempotency_key_make_one_demand(default_catalogue, world, keys):
    body = json.dumps({"channel": "hotline", "demand_type": "complaint", "category": "construction.roads",
                       "title": "建设路井盖缺失", "description": "井盖丢失两天了。", "region": "g1"})

    def send(i):
        response = Client().post("/api/demands", body, content_type="application/json",
                                 HTTP_X_API_KEY=keys["hotline"], HTTP_IDEMPOTENCY_KEY="12345-call-20261123-0042")
        return response.status_code, response.json().get("number")

    results = race(*(partial(send, i) for i in range(6)), timeout=60)
    assert [status for status, _ in results] == [201] * 6, results
    assert len({number for _, number in results}) == 1
    assert Demand.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_actions_on_one_version_one_applies_and_one_is_409(default_catalogue, world, keys):
    demand = bring_to(world, "registered")
    actions = [("verify", {}), ("resolve_on_spot", {"result": "电话中已解答"})]

    def send(i):
        action, fields = actions[i]
        response = Client().post(f"/api/demands/{demand.number}/actions/{action}",
                                 json.dumps({"version": demand.version, **fields}), content_type="application/json",
                                 HTTP_X_API_KEY=keys["operator_all"])
        return response.status_code

    assert sorted(race(partial(send, 0), partial(send, 1), timeout=60)) == [200, 409]
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.version == demand.version + 1 and stored.events.count() == demand.version + 1
