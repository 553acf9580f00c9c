"""The unit pickers' type-ahead (派单, 吹哨): a scoped JSON list of units behind a select that still
posts and validates as before."""

import random

from django.urls import reverse

from minsheng.demands.models import Demand
from minsheng.organisation.models import Unit
from minsheng.supervision.models import SummonedUnit

from ..demands.helpers import bring_to


def test_typed_text_narrows_the_units_and_names_their_parent(login, world):
    data = login("dispatcher1").get(reverse("web:unit_options"), {"q": "城管"}).json()
    assert data["results"] == [{"id": world.units["cg"].pk, "name": "区城管局", "parent": "望花区接诉即办中心"}]


def test_the_list_is_capped_and_leaves_out_inactive_units(login, world):
    centre = world.units["centre"]
    n = random.randint(21, 30)
    for i in range(n):
        Unit.objects.create(kind="department", name=f"测试局{i}", code=f"t{i}", region=world.regions["d"],
                            parent=centre)
    Unit.objects.filter(code="t0").update(active=False)
    results = login("dispatcher1").get(reverse("web:unit_options"), {"q": "测试局"}).json()["results"]
    assert len(results) == 20 and "测试局0" not in {r["name"] for r in results}


def test_only_roles_that_dispatch_or_summon_may_ask(login, world):
    assert login("gridworker").get(reverse("web:unit_options")).status_code == 404
    assert login("leader").get(reverse("web:unit_options")).status_code == 404


def test_summon_and_dispatch_forms_carry_the_picker_and_validation_is_unchanged(login, world):
    demand = bring_to(world, "in_progress")
    client = login("dispatcher1")
    page = client.get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert page.count(f'data-combobox="{reverse("web:unit_options")}"') >= 1
    assert 'name="units"' in page  # the select stays in the form
    gone = Unit.objects.create(kind="department", name="已撤销局", code="gone", region=world.regions["d"],
                               active=False)
    response = client.post(reverse("web:act", args=[demand.pk, "summon"]), {
        "version": demand.version, "units": [world.units["zj"].pk, gone.pk], "reason": "涉及管线"})
    assert response.status_code == 400 and not SummonedUnit.objects.exists()
    response = client.post(reverse("web:act", args=[demand.pk, "summon"]), {
        "version": demand.version, "units": [world.units["zj"].pk, world.units["cg"].pk], "reason": "涉及管线"})
    assert response.status_code == 302
    assert set(SummonedUnit.objects.values_list("unit__code", flat=True)) == {"zj", "cg"}
    assert Demand.objects.get(pk=demand.pk).version == demand.version + 1
