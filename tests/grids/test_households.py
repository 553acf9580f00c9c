"""Households on the resident's register page (join one of the building's, start one, leave) and the
register import's optional 户号 column; another street's staff are refused."""

import random

import pytest

from minsheng.core.errors import OutOfScope, ValidationFailed
from minsheng.grids import estates, registers
from minsheng.grids.models import House, RegisterChange
from minsheng.people.models import Resident

from .estate_world import build_estate
from .test_registers import RESIDENT_HEADERS as HEADERS
from .test_registers import workbook as _workbook


@pytest.fixture
def ew(world):
    return build_estate(world)


def _page(client, resident):
    return client.get(f"/work/grids/registers/resident/{resident.pk}/")


def test_join_start_and_leave_a_household_from_the_residents_page(world, ew, login):
    client = login("staff1")
    resident = ew.residents[0]  # in houses[0] (1单元101) with 陈建国
    page = _page(client, resident).content.decode()
    assert "家庭户" in page and "陈建国" in page and "1单元102（1 人）" in page

    target = random.choice(ew.houses[1:])
    url = f"/work/grids/registers/resident/{resident.pk}/household/"
    assert client.post(url, {"house": target.pk}).status_code == 302
    resident.refresh_from_db()
    assert resident.house == target and resident.region == target.entrance
    change = RegisterChange.objects.filter(entity="resident", record_id=resident.pk).latest("pk")
    assert change.changes["house"] == [str(ew.houses[0]), str(target)]

    room = str(random.randrange(300, 999))
    started = client.post(url + "new/", {"building": ew.building.pk, "entrance": ew.entrances[1].pk, "room": room})
    assert started.status_code == 302
    house = House.objects.get(building=ew.building, room=room)
    resident.refresh_from_db()
    assert resident.house == house and house.entrance == ew.entrances[1] and resident.region == ew.entrances[1]
    again = client.post(url + "new/", {"building": ew.building.pk, "entrance": "", "room": room})
    assert again.status_code == 400
    assert again.context["new_household_form"].errors["room"] == [f"玫瑰园1号楼已有{room}户，请在上方选择加入该户。"]

    assert client.post(url + "leave/").status_code == 302
    resident.refresh_from_db()
    assert resident.house is None and resident.region == ew.entrances[1]  # still registered where they lived
    assert "移出家庭户" in _page(client, resident).content.decode()


def test_only_the_residents_building_and_territory(world, ew, login):
    other_building = ew.building.__class__.objects.create(kind="building", name="玫瑰园2号楼", code="e1-b2",
                                                          parent=ew.estate.region)
    elsewhere = House.objects.create(building=other_building, room="101")
    resident = ew.residents[3]
    client = login("staff1")
    refused = client.post(f"/work/grids/registers/resident/{resident.pk}/household/", {"house": elsewhere.pk})
    assert refused.status_code == 400 and refused.context["household_form"].errors["house"]
    with pytest.raises(ValidationFailed, match="只能加入孙立所住楼栋的户"):
        estates.link_household(world.user("staff1"), resident, elsewhere)

    other = login("staff2")  # 和平街道
    assert _page(other, resident).status_code == 404
    assert other.post(f"/work/grids/registers/resident/{resident.pk}/household/leave/").status_code == 404
    with pytest.raises(OutOfScope):
        estates.unlink_household(world.user("staff2"), resident)
    assert Resident.objects.get(pk=resident.pk).house == ew.houses[2]




def test_the_register_import_takes_an_optional_household_column(world, ew):
    rooms = random.sample(range(202, 260), 2)  # new households: the estate's 201 already exists
    file = _workbook([*HEADERS, "户号"], [
        ["周一", "13822220001", "", "", "e1-b1", "", str(rooms[0])],
        ["周二", "13822220002", "", "", "e1-b1", "", str(rooms[0])],  # the same household
        ["周三", "13822220003", "", "", "e1-b1", "", "101"],  # the building's existing 1单元101
        ["周四", "13822220004", "", "", "g1", "", ""],  # no household: a grid is fine
        [ew.residents[2].name, ew.residents[2].phone, "", "", "e1-b1", "", str(rooms[1])],  # moves household
    ])
    gridworker = world.user("gridworker")
    batch = registers.commit_import(gridworker, registers.preview_import(gridworker, "resident", file).pk)
    assert (batch.created, batch.updated) == (4, 1)
    new = House.objects.get(building=ew.building, room=str(rooms[0]))
    assert set(new.residents.values_list("name", flat=True)) == {"周一", "周二"}
    zhou3 = Resident.objects.get(phone="13822220003")
    assert zhou3.house == ew.houses[0] and zhou3.region == ew.entrances[0]
    assert Resident.objects.get(phone="13822220004").house is None
    moved = Resident.objects.get(pk=ew.residents[2].pk)
    assert moved.house.room == str(rooms[1])
    assert any(c.changes.get("house") == [str(ew.houses[1]), f"玫瑰园1号楼{rooms[1]}"]
               for c in RegisterChange.objects.filter(entity="resident", record_id=moved.pk))

    bad = registers.preview_import(gridworker, "resident", _workbook([*HEADERS, "户号"], [
        ["周五", "13822220005", "", "", "g1", "", "301"]]))
    assert [(e["row"], e["field"]) for e in bad.errors] == [(2, "household")]
    # a workbook of the old template (no 户号 column) is read as before
    old = registers.preview_import(gridworker, "resident",
                                   _workbook(HEADERS, [["周六", "13822220006", "", "", "g1", ""]]))
    assert not old.errors and old.rows[0]["household"] == ""
