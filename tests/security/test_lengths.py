"""Every text is checked against its column on every entry point: Open311, the JSON API, forms
(issue #24, item 4)."""

import json

import pytest
from django.urls import reverse

from minsheng.core.errors import ValidationFailed
from minsheng.demands.models import Demand
from minsheng.people.models import Resident


def _open311(client, keys, **fields):
    data = {"api_key": keys["hotline"], "service_code": "construction.roads", "lat": "39.905", "long": "116.405",
            "description": "建设路井盖缺失。", "attribute[hazard]": "yes", "first_name": "伟", "last_name": "张",
            "phone": "13700001234", **fields}
    return client.post("/open311/v2/requests.json", data)


def test_open311_refuses_a_name_longer_than_its_column_and_creates_nothing(client, world, keys):
    answer = _open311(client, keys, first_name="伟" * 5000)
    assert answer.status_code == 400
    assert "first_name" in answer.json()[0]["description"]
    assert not Demand.objects.exists() and not Resident.objects.filter(phone="13700001234").exists()


def test_open311_refuses_an_over_long_address(client, world, keys):
    answer = _open311(client, keys, address_string="路" * 300)
    assert answer.status_code == 400 and not Demand.objects.exists()


def test_the_api_refuses_an_over_long_address_with_the_field_named(client, world, keys):
    body = {"channel": "hotline", "demand_type": "complaint", "category": "construction.roads", "title": "井盖缺失",
            "description": "井盖丢失两天了。", "region": "g1", "address": "路" * 300,
            "reporter": {"name": "张伟", "phone": "13700001234"}}
    answer = client.post("/api/demands", json.dumps(body), content_type="application/json",
                         HTTP_X_API_KEY=keys["hotline"])
    assert answer.status_code in (400, 422) and "address" in json.dumps(answer.json())
    assert not Demand.objects.exists()


def test_the_public_form_refuses_an_over_long_name_and_keeps_what_was_typed(client, world):
    data = {"demand_type": "complaint", "category": "construction.roads", "title": "井盖破损",
            "description": "5号楼门口井盖破损。", "region": "g1", "name": "刘" * 5000, "phone": "13600002222",
            "consent": "on"}
    answer = client.post(reverse("web:submit"), data)
    assert answer.status_code == 400 and "5号楼门口井盖破损" in answer.content.decode()
    assert not Demand.objects.exists() and not Resident.objects.filter(phone="13600002222").exists()


def test_any_model_of_the_project_is_checked_before_it_is_saved(world):
    with pytest.raises(ValidationFailed) as refused:
        Resident.objects.create(name="王" * 51, phone="13700009999")
    assert "name" in refused.value.field_errors
    resident = Resident.objects.get(phone="13812341234")
    resident.address = "路" * 256
    with pytest.raises(ValidationFailed):
        resident.save(update_fields=["address"])
