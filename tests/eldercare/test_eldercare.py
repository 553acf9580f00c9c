import random
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from minsheng.care.models import CarePerson
from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.eldercare import ranges, selectors, services
from minsheng.eldercare.models import Facility, HealthCheck, ShiftSignup
from minsheng.ledger.models import Account, Measure, Transfer
from minsheng.people.models import PersonalDataAccess, Resident
from minsheng.volunteers.models import Volunteer


def _reading(rng, *, abnormal: bool) -> dict:
    """Random readings, all normal or with a blood pressure above the normal range."""
    systolic = rng.randrange(141, 200) if abnormal else rng.randrange(100, 139)
    diastolic = rng.randrange(61, min(systolic - 10, 89))
    return {"systolic": systolic, "diastolic": diastolic, "heart_rate": rng.randrange(61, 99),
            "blood_sugar": f"{rng.randrange(40, 60) / 10:.1f}", "fasting": True}


# --- masking and reveals --------------------------------------------------------------------------

def test_values_are_masked_until_revealed_and_each_reveal_is_logged(world, places, login):
    rng = random.Random()
    staff = world.user("staff1")
    values = [_reading(rng, abnormal=bool(n % 2)) for n in range(3)]
    for v in values:
        services.record_check(staff, places["station"], elder_id=places["li"].pk, **v)
    shown = [f"{v['systolic']}/{v['diastolic']}" for v in values]
    url = f"/eldercare/elders/{places['li'].pk}/"

    client = login("staff1")
    page = client.get(url).content.decode()
    assert "已测" in page and not any(s in page for s in shown)
    listing = client.get(f"/eldercare/places/{places['station'].pk}/checks/").content.decode()
    assert "已测" in listing and not any(s in listing for s in shown)
    assert not PersonalDataAccess.objects.exists()

    for n in (1, 2):
        revealed = client.post(url).content.decode()
        assert all(s in revealed for s in shown) and 'id="health-chart"' in revealed
        assert PersonalDataAccess.objects.filter(viewer=world.users["staff1"], resident=places["li"].resident,
                                                 fields=services.HEALTH_FIELDS).count() == n

    auditor = login("auditor")  # sees the place and that checks were made, never the values
    masked = auditor.get(url).content.decode()
    assert "已测" in masked and not any(s in masked for s in shown) and 'id="reveal"' not in masked
    refused = auditor.post(url).content.decode()
    assert not any(s in refused for s in shown)
    assert not PersonalDataAccess.objects.filter(viewer=world.users["auditor"]).exists()
    with pytest.raises(PermissionDenied):
        services.reveal_values(world.user("auditor"), places["li"], purpose="x")


def test_no_filter_on_values_gets_round_the_mask(world, places, login):
    rng = random.Random()
    staff = world.user("staff1")
    services.record_check(staff, places["station"], elder_id=places["li"].pk, **_reading(rng, abnormal=True))
    services.record_check(staff, places["station"], elder_id=places["wang"].pk, **_reading(rng, abnormal=False))
    base = f"/eldercare/places/{places['station'].pk}/checks/"

    auditor = login("auditor")
    everyone = auditor.get(base).content.decode()
    for query in ("?abnormal=1", "?systolic__gt=140", "?out_of_range=1", "?q=&abnormal=1&systolic=150"):
        filtered = auditor.get(base + query).content.decode()
        assert "李秀英" in filtered and "王奎" in filtered, query  # the filter is ignored
        assert filtered.count("已测") == everyone.count("已测")
    assert not PersonalDataAccess.objects.exists()

    staff_client = login("staff1")  # may know the values: the filter works and is logged per elder
    abnormal = staff_client.get(base + "?abnormal=1").content.decode()
    assert "李秀英" in abnormal and "王奎" not in abnormal
    assert list(PersonalDataAccess.objects.values_list("resident__name", flat=True)) == ["李秀英"]


# --- ranges -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("systolic", 59), ("systolic", 261), ("diastolic", 29), ("heart_rate", 221), ("heart_rate", 29),
    ("blood_sugar", "0.9"), ("blood_sugar", "33.4"), ("weight", "19.9"), ("weight", "abc"), ("heart_rate", "72.5"),
])
def test_values_outside_what_a_device_gives_are_refused_with_the_field(world, places, field, value):
    given = {"systolic": 130, "diastolic": 80} if field in ("systolic", "diastolic") else {}
    given[field] = value
    with pytest.raises(ValidationFailed) as refusal:
        services.record_check(world.user("staff1"), places["station"], elder_id=places["li"].pk, **given)
    assert field in refusal.value.field_errors
    assert not HealthCheck.objects.exists()


def test_pressure_needs_both_numbers_in_order_and_a_visit_records_something(world, places):
    staff, station, elder = world.user("staff1"), places["station"], places["li"].pk
    with pytest.raises(ValidationFailed) as refusal:
        services.record_check(staff, station, elder_id=elder, systolic=130)
    assert "diastolic" in refusal.value.field_errors
    with pytest.raises(ValidationFailed) as refusal:
        services.record_check(staff, station, elder_id=elder, systolic=80, diastolic=90)
    assert "舒张压应低于收缩压" in str(refusal.value.field_errors["diastolic"])
    with pytest.raises(ValidationFailed):
        services.record_check(staff, station, elder_id=elder)
    with pytest.raises(ValidationFailed):  # an elder of another place
        services.record_check(staff, station, elder_id=places["li_day"].pk, heart_rate=70)
    assert services.record_check(staff, station, elder_id=elder, notes="咨询用药").notes == "咨询用药"


def test_out_of_range_is_computed_from_the_normal_ranges(world, places):
    rng = random.Random()
    staff = world.user("staff1")
    for _ in range(20):
        abnormal = rng.random() < 0.5
        check = services.record_check(staff, places["station"], elder_id=places["li"].pk,
                                      **_reading(rng, abnormal=abnormal))
        assert check.out_of_range is abnormal
    sugar = services.record_check(staff, places["station"], elder_id=places["li"].pk, blood_sugar="7.5", fasting=True)
    assert sugar.out_of_range and sugar.blood_sugar == Decimal("7.5")
    after_meal = services.record_check(staff, places["station"], elder_id=places["li"].pk, blood_sugar="7.5")
    assert not after_meal.out_of_range
    assert ranges.abnormal({"heart_rate": 101}) == ["heart_rate"]


def test_an_out_of_range_reading_raises_a_care_follow_up_once(world, places):
    staff = world.user("staff1")
    station = places["station"]
    normal = services.record_check(staff, station, elder_id=places["wang"].pk, systolic=120, diastolic=80)
    with pytest.raises(InvalidTransition):
        services.raise_follow_up(staff, normal.pk)
    high = services.record_check(staff, station, elder_id=places["wang"].pk, systolic=175, diastolic=95)
    person = services.raise_follow_up(staff, high.pk)
    assert person.resident == places["wang"].resident and person.risk == CarePerson.Risk.HIGH
    assert person.next_visit_due <= clock.today() + timedelta(days=7)
    with pytest.raises(InvalidTransition):
        services.raise_follow_up(staff, high.pk)
    # An elder already on the register is moved to high risk, not registered again.
    li = places["li"].resident
    CarePerson.objects.create(resident=li, region=li.region, category="elderly_alone", risk="low", plan="p",
                              responsible=staff, responsible_name="s", responsible_phone="13800000000",
                              registered_on=clock.today(), next_visit_due=clock.today() + timedelta(days=90))
    low_sugar = services.record_check(staff, station, elder_id=places["li"].pk, blood_sugar="2.5")
    assert services.raise_follow_up(staff, low_sugar.pk).risk == CarePerson.Risk.HIGH
    assert CarePerson.objects.filter(resident=li).count() == 1
    zhou = services.register_elder(staff, station, name="周大爷", phone="13500008888")
    fast = services.record_check(staff, station, elder_id=zhou.pk, heart_rate=130)
    with pytest.raises(PermissionDenied) as refusal:  # the doctor of the place runs it, but is no carer
        services.raise_follow_up(places["doctor"], fast.pk)
    assert station.name in str(refusal.value)
    assert HealthCheck.objects.get(pk=fast.pk).follow_up_id is None


# --- rooms --------------------------------------------------------------------------------------

def test_a_room_holds_as_many_as_its_beds(world, places):
    staff = world.user("staff2")
    home, (single, double) = places["home"], places["rooms"]
    services.move_in(staff, home, elder_id=places["lei"].pk, room_id=single.pk)
    with pytest.raises(ValidationFailed) as refusal:
        services.move_in(staff, home, elder_id=places["zhao"].pk, room_id=single.pk)
    assert "已住满" in str(refusal.value.field_errors["room"])
    with pytest.raises(InvalidTransition):  # one room at a time
        services.move_in(staff, home, elder_id=places["lei"].pk, room_id=double.pk)
    services.move_in(staff, home, elder_id=places["zhao"].pk, room_id=double.pk)
    services.move_in(staff, home, elder_id=places["qian"].pk, room_id=double.pk)
    stay = selectors.open_stays(home).get(elder=places["lei"])
    services.move_out(staff, stay.pk)
    services.move_in(staff, home, elder_id=places["lei"].pk, room_id=single.pk)  # the bed is free again
    assert {r.name: (r.taken, r.free) for r in selectors.rooms_with_occupancy(home)} == {"1号房": (1, 0),
                                                                                        "2号房": (2, 0)}
    with pytest.raises(OutOfScope):
        services.move_out(world.user("staff1"), stay.pk)
    with pytest.raises(InvalidTransition):  # a station has no rooms
        services.move_in(world.user("staff1"), places["station"], elder_id=places["li"].pk, room_id=single.pk)


# --- the rota -----------------------------------------------------------------------------------

def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_attendance_credits_the_shifts_hours_once_and_no_shows_nothing(world, places, volunteer):
    rng = random.Random()
    staff, station = world.user("staff1"), places["station"]
    hours = Decimal(rng.randrange(5, 40)) / 10
    day = clock.today() + timedelta(days=1)
    shifts = services.add_shifts(staff, station, first_day=day, starts=time(9), ends=time(11), duty="陪老人测血压",
                                 capacity=2, hours=hours, weeks=3)
    assert [s.day for s in shifts] == [day, day + timedelta(days=7), day + timedelta(days=14)]
    other = Volunteer.objects.create(resident=Resident.objects.get(user=world.users["resident"]),
                                     region=world.regions["c1"], card_number="V2", joined_on=day)
    mine = services.sign_up(world.users["volunteer"], shifts[0].pk)
    theirs = services.sign_up(world.users["resident"], shifts[0].pk)
    with pytest.raises(InvalidTransition):
        services.sign_up(world.users["volunteer"], shifts[0].pk)
    with pytest.raises(InvalidTransition):  # early: not yet started
        services.record_attendance(staff, mine.pk, attended=True)
    with clock.frozen_at(_at(day, 12)):
        services.record_attendance(staff, mine.pk, attended=True)
        with pytest.raises(InvalidTransition):
            services.record_attendance(staff, mine.pk, attended=True)
        with pytest.raises(InvalidTransition):
            services.record_attendance(staff, mine.pk, attended=False)
        services.record_attendance(staff, theirs.pk, attended=False)
        with pytest.raises(OutOfScope):
            services.record_attendance(world.user("staff2"), theirs.pk, attended=True)
    account = Account.objects.get(volunteer=volunteer, measure=Measure.HOURS)
    assert account.balance_cents == int(hours * 100)
    assert Transfer.objects.filter(kind=Transfer.Kind.ROTA_HOURS).count() == 1
    assert not Account.objects.filter(volunteer=other, measure=Measure.HOURS, balance_cents__gt=0).exists()
    assert ShiftSignup.objects.get(pk=theirs.pk).attendance == ShiftSignup.Attendance.NO_SHOW


def test_sign_up_keeps_to_capacity_and_the_street(world, places, volunteer):
    staff = world.user("staff1")
    day = clock.today() + timedelta(days=2)
    full = services.add_shifts(staff, places["station"], first_day=day, starts=time(14), ends=time(16), duty="打扫",
                               capacity=1, hours=2)[0]
    Volunteer.objects.create(resident=Resident.objects.get(user=world.users["resident"]),
                             region=world.regions["c1"], card_number="V2", joined_on=day)
    services.sign_up(world.users["resident"], full.pk)
    with pytest.raises(InvalidTransition) as refusal:
        services.sign_up(world.users["volunteer"], full.pk)
    assert "已满" in str(refusal.value)
    far = services.add_shifts(world.user("staff2"), places["home"], first_day=day, starts=time(9), ends=time(10),
                              duty="送餐", capacity=3, hours=1)[0]
    with pytest.raises(OutOfScope):
        services.sign_up(world.users["volunteer"], far.pk)
    with pytest.raises(PermissionDenied):  # not a registered volunteer
        services.sign_up(world.users["staff1"], full.pk)
    with pytest.raises(ValidationFailed):
        services.add_shifts(staff, places["station"], first_day=day, starts=time(16), ends=time(14), duty="x",
                            capacity=1, hours=1)
    assert [s.pk for s in selectors.open_shifts_for(volunteer, clock.today())] == [full.pk]


# --- day care -----------------------------------------------------------------------------------

def test_day_care_check_in_out_and_daily_counts(world, places, settings):
    rng = random.Random()
    staff, centre = world.user("staff1"), places["day_care"]
    extra = [services.register_elder(staff, centre, name=f"老人{n}", phone=f"1350000{n:04d}") for n in range(6)]
    centre.capacity = len(extra) + 2
    centre.save()
    today = clock.today()
    counts = {}
    for back in (2, 1, 0):
        day = today - timedelta(days=back)
        arrived = rng.sample([places["li_day"], places["wang_day"], *extra], rng.randrange(1, len(extra) + 2))
        left = rng.randrange(0, len(arrived) + 1)
        with clock.frozen_at(_at(day, 9)):
            visits = [services.check_in(staff, centre, elder_id=e.pk) for e in arrived]
        with clock.frozen_at(_at(day, 16)):
            for v in visits[:left]:
                services.check_out(staff, v.pk)
        counts[day] = (len(arrived), left)
    got = {c.day: (c.arrived, c.left) for c in selectors.day_counts(centre, today, days=3)}
    assert got == counts
    assert selectors.day_counts(centre, today, days=3)[0].present == counts[today][0] - counts[today][1]
    came = {v.elder_id for v in places["day_care"].elders.get(pk=places["li_day"].pk).day_visits.filter(day=today)}
    if not came:
        services.check_in(staff, centre, elder_id=places["li_day"].pk)
    with pytest.raises(InvalidTransition):  # once a day
        services.check_in(staff, centre, elder_id=places["li_day"].pk)


def test_day_care_capacity(world, places):
    staff, centre = world.user("staff1"), places["day_care"]
    third = services.register_elder(staff, centre, name="孙奶奶", phone="13500009999")
    services.check_in(staff, centre, elder_id=places["li_day"].pk)
    visit = services.check_in(staff, centre, elder_id=places["wang_day"].pk)
    with pytest.raises(InvalidTransition) as refusal:
        services.check_in(staff, centre, elder_id=third.pk)
    assert "容纳上限" in str(refusal.value)
    services.check_out(staff, visit.pk)
    services.check_in(staff, centre, elder_id=third.pk)


# --- scope --------------------------------------------------------------------------------------

def test_every_list_is_scoped(world, places, login):
    staff = world.user("staff1")
    services.record_check(staff, places["station"], elder_id=places["li"].pk, heart_rate=70)
    services.record_check(world.user("staff2"), places["home"], elder_id=places["lei"].pk, heart_rate=70)
    station, day_care, home = places["station"], places["day_care"], places["home"]
    expect = {"staff1": {station, day_care}, "staff2": {home}, "dispatcher1": {station, day_care},
              "dispatcher2": {home}, "auditor": {station, day_care, home}, "leader": {station, day_care, home},
              "volunteer": set(), "gridworker": set(), "agent": set(), "resident": set()}
    for name, seen in expect.items():
        user = world.user(name)
        assert set(selectors.facilities_for(user)) == seen, name
        assert {e.facility for e in selectors.elders_for(user)} == seen & {e.facility for e in selectors.elders_for(
            world.user("admin"))}, name
        assert {c.elder.facility for c in selectors.checks_for(user)} <= seen, name
        assert {r["facility"] for r in selectors.facility_figures(user, clock.today())} == seen, name
    doctor = places["doctor"]
    assert set(selectors.facilities_for(doctor)) == {station}
    assert {c.elder.facility for c in selectors.checks_for(doctor)} == {station}

    client = login("staff1")
    assert client.get(f"/eldercare/places/{home.pk}/").status_code == 404
    assert client.get(f"/eldercare/elders/{places['lei'].pk}/").status_code == 404
    assert client.get(f"/eldercare/places/{home.pk}/checks/").status_code == 404
    assert login("volunteer").get("/eldercare/").status_code == 404
    page = login("dispatcher2").get("/eldercare/").content.decode()
    assert home.name in page and station.name not in page


def test_the_places_staff_run_it_and_reveal_its_values(world, places, client):
    doctor = places["doctor"]
    check = services.record_check(doctor, places["station"], elder_id=places["li"].pk, systolic=150, diastolic=85)
    assert check.recorded_by == doctor
    with pytest.raises(OutOfScope):
        services.record_check(doctor, places["day_care"], elder_id=places["li_day"].pk, heart_rate=70)
    client.force_login(doctor)
    assert "150/85" in client.post(f"/eldercare/elders/{places['li'].pk}/").content.decode()
    assert PersonalDataAccess.objects.filter(viewer=doctor).count() == 1
    # Signing in, the place's own staff land on the places page, not on a resident's 我的诉求.
    assert client.get("/").url == "/eldercare/"


# --- pages --------------------------------------------------------------------------------------

def test_pages_show_each_kind_and_refusals_on_the_form(world, places, login, volunteer):
    staff = login("staff1")
    for facility in (places["station"], places["day_care"]):
        assert staff.get(f"/eldercare/places/{facility.pk}/").status_code == 200
    bad = staff.post(f"/eldercare/places/{places['station'].pk}/checks/new/",
                     {"elder": places["li"].pk, "systolic": "300", "diastolic": "80"})
    assert bad.status_code == 400 and "收缩压应在 60–260" in bad.content.decode()
    good = staff.post(f"/eldercare/places/{places['station'].pk}/checks/new/",
                      {"elder": places["li"].pk, "heart_rate": "72"})
    assert good.status_code == 302 and HealthCheck.objects.filter(heart_rate=72).exists()
    assert login("staff2").get(f"/eldercare/places/{places['home'].pk}/").status_code == 200  # (one client)
    full = login("staff2").post(f"/eldercare/places/{places['home'].pk}/move-in/", {
        "elder": places["lei"].pk, "room": places["rooms"][0].pk, "on": clock.today().isoformat()})
    assert full.status_code == 302
    again = login("staff2").post(f"/eldercare/places/{places['home'].pk}/move-in/", {
        "elder": places["zhao"].pk, "room": places["rooms"][0].pk, "on": clock.today().isoformat()})
    assert again.status_code == 400 and "已住满" in again.content.decode()

    shift = services.add_shifts(world.user("staff1"), places["station"], first_day=clock.today() + timedelta(days=1),
                                starts=time(9), ends=time(11), duty="陪护", capacity=1, hours=2)[0]
    phone = login("volunteer")
    assert "报名这个班次" in phone.get("/eldercare/rota/").content.decode()
    assert phone.post(f"/eldercare/rota/shifts/{shift.pk}/sign-up/").status_code == 302
    after = phone.get("/eldercare/rota/").content.decode()
    assert "已报名" in after and "取消报名" in after
    assert Facility.objects.get(pk=places["station"].pk).shifts.get().signups.count() == 1
