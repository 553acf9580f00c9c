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


def test_a_building_outside_any_estate_gets_its_chiefs_from_the_grids_page(world, ew, login):
    """散居楼: a building directly under the grid has no estate page; the grid's page lists it and
    appoints and ends its chiefs with the estate's section and service."""
    grid = world.regions["g1"]
    from minsheng.organisation.models import Region

    loose = Region.objects.create(kind=Region.Kind.BUILDING, name="老街7号楼", code="g1-b7", parent=grid)
    entrance = Region.objects.create(kind=Region.Kind.ENTRANCE, name="1单元", code="g1-b7-u1", parent=loose)
    client = login("staff1")
    url = f"/work/grids/{grid.pk}/"
    page = client.get(url).content.decode()
    assert "老街7号楼 · 楼栋长" in page and "老街7号楼 1单元 · 单元长" in page and "玫瑰城第一网格 · 网格长" in page
    assert "玫瑰园1号楼 · 楼栋长" not in page  # the estate's own stay on the estate's page
    place = random.choice([loose, entrance])
    appointed = client.post(url + "chiefs/", {"region": place.pk, "name": "何大爷", "phone": "13322223333"})
    assert appointed.status_code == 302 and appointed["Location"].endswith(url + "#chiefs")
    chief = Chief.objects.get(region=place, active=True)
    assert Resident.objects.get(phone="13322223333").user == chief.user
    page = client.get(url).content.decode()
    assert "何大爷" in page and "133****3333" in page and "13322223333" not in page and "任免记录" in page
    refused = client.post(url + "chiefs/", {"region": place.pk, "name": "别人", "phone": "13344445555"})
    assert refused.status_code == 409 and refused.context["chief_form"].errors["region"] == [
        f"现任{chief.get_kind_display()}：何大爷。"]
    # Another place's post is not ended from here; this one is.
    estate_chief = estates.appoint_resident_as_chief(world.user("staff1"), region=ew.building,
                                                     name=ew.residents[0].name, phone=ew.residents[0].phone)
    assert client.post(url + f"chiefs/{estate_chief.pk}/end/").status_code == 404
    assert client.post(url + f"chiefs/{chief.pk}/end/").status_code == 302
    assert not Chief.objects.get(pk=chief.pk).active and Chief.objects.get(pk=estate_chief.pk).active
    assert AuditEntry.objects.filter(object_type="grids.chief", object_id=str(chief.pk)).count() == 2
    # A grid worker sees the grid and its chiefs, but no form; another street's staff no grid.
    worker_page = login("gridworker").get(url)
    assert worker_page.status_code == 200 and "chief_form" not in worker_page.context
    assert login("staff2").post(url + "chiefs/", {"region": loose.pk, "name": "x", "phone": "13355556666"}
                                ).status_code == 404
