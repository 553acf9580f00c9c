"""Community staff appoint and end a 网格长, 楼栋长 or 单元长 from the estate's page: one in office per
place and kind (refused with the holder's name), the appointee's account and home as the admin path
gives, each change in the configuration history; another street's staff are refused."""

import random

import pytest

from minsheng.audit.models import AuditEntry
from minsheng.core.errors import OutOfScope, PermissionDenied
from minsheng.grids import estates
from minsheng.grids.models import Chief
from minsheng.people.models import Resident
from minsheng.web.homes import home_url

from .estate_world import build_estate


@pytest.fixture
def ew(world):
    return build_estate(world)


def test_appoint_one_chief_per_place_end_and_appoint_again(world, ew, login):
    client = login("staff1")
    url = f"/work/estates/{ew.estate.pk}/"
    page = client.get(url).content.decode()
    assert f"/work/estates/{ew.estate.pk}/chiefs/" in page and "1单元 · 单元长" in page
    first, second = random.sample(ew.residents, 2)
    place = random.choice([ew.building, *ew.entrances])
    appointed = client.post(url + "chiefs/", {"region": place.pk, "name": first.name, "phone": first.phone})
    assert appointed.status_code == 302
    chief = Chief.objects.get(region=place, active=True)
    first.refresh_from_db()
    assert chief.user == first.user and chief.kind == estates.KIND_FOR_REGION[place.kind]
    assert home_url(chief.user) == "/chief/"  # the sign-in by phone lands on the chief's page

    refused = client.post(url + "chiefs/", {"region": place.pk, "name": second.name, "phone": second.phone})
    assert refused.status_code == 409
    kind = chief.get_kind_display()
    assert refused.context["chief_form"].errors["region"] == [f"现任{kind}：{first.name}。"]
    assert Chief.objects.filter(region=place, active=True).count() == 1

    ended = client.post(url + f"chiefs/{chief.pk}/end/")
    assert ended.status_code == 302 and not Chief.objects.get(pk=chief.pk).active
    assert client.post(url + "chiefs/", {"region": place.pk, "name": second.name, "phone": second.phone}
                       ).status_code == 302
    second.refresh_from_db()
    assert Chief.objects.get(region=place, active=True).user == second.user
    entries = AuditEntry.objects.filter(object_type="grids.chief", object_id=str(chief.pk))
    assert any(c == {"field": "active", "label": "在任", "before": "是", "after": "否"}
               for e in entries for c in (e.changes or []))
    assert "任免记录" in client.get(url).content.decode()


def test_refusals_under_the_field_and_scope(world, ew, login):
    client = login("staff1")
    url = f"/work/estates/{ew.estate.pk}/chiefs/"
    wrong_name = client.post(url, {"region": ew.building.pk, "name": "别人", "phone": ew.residents[0].phone})
    assert wrong_name.status_code == 400
    assert wrong_name.context["chief_form"].errors["name"] == ["该手机号登记的居民是“陈桂兰”，请核对姓名或手机号。"]
    bad_phone = client.post(url, {"region": ew.building.pk, "name": "新人", "phone": "12345"})
    assert bad_phone.status_code == 400 and bad_phone.context["chief_form"].errors["phone"]
    assert not Chief.objects.exists() and not Resident.objects.filter(name="新人").exists()

    other = login("staff2")  # 和平街道
    assert other.get(f"/work/estates/{ew.estate.pk}/").status_code == 404
    assert other.post(url, {"region": ew.building.pk, "name": "新人", "phone": "13311112222"}).status_code == 404
    with pytest.raises(OutOfScope):
        estates.appoint_resident_as_chief(world.user("staff2"), region=ew.building, name="新人", phone="13311112222")
    with pytest.raises(PermissionDenied):  # a grid worker covers the building but does not appoint
        estates.appoint_resident_as_chief(world.user("gridworker"), region=ew.building, name="新人",
                                          phone="13311112222")
    assert not Resident.objects.filter(name="新人").exists()
