"""A station and a day-care centre in 玫瑰城 (street 光明), a 幸福院 with two rooms in 雷锋 (street
和平), elders at each, a place's own staff account, and the world's volunteer registered in 玫瑰城."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from minsheng.eldercare.models import Elder, Facility, Room
from minsheng.people.models import Resident
from minsheng.volunteers.models import Volunteer


def make_facility(world, code: str, region: str, kind: str, capacity: int = 0) -> Facility:
    return Facility.objects.create(code=code, name=f"{code}场所", kind=kind, region=world.regions[region],
                                   opening_hours="周一至周五 8:30–17:00", phone="024-12345678",
                                   services=["blood_pressure", "blood_sugar"], capacity=capacity)


def enrol(facility: Facility, resident: Resident) -> Elder:
    return Elder.objects.create(facility=facility, resident=resident, enrolled_on=date(2026, 1, 1))


@pytest.fixture
def places(world):
    station = make_facility(world, "meigui-station", "c1", Facility.Kind.STATION, 20)
    day_care = make_facility(world, "meigui-daycare", "c1", Facility.Kind.DAY_CARE, 2)
    home = make_facility(world, "leifeng-home", "c2", Facility.Kind.HAPPINESS_HOME)
    rooms = [Room.objects.create(facility=home, name="1号房", beds=1), Room.objects.create(facility=home, name="2号房",
                                                                                          beds=2)]
    li = Resident.objects.get(phone="13900001111")
    wang = Resident.objects.get(phone="13812341234")
    lei = Resident.objects.create(name="雷大爷", phone="13700002222", region=world.regions["g2"])
    zhao = Resident.objects.create(name="赵奶奶", phone="13700003333", region=world.regions["g2"])
    qian = Resident.objects.create(name="钱大爷", phone="13700004444", region=world.regions["g2"])
    doctor = get_user_model().objects.create_user(username="doctor", password="pw-doctor")
    station.staff.add(doctor)
    return {"station": station, "day_care": day_care, "home": home, "rooms": rooms, "doctor": doctor,
            "li": enrol(station, li), "wang": enrol(station, wang),
            "li_day": enrol(day_care, li), "wang_day": enrol(day_care, wang),
            "lei": enrol(home, lei), "zhao": enrol(home, zhao), "qian": enrol(home, qian)}


@pytest.fixture
def volunteer(world):
    user = world.users["volunteer"]
    resident = Resident.objects.create(name="张志愿", phone="13600003333", user=user, region=world.regions["g1"])
    return Volunteer.objects.create(resident=resident, region=world.regions["c1"], card_number="V0001",
                                    joined_on=date(2026, 1, 1), categories=["general"])
