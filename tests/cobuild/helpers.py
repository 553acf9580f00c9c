"""A street's 党建联盟 on the shared test world: the 区城管局 (a department of the tree) serving
玫瑰城, and a school whose contact has an account, serving 玫瑰城 too."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.cobuild import services
from minsheng.cobuild.models import Alliance, MemberUnit, Resource
from minsheng.core import clock


@dataclass
class Setup:
    alliance: Alliance
    department: MemberUnit
    school: MemberUnit
    hall: Resource  # one venue
    chairs: Resource  # equipment, several at once


def today():
    return timezone.localdate(clock.now())


def alliance(world) -> Setup:
    league = Alliance.objects.create(kind="street", name="光明街道党建联盟", region=world.regions["s1"])
    staff = world.user("staff1")
    department = services.register_member(
        staff, alliance=league, name="区城管局", kind="department", communities=[world.regions["c1"]],
        contact_name="郑科长", contact_phone="13611112222", agreement_start=today() - timedelta(days=30),
        agreement_end=today() + timedelta(days=365), unit=world.units["cg"], party_organisation="区城管局机关党委")
    teacher = get_user_model().objects.create_user(username="teacher", password="pw-teacher")
    world.users["teacher"] = teacher
    school = services.register_member(
        staff, alliance=league, name="光明小学", kind="school", communities=[world.regions["c1"]],
        contact_name="陈老师", contact_phone="13633334444", agreement_start=today() - timedelta(days=30),
        agreement_end=today() + timedelta(days=365), contact_user=teacher, party_organisation="光明小学党支部")
    hall = services.add_resource(teacher, school, kind="venue", name="学校礼堂", quantity=1, measure="间",
                                 availability="周末全天")
    chairs = services.add_resource(teacher, school, kind="equipment", name="折叠椅", quantity=3, measure="组")
    return Setup(league, department, school, hall, chairs)


def at(days: int, hour: int):
    """A local moment ``days`` from today at ``hour`` o'clock."""
    day = today() + timedelta(days=days)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour))
