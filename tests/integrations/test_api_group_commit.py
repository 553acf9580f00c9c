"""POST /api/demands through the group commit (demands.registrar) and the process's copies of
keys, grants and the catalogue (core.versioned): the same answers as before, and a change an
administrator saves counts from the next request."""

import re

import pytest

from minsheng.catalogue.models import Category
from minsheng.demands.models import Demand
from minsheng.integrations.models import ApiKey, IdempotencyRecord
from minsheng.organisation.models import Membership, Region

from .test_api import _body, _post

MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00")


def _shape(document: dict) -> dict:
    """The document with its moments, number and version reduced to their form."""
    return {k: ("<moment>" if isinstance(v, str) and MOMENT.fullmatch(v) else v)
            for k, v in document.items() if k not in ("number",)}


@pytest.mark.parametrize("group_commit", [True, False])
def test_the_answer_is_the_same_with_or_without_a_key_and_the_group_commit(client, world, keys, settings,
                                                                          group_commit):
    settings.MINSHENG_GROUP_COMMIT = group_commit
    plain = _post(client, "/api/demands", _body(), keys["hotline"])
    remembered = _post(client, "/api/demands", _body(), keys["hotline"], HTTP_IDEMPOTENCY_KEY="call-1")
    replayed = _post(client, "/api/demands", _body(), keys["hotline"], HTTP_IDEMPOTENCY_KEY="call-1")
    assert plain.status_code == remembered.status_code == replayed.status_code == 201
    assert plain["ETag"] == remembered["ETag"] == replayed["ETag"] == '"1"'
    assert _shape(plain.json()) == _shape(remembered.json())
    assert replayed.json() == remembered.json() and replayed["Idempotent-Replayed"] == "true"
    assert len(plain.json()["registered_at"]) == len(remembered.json()["registered_at"])  # to the millisecond
    record = IdempotencyRecord.objects.get()
    assert record.demand.number == remembered.json()["number"] and _shape(record.body) == _shape(remembered.json())
    assert Demand.objects.count() == 2


def test_a_bad_demand_is_refused_to_its_sender_and_nothing_is_written(client, world, keys):
    refused = _post(client, "/api/demands", _body(title="", latitude=40.0), keys["hotline"])
    assert refused.status_code == 400 and set(refused.json()["error"]["fields"]) == {"title"}
    bad_phone = _post(client, "/api/demands", _body(reporter={"name": "张伟", "phone": "12"}), keys["hotline"])
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()["error"]["fields"]
    assert not Demand.objects.exists()


def test_a_deactivated_key_is_refused_at_its_next_request(client, world, keys):
    assert _post(client, "/api/demands", _body(), keys["hotline"]).status_code == 201
    key = ApiKey.objects.get(name="12345平台")
    key.active = False
    key.save()
    assert _post(client, "/api/demands", _body(), keys["hotline"]).status_code == 401
    key.active = True
    key.actions = ["read"]
    key.save()
    assert _post(client, "/api/demands", _body(), keys["hotline"]).status_code == 403


def test_a_lost_role_and_a_retired_category_count_at_the_next_request(client, world, keys):
    assert _post(client, "/api/demands", _body(), keys["hotline"]).status_code == 201
    category = Category.objects.get(code="construction.roads")
    category.active = False
    category.save()
    retired = _post(client, "/api/demands", _body(), keys["hotline"])
    assert retired.status_code == 400 and "category" in retired.json()["error"]["fields"]
    category.active = True
    category.save()
    Membership.objects.filter(user=world.user("operator")).delete()
    assert _post(client, "/api/demands", _body(), keys["hotline"]).status_code == 403


def test_a_renamed_region_is_answered_with_its_new_name(client, world, keys):
    assert _post(client, "/api/demands", _body(), keys["hotline"]).json()["region_name"] != "第一网格（新）"
    region = Region.objects.get(code="g1")
    region.name = "第一网格（新）"
    region.save()
    created = _post(client, "/api/demands", _body(), keys["hotline"])
    assert created.status_code == 201 and created.json()["region_name"] == "第一网格（新）"


def test_a_login_keeps_the_copies_and_a_deactivated_account_is_refused_at_its_next_request(client, world, keys):
    from django.contrib.auth.signals import user_logged_in
    from django.test import RequestFactory

    from minsheng.core import versioned

    assert _post(client, "/api/demands", _body(), keys["hotline"]).status_code == 201
    before = versioned.version()
    operator = world.user("operator")
    # A request, as every sign-in has one (django-axes records the sign-in from it).
    user_logged_in.send(sender=type(operator), request=RequestFactory().get("/"), user=operator)  # writes last_login
    operator.refresh_from_db()
    assert operator.last_login is not None
    assert versioned.version() == before  # no process reloads its keys, grants and catalogue for a login
    operator.is_active = False
    operator.save()
    assert versioned.version() != before
    assert _post(client, "/api/demands", _body(), keys["hotline"]).status_code == 401
