"""A configuration table's many-to-many fields are in its history: a home-care contract's services
and communities, a co-building unit's communities, a place's staff — each add, remove or clear one
entry with the whole field before → after, whoever makes it (the administration area, a service)."""

import random
from datetime import date

import pytest
from django.urls import reverse

from minsheng.audit.models import AuditEntry
from minsheng.homecare.models import CareService, ProviderContract
from minsheng.organisation.models import Unit

pytestmark = pytest.mark.django_db


def _relation_changes(obj, field: str) -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("at", "pk")
    return [(c["before"], c["after"]) for e in entries for c in (e.changes or []) if c["field"] == field]


def test_a_contracts_services_and_communities_are_in_its_history(world, login):
    provider = Unit.objects.create(kind=Unit.Kind.CARE_PROVIDER, name="康乐养老服务公司", code="kl",
                                   region=world.regions["s1"], parent=world.units["so1"])
    services = [CareService.objects.create(code=f"rel-{n}", name=name)
                for n, name in enumerate(["助浴", "助洁", "助医", "陪护", "理发", "代购"])]
    first, second = random.sample(services, 3), random.sample(services, 2)
    client = login("admin")
    form = {"provider": provider.pk, "start": "2026-01-01", "end": "2028-12-31", "status": "active",
            "status_reason": "", "services": [s.pk for s in first], "communities": [world.regions["c1"].pk]}
    assert client.post(reverse("setup:area_create", args=["contracts"]), form).status_code == 302
    contract = ProviderContract.objects.get(provider=provider)
    assert _relation_changes(contract, "services") == [("", "、".join(sorted(str(s) for s in first)))]
    changed = client.post(reverse("setup:area_edit", args=["contracts", contract.pk]), {
        **form, "services": [s.pk for s in second], "communities": [world.regions["c1"].pk, world.regions["c2"].pk]})
    assert changed.status_code == 302
    services_now = _relation_changes(contract, "services")[-1][1]
    assert services_now == "、".join(sorted(str(s) for s in second))
    assert _relation_changes(contract, "communities")[-1] == ("玫瑰城社区", "玫瑰城社区、雷锋社区")
    page = client.get(reverse("setup:area_edit", args=["contracts", contract.pk])).content.decode()
    assert "雷锋社区" in page and 'id="object-history"' in page
    assert 'value="2026-01-01"' in page  # the date inputs show the dates (ISO), not empty
    # Saved again unchanged: no entry of nothing.
    count = AuditEntry.objects.filter(object_type="homecare.providercontract").count()
    contract.communities.set([world.regions["c1"], world.regions["c2"]])
    assert AuditEntry.objects.filter(object_type="homecare.providercontract").count() == count
    contract.services.clear()
    assert _relation_changes(contract, "services")[-1] == (services_now, "")
    assert ProviderContract.objects.filter(pk=contract.pk, start=date(2026, 1, 1)).exists()


def test_a_member_units_communities_and_a_places_staff_are_in_their_history(world):
    from minsheng.cobuild import services
    from minsheng.eldercare import services as eldercare
    from minsheng.organisation.models import Region

    from ..cobuild.helpers import alliance
    from ..cobuild.test_editing import _member_data

    setup = alliance(world)
    assert _relation_changes(setup.school, "communities") == [("", "玫瑰城社区")]  # at registration
    extra = Region.objects.create(kind="community", name="新华社区", code="c3", parent=world.regions["s1"])
    staff = world.user("dispatcher1")  # the street's: keeps both communities
    services.update_member(staff, setup.school, **_member_data(setup.school, communities=[world.regions["c1"],
                                                                                          extra]))
    assert _relation_changes(setup.school, "communities")[-1] == ("玫瑰城社区", "新华社区、玫瑰城社区")
    services.update_member(staff, setup.school, **_member_data(setup.school, communities=[extra]))
    assert _relation_changes(setup.school, "communities")[-1] == ("新华社区、玫瑰城社区", "新华社区")

    place = eldercare.save_facility(world.user("staff1"), None, name="驿站", kind="station",
                                    region=world.regions["c1"], opening_hours="全天", staff="gridworker")
    eldercare.save_facility(world.user("staff1"), place, name="驿站", kind="station", region=world.regions["c1"],
                            opening_hours="全天", staff="")
    assert _relation_changes(place, "staff") == [("", "gridworker"), ("gridworker", "")]
