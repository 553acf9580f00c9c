"""The demo city's elder service places (issue #31 item 2), all in 玫瑰城 (the printed ``community``
login's community, in the ``volunteer`` login's street): a community elder station (东风's free
blood-pressure and blood-sugar checks) with four months of checks for its elders, some of them
high; a 幸福院 with 12 rooms (赛罕 陶卜齐村) and its residents, and its volunteer rota (帮工时间表)
four weeks back with attendance recorded (hours in the ledger) and two weeks ahead open for
sign-up; a day-care centre (阿拉坦) with a month of check-ins and check-outs.

Everything but the checks goes through the services under the frozen clock of its day; the checks
are bulk-created as ``services.record_check`` writes them (values in range, ``out_of_range`` from
``ranges.abnormal``)."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from minsheng.core import clock
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role
from minsheng.volunteers.models import Volunteer

from . import ranges, services
from .models import Elder, Facility, HealthCheck, Room, ShiftSignup

NOTES = ["", "", "", "咨询降压药服用时间，建议早晨服药", "近日头晕，建议复测并到社区卫生服务站就诊",
         "膝关节疼痛，建议理疗", "饮食建议：少盐少油", "血糖偏高，提醒控制主食"]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _locals(community: Region, people, taken: set[int], n: int) -> list:
    """``n`` residents without a login, of the community first, then of its street (a small demo
    has few residents per community), then of the district."""
    chosen: list = []
    for area in (community, community.parent or community, None):
        inside = (None if area is None
                  else set(Region.objects.filter(path__startswith=area.path).values_list("pk", flat=True)))
        for r in people:
            free = r.user_id is None and r.pk not in taken
            if len(chosen) < n and free and (inside is None or r.region_id in inside):
                chosen.append(r)
                taken.add(r.pk)
    return chosen


def _volunteers(community: Region, people, taken: set[int]) -> list[Volunteer]:
    """The street's registered volunteers without a login (the printed ``volunteer`` keeps its
    shifts to sign up for on the phone), topped up to four from the community's residents."""
    street = community.parent or community
    found = list(Volunteer.objects.filter(region__path__startswith=street.path, active=True,
                                          resident__user__isnull=True).select_related("resident")[:4])
    User = get_user_model()
    unit = Unit.objects.get(code=f"{community.code}-CC")
    unusable = make_password(None)
    for n, resident in enumerate(_locals(community, people, taken | set(
            Volunteer.objects.values_list("resident_id", flat=True)), 4 - len(found)), start=1):
        user, _ = User.objects.get_or_create(username=f"{community.code.lower()}-rota-v{n}", defaults={
            "password": unusable, "first_name": resident.name})
        resident.user = user
        resident.save(update_fields=["user"])
        Membership.objects.get_or_create(user=user, unit=unit, role=Role.VOLUNTEER)
        found.append(Volunteer.objects.create(resident=resident, region=community, card_number=f"EV{n:04d}",
                                              joined_on=timezone.localdate() - timedelta(days=300),
                                              categories=["general"]))
    return found


def _checks(station: Facility, elders: list[Elder], staff, rng: random.Random, today: date) -> int:
    """About four months of visits, each elder on their own rhythm and baseline (a third of them
    hypertensive, a few diabetic)."""
    rows = []
    for elder in elders:
        base_sys, base_dia = rng.choice([(125, 78), (132, 82), (150, 92), (118, 74)])
        base_sugar = rng.choice([5.2, 5.6, 6.0, 7.4])
        base_weight = rng.randrange(48, 80)
        day = today - timedelta(days=120 - rng.randrange(0, 7))
        while day <= today:
            systolic = max(90, base_sys + rng.randrange(-12, 13))
            diastolic = min(systolic - 20, max(55, base_dia + rng.randrange(-8, 9)))
            values = {"systolic": systolic, "diastolic": diastolic, "heart_rate": rng.randrange(58, 96),
                      "blood_sugar": Decimal(str(round(base_sugar + rng.uniform(-0.6, 0.9), 1))) if rng.random() < 0.6
                      else None,
                      "weight": Decimal(base_weight) + Decimal(rng.randrange(-10, 11)) / 10 if rng.random() < 0.3
                      else None}
            fasting = values["blood_sugar"] is not None
            rows.append(HealthCheck(elder=elder, measured_at=_at(day, rng.randrange(8, 11), rng.randrange(60)),
                                    fasting=fasting, notes=rng.choice(NOTES), recorded_by=staff,
                                    out_of_range=bool(ranges.abnormal(values, fasting=fasting)), **values))
            day += timedelta(days=rng.choice([5, 7, 7, 10, 14]))
    HealthCheck.objects.bulk_create(rows)
    return len(rows)


def seed_eldercare(city, people, *, seed: int, now: datetime) -> str:
    if Facility.objects.exists():
        return f"eldercare: {Facility.objects.count()} places (kept)"
    rng = random.Random(seed + 47)
    today = timezone.localdate(now)
    community = city.communities[0]
    unit = Unit.objects.get(code=f"{community.code}-CC")
    staff = Membership.objects.filter(unit=unit, role=Role.COMMUNITY_STAFF).select_related("user").first().user
    taken: set[int] = set()
    common = {"region": community, "operator": unit, "phone": "024-88123456"}
    station = Facility.objects.create(
        code="XC-GM-01-STATION", name=f"{community.name}养老驿站", kind=Facility.Kind.STATION, capacity=30,
        address=f"{community.name}服务中心一楼东侧", opening_hours="周一至周六 8:00–17:30",
        services=["blood_pressure", "blood_sugar", "clinic", "leisure", "errands"], **common)
    home = Facility.objects.create(
        code="XC-GM-01-HOME", name=f"{community.name}幸福院", kind=Facility.Kind.HAPPINESS_HOME,
        address=f"{community.name}南院平房", opening_hours="全天", capacity=14,
        services=["lodging", "meals", "blood_pressure", "errands"], **common)
    day_care = Facility.objects.create(
        code="XC-GM-01-DAYCARE", name=f"{community.name}日间照料中心", kind=Facility.Kind.DAY_CARE, capacity=20,
        address=f"{community.name}服务中心二楼", opening_hours="周一至周五 8:00–17:00",
        services=["day_care", "meals", "rehab", "leisure", "blood_pressure"], **common)
    since = today - timedelta(days=150)

    def enrol(facility, residents) -> list[Elder]:
        return [Elder.objects.create(facility=facility, resident=r, enrolled_on=since) for r in residents]

    station_elders = enrol(station, _locals(community, people, taken, 14))
    checks = _checks(station, station_elders, staff, rng, today)

    # 幸福院: 12 rooms, two of them for a couple; residents moved in over the months.
    rooms = [Room.objects.create(facility=home, name=f"{n}号房", beds=2 if n in (1, 2) else 1) for n in range(1, 13)]
    home_elders = enrol(home, _locals(community, people, taken, 11))
    for n, elder in enumerate(home_elders):
        room = rooms[0] if n < 2 else rooms[n - 1]  # a couple in 1号房
        with clock.frozen_at(_at(since + timedelta(days=3 * n), 10)):
            services.move_in(staff, home, elder_id=elder.pk, room_id=room.pk, on=since + timedelta(days=3 * n))
    if len(home_elders) > 3:
        with clock.frozen_at(_at(today - timedelta(days=20), 10)):
            stay = services.move_out(staff, home_elders[3].stays.get().pk, note="随子女进城居住")
        with clock.frozen_at(_at(today - timedelta(days=19), 9)):  # emptied, closed for repairs: its stay kept
            services.remove_room(staff, home, stay.room_id)

    # The rota: Tuesday, Thursday and Saturday mornings, four weeks back and two ahead.
    volunteers = _volunteers(community, people, taken)
    first = today - timedelta(days=28)
    with clock.frozen_at(_at(first - timedelta(days=1), 9)):
        for weekday, duty in ((1, "陪护、打扫院落"), (3, "跑腿代购、送餐"), (5, "陪老人聊天、读报")):
            start = first + timedelta(days=(weekday - first.weekday()) % 7)
            shifts = services.add_shifts(staff, home, first_day=start, starts=time(9), ends=time(11, 30), duty=duty,
                                         capacity=2, hours=Decimal("2.5"), weeks=6)
            for shift in shifts:
                if shift.day < today:
                    for volunteer in rng.sample(volunteers, 2):
                        ShiftSignup.objects.create(shift=shift, volunteer=volunteer,
                                                   signed_up_at=_at(shift.day - timedelta(days=2), 20))
                elif rng.random() < 0.5:
                    ShiftSignup.objects.create(shift=shift, volunteer=rng.choice(volunteers), signed_up_at=now)
    credited = 0
    for signup in ShiftSignup.objects.filter(shift__facility=home, shift__day__lt=today).select_related("shift"):
        with clock.frozen_at(_at(signup.shift.day, 12)):
            came = rng.random() < 0.85
            services.record_attendance(staff, signup.pk, attended=came)
            credited += came

    # Day care: a month of weekdays.
    day_elders = enrol(day_care, _locals(community, people, taken, 12))
    visits = 0
    for back in range(30, -1, -1):
        day = today - timedelta(days=back)
        if day.isoweekday() > 5:
            continue
        for elder in rng.sample(day_elders, rng.randrange(6, len(day_elders))):
            with clock.frozen_at(_at(day, 8, rng.randrange(0, 50))):
                visit = services.check_in(staff, day_care, elder_id=elder.pk)
            visits += 1
            if back or rng.random() < 0.3:
                with clock.frozen_at(_at(day, 16, rng.randrange(0, 50))):
                    services.check_out(staff, visit.pk)
    return (f"eldercare: 3 places, {checks} health checks, {home.rooms.count()} rooms "
            f"({home.rooms.filter(active=False).count()} closed), "
            f"{credited} rota attendances credited, {visits} day-care visits")
