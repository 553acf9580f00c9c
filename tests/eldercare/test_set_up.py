"""Community and street staff set up elder service places and a 幸福院's rooms in the workbench (the
Django admin did this before): scoped to their territory, refusals under the field, each change in
the configuration history before → after."""

import random

import pytest
from django.test import Client

from minsheng.audit.models import AuditEntry
from minsheng.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from minsheng.eldercare import services
from minsheng.eldercare.models import Facility, Room

FORM = {"name": "玫瑰城第二养老驿站", "kind": "station", "address": "玫瑰城8号楼底商", "phone": "024-66668888",
        "opening_hours": "周一至周五 8:30–17:00", "services": ["blood_pressure", "meals"], "capacity": "25",
        "staff": "", "active": "on"}


def test_community_staff_create_and_edit_a_place_with_its_history(world, login):
    client = login("staff1")
    home = client.get("/eldercare/").content.decode()
    assert "/eldercare/places/new/" in home
    created = client.post("/eldercare/places/new/", {**FORM, "region": world.regions["c1"].pk})
    facility = Facility.objects.get(name=FORM["name"])
    assert created.status_code == 302 and created["Location"] == f"/eldercare/places/{facility.pk}/edit/"
    assert facility.region == world.regions["c1"] and facility.capacity == 25
    assert facility.services == ["blood_pressure", "meals"]

    capacity = random.randrange(1, 400)
    changed = client.post(f"/eldercare/places/{facility.pk}/edit/", {
        **FORM, "region": world.regions["c1"].pk, "capacity": str(capacity), "opening_hours": "每天 8:00–18:00",
        "staff": "gridworker"})
    assert changed.status_code == 302
    facility.refresh_from_db()
    assert facility.capacity == capacity and list(facility.staff.all()) == [world.users["gridworker"]]
    entries = AuditEntry.objects.filter(object_type="eldercare.facility", object_id=str(facility.pk))
    changes = [c for e in entries for c in (e.changes or [])]
    assert {"field": "capacity", "label": "容纳人数", "before": "25", "after": str(capacity)} in changes
    assert any(c["field"] == "staff" and c["after"] == "gridworker" for c in changes)
    assert all(e.region_path == world.regions["c1"].path for e in entries)
    page = client.get(f"/eldercare/places/{facility.pk}/edit/").content.decode()
    assert "每天 8:00–18:00" in page and str(capacity) in page  # the history on the page
    assert f"/eldercare/places/{facility.pk}/edit/" in client.get(f"/eldercare/places/{facility.pk}/").content.decode()


def test_another_streets_staff_are_refused(world, places, login):
    other = login("staff2")  # 雷锋社区 (和平街道); the station lies in 玫瑰城 (光明街道)
    station = places["station"]
    assert other.get(f"/eldercare/places/{station.pk}/edit/").status_code == 404
    assert other.post(f"/eldercare/places/{station.pk}/edit/", {**FORM, "region": world.regions["c2"].pk}
                      ).status_code == 404
    refused = other.post("/eldercare/places/new/", {**FORM, "region": world.regions["c1"].pk})
    assert refused.status_code == 400 and not Facility.objects.filter(name=FORM["name"]).exists()
    with pytest.raises(OutOfScope):
        services.save_facility(world.user("staff2"), None, name="x", kind="station", region=world.regions["c1"],
                               opening_hours="全天")
    with pytest.raises(OutOfScope):
        services.save_room(world.user("staff2"), places["station"], None, name="1号房", beds=1)
    # the place's own doctor runs it but does not set it up
    doctor = Client()
    doctor.force_login(places["doctor"])
    assert doctor.get(f"/eldercare/places/{station.pk}/edit/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.save_facility(places["doctor"], station, name="x", kind="station", region=station.region,
                               opening_hours="全天")


def test_refusals_come_back_under_the_field(world, places, login):
    client = login("staff1")
    station = places["station"]
    page = client.post(f"/eldercare/places/{station.pk}/edit/", {
        **FORM, "region": world.regions["c1"].pk, "staff": "nobody-such, admin"})
    assert page.status_code == 400
    assert page.context["form"].errors["staff"] == ["没有这些账号（或已停用）：nobody-such。"]
    outside = client.post(f"/eldercare/places/{station.pk}/edit/", {
        **FORM, "region": world.regions["c1"].pk, "staff": "staff2"})  # a post in 和平街道
    assert outside.status_code == 403 and "staff2" in outside.context["form"].errors["staff"][0]
    blank = client.post(f"/eldercare/places/{station.pk}/edit/", {
        **FORM, "region": world.regions["c1"].pk, "opening_hours": " "})
    assert blank.status_code == 400 and blank.context["form"].errors["opening_hours"]


def test_a_rooms_beds_never_go_below_those_living_there(world, places, login):
    home, rooms = places["home"], places["rooms"]
    staff2 = world.user("staff2")
    living = random.randrange(1, 3)  # room 2 has two beds
    for elder in [places["lei"], places["zhao"]][:living]:
        services.move_in(staff2, home, elder_id=elder.pk, room_id=rooms[1].pk)
    client = login("staff2")
    url = f"/eldercare/places/{home.pk}/rooms/{rooms[1].pk}/"
    prefix = f"room{rooms[1].pk}"
    if living == 2:
        refused = client.post(url, {f"{prefix}-name": "2号房", f"{prefix}-beds": "1"})
        assert refused.status_code == 400
        form = dict(refused.context["rooms"])[Room.objects.get(pk=rooms[1].pk)]
        assert form.errors["beds"] == ["2号房 现有 2 位老人入住，床位不能少于 2。"]
        assert Room.objects.get(pk=rooms[1].pk).beds == 2
    beds = random.randrange(max(living, 1), 8)
    assert client.post(url, {f"{prefix}-name": "2号房", f"{prefix}-beds": str(beds)}).status_code == 302
    added = client.post(f"/eldercare/places/{home.pk}/rooms/", {"new-name": "3号房", "new-beds": "3"})
    assert added.status_code == 302
    home.refresh_from_db()
    assert home.capacity == 1 + beds + 3  # the place's capacity follows its rooms' beds
    duplicate = client.post(f"/eldercare/places/{home.pk}/rooms/", {"new-name": "3号房", "new-beds": "1"})
    assert duplicate.status_code == 400 and duplicate.context["new_room"].errors["name"] == ["本院已有“3号房”。"]
    with pytest.raises(ValidationFailed):
        services.save_facility(staff2, home, name=home.name, kind="station", region=home.region,
                               opening_hours="全天")  # elders live in its rooms: stays a 幸福院
    assert AuditEntry.objects.filter(object_type="eldercare.room", object_id=str(rooms[1].pk)).exists()


def test_a_places_services_read_as_their_labels_in_the_history_in_each_language(world, login):
    """The history stores and shows 测血压、助餐, not blood_pressure,meals; an English reader reads
    Blood pressure…; an entry written with codes (before the labels) reads as labels too."""
    from minsheng.audit import services as audit
    from minsheng.audit.selectors import shown_value
    from minsheng.eldercare.models import Service

    staff = world.user("staff1")
    before, after = random.sample(list(Service), 2), random.sample(list(Service), 3)
    facility = services.save_facility(staff, None, name="标签驿站", kind="station", region=world.regions["c1"],
                                      opening_hours="全天", services=[s.value for s in before], capacity=3)
    services.save_facility(staff, facility, name="标签驿站", kind="station", region=world.regions["c1"],
                           opening_hours="全天", services=[s.value for s in after], capacity=3)
    entry = AuditEntry.objects.filter(object_type="eldercare.facility", object_id=str(facility.pk),
                                      action="修改").get()
    change = next(c for c in entry.changes if c["field"] == "services")
    assert change["before"] == "、".join(str(s.label) for s in before)
    assert change["after"] == "、".join(str(s.label) for s in after)
    old = audit.record(AuditEntry.Kind.CONFIGURATION, action="修改", target="x", object_type="eldercare.facility",
                       object_id=str(facility.pk), changes=[{"field": "services", "label": "服务项目",
                                                             "before": "meals,day_care", "after": "clinic"}])
    assert shown_value(old.object_type, "services", "meals,day_care") == "助餐、日间照料"
    client = login("staff1")
    page = client.get(f"/eldercare/places/{facility.pk}/edit/").content.decode()
    assert "助餐、日间照料" in page and "meals,day_care" not in page
    from django.utils import translation

    with translation.override("en"):
        english = shown_value("eldercare.facility", "services", change["after"])
        kind = shown_value("eldercare.facility", "kind", "养老驿站")
    assert english.count(", ") == 2 and english.isascii(), english
    assert kind.isascii() and kind  # a choice stored in Chinese reads in English
    assert shown_value("eldercare.facility", "name", "助餐") == "助餐"  # free text is never relabelled
