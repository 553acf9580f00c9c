"""The volunteer registry, teams of "1+8+N", activities with sign-up and capacity, and hours
confirmed by the organiser going to the ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.ledger.models import Account, Measure
from minsheng.ledger.selectors import check_ledger
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.people.models import Resident
from minsheng.volunteers import services
from minsheng.volunteers.models import Activity, ServiceCategory, SignUp, Team, Volunteer

from ..wishes.helpers import party, plain_volunteer

pytestmark = pytest.mark.django_db


def test_the_eight_service_categories():
    assert [c.label for c in ServiceCategory] == [
        "医疗保健", "法律咨询", "关爱助学", "环境保洁", "旅游宣传", "民俗文化", "帮扶贫困", "综合服务"]


def test_registering_a_volunteer_gives_a_card_and_the_volunteer_role(world):
    volunteer = plain_volunteer(world)
    assert volunteer.card_number.startswith("AX") and len(volunteer.card_number) == 12
    assert Role.VOLUNTEER in roles_of(world.user("helper"))
    assert volunteer.category_labels() == ["综合服务"]
    resident = Resident.objects.create(name="钱多多", phone="13655550123")
    with pytest.raises(ValidationFailed) as err:
        services.register_volunteer(world.user("staff1"), resident=resident, region=world.regions["c1"],
                                    categories=["cooking"])
    assert "categories" in err.value.field_errors
    with pytest.raises(OutOfScope):
        services.register_volunteer(world.user("staff2"), resident=resident, region=world.regions["c1"],
                                    categories=["legal"])
    with pytest.raises(PermissionDenied):
        services.register_volunteer(world.user("handler_cg"), resident=resident, region=world.regions["c1"],
                                    categories=["legal"])
    assert not Volunteer.objects.filter(resident=resident).exists()


def test_party_members_are_volunteers_too_an_in_service_one_at_the_community_reported_to(world):
    p = party(world)
    assert services.volunteer_for_party_member(p.member).region == world.regions["c1"]
    from minsheng.party.models import PartyMember

    commuter = PartyMember.objects.create(resident=Resident.objects.create(name="周在职", phone="13655550444"),
                                          in_service=True, workplace="区住建局",
                                          reporting_community=world.regions["c2"])
    assert services.volunteer_for_party_member(commuter).region == world.regions["c2"]
    assert services.volunteer_for_party_member(commuter) == Volunteer.objects.get(resident=commuter.resident)


def test_one_committee_eight_category_teams_and_n_teams(world):
    staff = world.user("staff1")
    committee = services.create_team(staff, kind="committee", name="玫瑰城志愿服务管理委员会",
                                     region=world.regions["c1"])
    for category in ServiceCategory:
        services.create_team(staff, kind="category", name=f"{category.label}分队", region=world.regions["c1"],
                             category=category, parent=committee)
    services.create_team(staff, kind="team", name="银发先锋队", region=world.regions["c1"], parent=committee)
    with pytest.raises(ValidationFailed):
        services.create_team(staff, kind="category", name="无类别分队", region=world.regions["c1"])
    assert committee.children.count() == 9
    assert Team.objects.filter(kind="category").count() == 8


def _activity(world, capacity=1, starts_in=timedelta(days=2)):
    start = clock.now() + starts_in
    return services.create_activity(world.user("staff1"), title="为独居老人义诊", category="medical",
                                    region=world.regions["c1"], starts_at=start, ends_at=start + timedelta(hours=3),
                                    capacity=capacity, hours="3", place="玫瑰城社区服务中心")


def test_sign_up_respects_capacity_and_once_per_volunteer(world):
    first = plain_volunteer(world)
    activity = _activity(world, capacity=1)
    services.sign_up(first, activity.pk)
    with pytest.raises(InvalidTransition):
        services.sign_up(first, activity.pk)
    p = party(world)
    second = services.volunteer_for_party_member(p.member)
    with pytest.raises(InvalidTransition) as err:
        services.sign_up(second, activity.pk)
    assert "名额已满" in err.value.message
    assert SignUp.objects.filter(activity=activity).count() == 1


def test_the_organiser_confirms_attendance_and_hours_reach_the_ledger(world):
    came, absent = plain_volunteer(world), services.volunteer_for_party_member(party(world).member)
    activity = _activity(world, capacity=5)
    services.sign_up(came, activity.pk)
    services.sign_up(absent, activity.pk)
    with pytest.raises(InvalidTransition):  # not over yet
        services.confirm_attendance(world.user("staff1"), activity.pk, [came.pk])
    with clock.frozen_at(activity.ends_at + timedelta(hours=1)):
        with pytest.raises(OutOfScope):
            services.confirm_attendance(world.user("staff2"), activity.pk, [came.pk])
        services.confirm_attendance(world.user("staff1"), activity.pk, [came.pk])
        with pytest.raises(InvalidTransition):  # once
            services.confirm_attendance(world.user("staff1"), activity.pk, [came.pk, absent.pk])
    assert Activity.objects.get(pk=activity.pk).state == "confirmed"
    assert Account.objects.get(volunteer=came, measure=Measure.HOURS).balance == Decimal("3")
    assert not Account.objects.filter(volunteer=absent).exists()
    assert SignUp.objects.get(volunteer=absent).attended is False
    assert check_ledger().ok


def test_a_volunteer_signs_up_only_in_their_own_street_and_a_garbled_roll_is_refused(world):
    far = services.create_activity(world.user("staff2"), title="雷锋社区清扫", category="environment",
                                   region=world.regions["c2"], starts_at=clock.now() + timedelta(days=2),
                                   ends_at=clock.now() + timedelta(days=2, hours=2), capacity=5, hours="2",
                                   place="雷锋社区广场")
    with pytest.raises(OutOfScope):
        services.sign_up(plain_volunteer(world), far.pk)
    assert not SignUp.objects.filter(activity=far).exists()
    with pytest.raises(ValidationFailed):
        services.confirm_attendance(world.user("staff2"), far.pk, ["abc"])
