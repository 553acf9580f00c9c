"""Removing a 幸福院's room or a place: refused while someone lives there, a volunteer is signed up
for a shift to come or an elder is in day care (the reason with its count, in Chinese); deleted when
nothing recorded points at it, closed (停用) when records do — a room's stays, a place's elders and
their checks, a shift's sign-ups — so that no record is lost."""

import random
from datetime import time, timedelta

import pytest

from minsheng.audit.models import AuditEntry
from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, ValidationFailed
from minsheng.eldercare import services
from minsheng.eldercare.models import Facility, Room, Shift, Stay

pytestmark = pytest.mark.django_db


def test_a_room_is_refused_while_lived_in_then_closed_with_its_stays_kept(world, places, login):
    staff, home = world.user("staff2"), places["home"]
    room = places["rooms"][1]  # 2号房, two beds
    living = random.sample([places["zhao"], places["qian"]], random.randint(1, 2))
    stays = [services.move_in(staff, home, elder_id=e.pk, room_id=room.pk) for e in living]
    client = login("staff2")
    url = f"/eldercare/places/{home.pk}/rooms/{room.pk}/remove/"
    refused = client.post(url, follow=True)
    assert f"2号房 现有 {len(living)} 位老人入住，请先办理退住" in refused.content.decode()
    assert Room.objects.filter(pk=room.pk, active=True).exists()
    for stay in stays:
        services.move_out(staff, stay.pk)
    assert client.post(url).status_code == 302
    room.refresh_from_db()
    assert not room.active and Stay.objects.filter(room=room).count() == len(living)  # the record stays
    home.refresh_from_db()
    assert home.capacity == 1  # only 1号房's bed counts
    with pytest.raises(ValidationFailed) as err:
        services.move_in(staff, home, elder_id=places["zhao"].pk, room_id=room.pk)
    assert "已停用" in err.value.field_errors["room"][0]
    page = client.get(f"/eldercare/places/{home.pk}/edit/").content.decode()
    assert "2号房（已停用）" in page and f"/rooms/{room.pk}/reopen/" in page
    assert client.post(f"/eldercare/places/{home.pk}/rooms/{room.pk}/reopen/").status_code == 302
    home.refresh_from_db()
    assert Room.objects.get(pk=room.pk).active and home.capacity == 3


def test_a_room_nobody_lived_in_is_deleted_and_the_history_says_so(world, places):
    staff, home = world.user("staff2"), places["home"]
    empty = places["rooms"][0]
    assert services.remove_room(staff, home, empty.pk) == "deleted"
    assert not Room.objects.filter(pk=empty.pk).exists()
    assert AuditEntry.objects.filter(object_type="eldercare.room", object_id=str(empty.pk), action="删除").exists()
    home.refresh_from_db()
    assert home.capacity == 2
    with pytest.raises(services.PermissionDenied):  # the station's own doctor does not set it up
        services.remove_room(places["doctor"], home, places["rooms"][1].pk)


def test_a_place_with_open_work_is_refused_with_each_reason(world, places, volunteer):
    staff = world.user("staff1")
    day_care = places["day_care"]
    services.check_in(staff, day_care, elder_id=places["li_day"].pk)
    with pytest.raises(InvalidTransition) as err:
        services.remove_facility(staff, day_care)
    assert "今天还有 1 位老人在日间照料，尚未签离" in err.value.message
    with pytest.raises(ValidationFailed) as err:  # nor closed through the form's 启用
        services.save_facility(staff, day_care, name=day_care.name, kind=day_care.kind, region=day_care.region,
                               opening_hours=day_care.opening_hours, capacity=2, active=False)
    assert "尚未签离" in err.value.field_errors["active"][0]
    station = places["station"]
    shifts = services.add_shifts(staff, station, first_day=clock.today() + timedelta(days=2), starts=time(9),
                                 ends=time(11), duty="陪老人测血压", capacity=2, hours=2)
    services.sign_up(world.users["volunteer"], shifts[0].pk)
    with pytest.raises(InvalidTransition) as err:
        services.remove_facility(staff, station)
    assert "今后的班次还有 1 人次志愿者报名" in err.value.message
    assert Facility.objects.get(pk=station.pk).active


def test_a_place_with_records_is_closed_one_without_is_deleted(world, places, login):
    client = login("staff1")
    station = places["station"]  # two elders registered
    page = client.get(f"/eldercare/places/{station.pk}/edit/").content.decode()
    assert "2 位登记老人及其健康检测、入住和签到记录" in page and "停用场所" in page
    assert client.post(f"/eldercare/places/{station.pk}/remove/").status_code == 302
    station.refresh_from_db()
    assert not station.active and station.elders.count() == 2
    home = client.get("/eldercare/").content.decode()
    assert 'id="closed"' in home and f"/eldercare/places/{station.pk}/edit/" in home

    staff = world.user("staff1")
    bare = services.save_facility(staff, None, name="临时驿站", kind="station", region=world.regions["c1"],
                                  opening_hours="周六 9:00–11:00", capacity=5)
    services.add_shifts(staff, bare, first_day=clock.today() + timedelta(days=1), starts=time(9), ends=time(10),
                        duty="打扫", capacity=1, hours=1)
    assert "将被删除" in client.get(f"/eldercare/places/{bare.pk}/edit/").content.decode()
    done = client.post(f"/eldercare/places/{bare.pk}/remove/")
    assert done.status_code == 302 and done["Location"] == "/eldercare/"
    assert not Facility.objects.filter(pk=bare.pk).exists() and not Shift.objects.filter(facility_id=bare.pk).exists()
    assert AuditEntry.objects.filter(object_type="eldercare.facility", object_id=str(bare.pk), action="删除").exists()
    assert login("staff2").post(f"/eldercare/places/{station.pk}/remove/").status_code == 404
